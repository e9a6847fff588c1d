/** What run.json records: the suite, the command, the machine, the engines, and when. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { EngineInfo } from '../engine/types.ts';
import type { Suite } from './suite.ts';

export interface Environment {
  cpuModel: string;
  /** Logical cores. */
  cores: number;
  /** Bytes. */
  totalMemory: number;
  /** Bytes free when the run started. */
  freeMemory: number;
  os: string;
  node: string;
  /** 1-, 5- and 15-minute load averages at the start and at the end of the run. */
  loadAverage: { start: number[]; end?: number[] };
  git?: { commit: string; dirty: boolean };
}

export interface RunMeta {
  schema: 1;
  runId: string;
  suite: Suite;
  argv: string[];
  startedAt: string;
  finishedAt?: string;
  /** True when the run was stopped (Ctrl-C) before every case ran. */
  interrupted?: boolean;
  environment: Environment;
  /** Every engine/backend probed, available or not (with the reason). */
  engines: EngineInfo[];
  /** Ids of the engines this run measured. */
  selected: string[];
  /** One line per fallback taken when choosing engines. */
  fallbacks: string[];
  /** Measured matmul ceiling per engine id (src/measure/ceiling.ts); absent where it failed. */
  ceilings?: Record<string, { gflops: number; shape: string; medianMs: number }>;
  /** Cases whose analytic memory exceeded this many bytes were skipped before running. */
  maxMemoryBytes?: number;
  cases: number;
}

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

/** A sortable, readable run id: 2026-11-29T10-12-03-full. */
export function makeRunId(suiteName: string, now = new Date()): string {
  return `${now.toISOString().slice(0, 19).replace(/:/g, '-')}-${suiteName.replace(/[^\w-]+/g, '_')}`;
}
