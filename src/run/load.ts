/**
 * The machine's load through a run, sampled every second by the sweeping process (which itself
 * only waits on its case processes): the 1-minute load average, as `uptime` shows it, and from one
 * pass over every task (/proc/<pid>/task/<tid>/stat) the number of runnable tasks at that instant,
 * which reacts at once where the load average lags by a minute, and how many of them are the run's
 * own (its threads, its workers' and their children's). The report calls the machine busy only from
 * runnable − own, the load beyond the run (src/report/noise.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import type { LoadSample } from '../results/run-meta.ts';

export const LOAD_INTERVAL_MS = 1000;

/** Process ids under /proc (Linux); null where there is no /proc. */
function processIds(): number[] | null {
  try {
    return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return null;
  }
}

/** Parent pid and the number of threads in state R (running or runnable) of process `pid`; undefined for one that is gone. */
function processState(pid: number): { ppid: number; runnable: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const runnable = readdirSync(`/proc/${pid}/task`).filter((tid) => {
      try {
        const t = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        return t[t.lastIndexOf(')') + 2] === 'R';
      } catch {
        return false;
      }
    }).length;
    return { ppid, runnable };
  } catch {
    return undefined;
  }
}

/** `roots` and every descendant of them among `states` (a worker's own children, e.g. torch's Python process, are the run's). */
export function familyOf(roots: readonly number[], states: ReadonlyMap<number, { ppid: number }>): Set<number> {
  const family = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, { ppid }] of states) if (!family.has(pid) && family.has(ppid)) grew = family.add(pid) !== undefined;
  }
  return family;
}

/**
 * One sample: a single pass over every task of the machine, each runnable one counted as the run's
 * (this process, its workers and their children) or as beyond it. An earlier version read the
 * machine's count (/proc/loadavg) and the run's own count at different instants: the run's threads
 * wake and sleep many times a second (ORT's pool, not spinning), so a thread of the run that was
 * runnable at the one instant and not at the other read as load beyond the run — about one task on
 * average through a quiet default run here, which the report then called a busy machine.
 */
export function sampleLoad(ownPids: readonly number[] = []): LoadSample {
  const pids = processIds(), at = new Date().toISOString(), load1 = os.loadavg()[0];
  if (pids === null) return { at, load1, runnable: null, own: null };
  const states = new Map<number, { ppid: number; runnable: number }>();
  for (const pid of pids) {
    const st = processState(pid);
    if (st) states.set(pid, st);
  }
  const family = familyOf([process.pid, ...ownPids], states);
  let own = -1, all = -1; // the reading thread is one of this process's runnable threads: left out of both
  for (const [pid, st] of states) {
    all += st.runnable;
    if (family.has(pid)) own += st.runnable;
  }
  return { at, load1, runnable: Math.max(0, all), own: Math.max(0, own) };
}

/** Samples the load until stopped, `ownPids()` naming the run's worker processes at each sample; `samples` grows as it goes. */
export function startLoadSampler(ownPids: () => readonly number[] = () => [], intervalMs = LOAD_INTERVAL_MS):
  { samples: LoadSample[]; stop(): LoadSample[] } {
  const samples = [sampleLoad(ownPids())];
  const timer = setInterval(() => samples.push(sampleLoad(ownPids())), intervalMs);
  timer.unref();
  return { samples, stop: () => { clearInterval(timer); samples.push(sampleLoad(ownPids())); return samples; } };
}
