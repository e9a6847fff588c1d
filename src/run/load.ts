/**
 * The machine's load through a run, sampled every second by the sweeping process (which itself
 * only waits on its case processes): the 1-minute load average, as `uptime` shows it, and the
 * number of runnable tasks at that instant (Linux: /proc/loadavg), which reacts at once where the
 * load average lags by a minute. The case process measuring counts in both.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { LoadSample } from '../results/run-meta.ts';

export const LOAD_INTERVAL_MS = 1000;

function runnable(): number | null {
  try {
    const m = /^\S+ \S+ \S+ (\d+)\//.exec(readFileSync('/proc/loadavg', 'utf8'));
    return m ? Number(m[1]) - 1 : null; // the reading process is one of them
  } catch {
    return null;
  }
}

export function sampleLoad(): LoadSample {
  return { at: new Date().toISOString(), load1: os.loadavg()[0], runnable: runnable() };
}

/** Samples the load until stopped; `samples` grows as it goes. */
export function startLoadSampler(intervalMs = LOAD_INTERVAL_MS): { samples: LoadSample[]; stop(): LoadSample[] } {
  const samples = [sampleLoad()];
  const timer = setInterval(() => samples.push(sampleLoad()), intervalMs);
  timer.unref();
  return { samples, stop: () => { clearInterval(timer); samples.push(sampleLoad()); return samples; } };
}
