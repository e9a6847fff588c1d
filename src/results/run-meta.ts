/** What run.json records: the suite, the command, the machine, the engines, and when. A leaf, as types.ts. */
import type { CaseMode, EngineInfo, InputSpec, WeightsFileFacts, WeightsSpec } from './types.ts';

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

/** The suite as run.json records it, after defaults and command-line overrides (src/run/suite.ts validates it). */
export interface RecordedSuite {
  name: string;
  description: string;
  variants: Array<string | { name: string; options: Record<string, unknown>; label?: string }>;
  seqLen: number[];
  /** One value, or a list swept. */
  dModel: number | number[];
  heads: number | number[];
  batch: number | number[];
  engines?: string[];
  seed: number;
  modes: CaseMode[];
  weights: WeightsSpec;
  input: InputSpec;
  timing: { rounds?: number; timeMs: number; warmupMs: number; warmupIterations: number; minSamples: number; targetRme: number };
}

/** The machine's load at one instant of a run (src/run/load.ts). */
export interface LoadSample {
  /** ISO 8601 wall clock. */
  at: string;
  /** 1-minute load average. */
  load1: number;
  /** Tasks runnable at that instant, besides the sampling process (null where /proc/loadavg is missing). */
  runnable: number | null;
}

export interface RunMeta {
  schema: 1;
  runId: string;
  suite: RecordedSuite;
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
  /** Base weights read from a file: which file (name, sha256), how it was read, its singular-value spectra. */
  weightsFile?: WeightsFileFacts;
  /** Cases whose analytic memory exceeded this many bytes were skipped before running. */
  maxMemoryBytes?: number;
  cases: number;
  /** The machine's load sampled through the run, every second (absent on runs before it was recorded). */
  load?: LoadSample[];
}
