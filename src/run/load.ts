/**
 * The machine's load through a run, sampled every second by the sweeping process (which itself
 * only waits on its case processes): the 1-minute load average, as `uptime` shows it, the number
 * of runnable tasks at that instant (Linux: /proc/loadavg), which reacts at once where the load
 * average lags by a minute, and how many of those runnable tasks are the run's own (its workers'
 * threads and its own, /proc/<pid>/task/<tid>/stat). The report calls the machine busy only from
 * runnable − own, the load beyond the run (src/report/noise.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
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

/** Threads of process `pid` in state R (running or runnable); 0 for a process that is gone. */
function runnableThreads(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/task`).filter((tid) => {
      try {
        return /^\d+ \(.*\) R/.test(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    }).length;
  } catch {
    return 0;
  }
}

/** Runnable threads of the run's processes, the reading thread left out (as `runnable` leaves it out). */
function ownRunnable(pids: readonly number[]): number | null {
  if (runnable() === null) return null;
  return Math.max(0, runnableThreads(process.pid) - 1) + pids.reduce((n, pid) => n + runnableThreads(pid), 0);
}

/**
 * One sample. The run's threads wake and sleep many times a second (ORT's pool, not spinning), and
 * /proc/loadavg and /proc/<pid>/task are read at slightly different instants: the run's own count is
 * read before and after the machine's, and the larger kept, so a thread of the run that woke in
 * between is not counted as load beyond the run.
 */
export function sampleLoad(ownPids: readonly number[] = []): LoadSample {
  const before = ownRunnable(ownPids), all = runnable(), after = ownRunnable(ownPids);
  const own = before === null || after === null ? null : Math.max(before, after);
  return { at: new Date().toISOString(), load1: os.loadavg()[0], runnable: all, own };
}

/** Samples the load until stopped, `ownPids()` naming the run's worker processes at each sample; `samples` grows as it goes. */
export function startLoadSampler(ownPids: () => readonly number[] = () => [], intervalMs = LOAD_INTERVAL_MS):
  { samples: LoadSample[]; stop(): LoadSample[] } {
  const samples = [sampleLoad(ownPids())];
  const timer = setInterval(() => samples.push(sampleLoad(ownPids())), intervalMs);
  timer.unref();
  return { samples, stop: () => { clearInterval(timer); samples.push(sampleLoad(ownPids())); return samples; } };
}
