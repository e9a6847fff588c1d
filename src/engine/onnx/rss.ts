/**
 * Peak resident set size of this process from /proc (Linux): the memory probe of the ONNX engine,
 * whose runtime reports no allocation statistics of its own.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** Resets the kernel's peak-RSS counter to the current RSS; returns it in bytes. */
export function resetPeakRss(): number {
  writeFileSync('/proc/self/clear_refs', '5');
  return readPeakRss();
}

/** Peak RSS since the process started or the last reset, in bytes. */
export function readPeakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error('VmHWM not found in /proc/self/status');
  return Number(m[1]) * 1024;
}
