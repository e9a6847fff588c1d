/** What run.json records: the suite, the command, the machine, the engines, and when. A leaf, as types.ts. */
import { DEFAULT_DTYPE, type Dtype } from './dtype.ts';
import type { RecordedSuite } from './schema.ts';
import type { EngineInfo, WeightsFileFacts } from './types.ts';

export type { RecordedSuite };

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

/** The machine's load at one instant of a run (src/run/load.ts). */
export interface LoadSample {
  /** ISO 8601 wall clock. */
  at: string;
  /** 1-minute load average. */
  load1: number;
  /** Tasks runnable at that instant, besides the sampling process (null where /proc/loadavg is missing). */
  runnable: number | null;
  /**
   * Of those, the run's own: runnable threads of its worker processes and of the sweeping process
   * (from /proc/<pid>/task/<tid>/stat); runnable − own is the load beyond the run. Absent on older runs.
   */
  own?: number | null;
}

/** One product timed for an engine's matmul ceiling. */
export interface CeilingShape {
  /** What was multiplied, e.g. "[1024×1024]·[1024×1024] float32". */
  shape: string;
  /** Achieved GFLOP/s at its median latency. */
  gflops: number;
  medianMs: number;
}

/**
 * The key of an engine's ceiling in one dtype (RunMeta.ceilings): the engine id for float32 (as runs
 * before dtypes recorded it), `engine/backend dtype` otherwise, e.g. `torch/cuda bfloat16`.
 */
export const ceilingKey = (engineId: string, dtype: Dtype): string => (dtype === DEFAULT_DTYPE ? engineId : `${engineId} ${dtype}`);

/** An engine's matmul ceiling: its best product's figures, and every product timed (runs before #11 recorded one). */
export interface Ceiling extends CeilingShape {
  shapes?: CeilingShape[];
  /**
   * The engine's memory-bandwidth ceiling (measure/ceiling.ts, measureBandwidth): a streaming read at
   * each working-set size the run's decode cases move per step; absent when the run had none.
   */
  bandwidth?: BandwidthSize[];
}

/** One streaming read timed for an engine's memory-bandwidth ceiling. */
export interface BandwidthSize {
  /** What was read, e.g. "ReduceSum over [512×8192] float32 (16 MiB), an input". */
  what: string;
  /** Bytes read per pass. */
  bytes: number;
  /** bytes / median pass time, GB/s (10⁹ bytes). */
  gbs: number;
  medianMs: number;
}

/** One timing round's share of a run's wall time, seconds (src/run/phases.ts). */
export interface RoundPhases {
  round: number;
  /** Wall time of the round's jobs, the sum of the four below. */
  wall: number;
  /** Building and preparing every case on its engine, in the round's worker. */
  prepare: number;
  /** Warm-up passes (measure/group-round.ts). */
  warmup: number;
  /** Sampling blocks: timed samples and the harness's time between them. */
  sampling: number;
  /** The rest: the worker's start, disposal, messages between the processes. */
  other: number;
}

/** Where a run's wall time went, seconds (src/run/phases.ts); the wall is finishedAt − startedAt. */
export interface PhaseTimes {
  /** The matmul ceilings, before and after the cases. */
  ceilings: number;
  /** Every case's checks (preparing, a first pass, overhead, peak memory, the float64 references), workers' start included. */
  checks: number;
  rounds: RoundPhases[];
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
  /**
   * Every engine/backend probed, available or not (with the reason): those of the engines the run named, or every
   * one when it asked for the fastest here or `all` (engine/resolve.ts, probeNames).
   */
  engines: EngineInfo[];
  /** Ids of the engines this run measured. */
  selected: string[];
  /** One line per fallback taken when choosing engines. */
  fallbacks: string[];
  /** Measured matmul ceiling per engine id and dtype (ceilingKey, src/measure/ceiling.ts); absent where it failed. */
  ceilings?: Record<string, Ceiling>;
  /** Where the run's wall time went, by phase (absent on older runs). */
  phases?: PhaseTimes;
  /** Base weights read from a file: which file (name, sha256), how it was read, its singular-value spectra. */
  weightsFile?: WeightsFileFacts;
  /** Cases whose analytic memory exceeded this many bytes were skipped before running. */
  maxMemoryBytes?: number;
  cases: number;
  /** The machine's load sampled through the run, every second (absent on runs before it was recorded). */
  load?: LoadSample[];
  /** Host name of the machine that ran it (absent on older runs). */
  machine?: string;
  /** The whole plan (every shard's cases): its fingerprint (src/run/shard.ts) and its number of cases. */
  plan?: { fingerprint: string; cases: number };
  /** Which part of the plan this run measured (`--shard i/n`); absent when it ran the whole plan. */
  shard?: { index: number; count: number };
  /** On a merged run (src/run/merge.ts): every shard merged, with its own machine and environment. */
  shards?: ShardRecord[];
  /** On a merged run: case ids of the plan no shard measured (merged with --allow-missing). */
  missing?: string[];
}

/** What a merged run keeps of each shard's own run.json, as that run.json recorded it. */
export const SHARD_META_FIELDS = ['runId', 'startedAt', 'finishedAt', 'interrupted', 'environment', 'engines', 'ceilings',
  'fallbacks'] as const satisfies ReadonlyArray<keyof RunMeta>;

/** One shard of a merged run: its place in the plan, its machine and folder, its own run.json's fields (SHARD_META_FIELDS). */
export type ShardRecord = Pick<RunMeta, (typeof SHARD_META_FIELDS)[number]> & NonNullable<RunMeta['shard']> & {
  machine: string;
  /** The shard's folder as given to merge. */
  dir: string;
  /** Cases of this shard's plan, and the lines merged from it. */
  cases: number;
  lines: number;
};
