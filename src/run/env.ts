/** The machine a run measures on (run.json's `environment`), and run ids. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Environment } from '../results/run-meta.ts';

export function collectEnvironment(): Environment {
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    totalMemory: os.totalmem(),
    freeMemory: os.freemem(),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverage: { start: os.loadavg() },
    git: gitState(),
  };
}

function gitState(): Environment['git'] {
  try {
    const run = (args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: run(['rev-parse', 'HEAD']), dirty: run(['status', '--porcelain']) !== '' };
  } catch {
    return undefined;
  }
}

/** The machine a run measures on, as run.json and a merged report name it: ATTNBENCH_MACHINE (a Kubernetes node), else the host name. */
export const machineName = (env: NodeJS.ProcessEnv = process.env): string => env.ATTNBENCH_MACHINE || os.hostname();

/** A sortable, readable run id: 2026-11-29T10-12-03-full. */
export function makeRunId(suiteName: string, now = new Date()): string {
  return `${now.toISOString().slice(0, 19).replace(/:/g, '-')}-${suiteName.replace(/[^\w-]+/g, '_')}`;
}
