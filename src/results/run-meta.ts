/**
 * What run.json records: the suite, the command, the machine, the engines, and when. Written once
 * as zod schemas (the TypeScript types are inferred from here); `readRunMeta` (store.ts) checks a
 * run.json against RunMetaSchema after `migrateRunMeta` (migrate.ts) has brought an older one up to
 * date. A leaf, as types.ts. A run.json is read as this code knows it: fields it does not know are
 * dropped (resume and merge write run.json anew from what they record, never a read one back whole).
 */
import { z } from 'zod';
import { DEFAULT_DTYPE, type Dtype } from './dtype.ts';
import { EngineInfoSchema } from './engine-record.ts';
import { firstProblem, RecordedSuiteSchema, type RecordedSuite } from './schema.ts';

export type { RecordedSuite };

export const EnvironmentSchema = z.object({
  cpuModel: z.string(),
  /** Logical cores. */
  cores: z.number(),
  /** Bytes. */
  totalMemory: z.number(),
  /** Bytes free when the run started. */
  freeMemory: z.number(),
  os: z.string(),
  node: z.string(),
  /** 1-, 5- and 15-minute load averages at the start and at the end of the run. */
  loadAverage: z.object({ start: z.array(z.number()), end: z.array(z.number()).optional() }),
  git: z.object({ commit: z.string(), dirty: z.boolean() }).optional(),
});
export type Environment = z.infer<typeof EnvironmentSchema>;

/** The machine's load at one instant of a run (src/run/load.ts). */
export const LoadSampleSchema = z.object({
  /** ISO 8601 wall clock. */
  at: z.string(),
  /** 1-minute load average. */
  load1: z.number(),
  /** Tasks runnable at that instant, besides the sampling process (null where /proc/loadavg is missing). */
  runnable: z.number().nullable(),
  /**
   * Of those, the run's own: runnable threads of its worker processes and of the sweeping process
   * (from /proc/<pid>/task/<tid>/stat); runnable − own is the load beyond the run. Absent on older runs.
   */
  own: z.number().nullable().optional(),
});
export type LoadSample = z.infer<typeof LoadSampleSchema>;

/** One product timed for an engine's matmul ceiling. */
export const CeilingShapeSchema = z.object({
  /** What was multiplied, e.g. "[1024×1024]·[1024×1024] float32". */
  shape: z.string(),
  /** Achieved GFLOP/s at its median latency. */
  gflops: z.number(),
  medianMs: z.number(),
});
export type CeilingShape = z.infer<typeof CeilingShapeSchema>;

/**
 * The key of an engine's ceiling in one dtype (RunMeta.ceilings): the engine id for float32 (as runs
 * before dtypes recorded it), `engine/backend dtype` otherwise, e.g. `torch/cuda bfloat16`.
 */
export const ceilingKey = (engineId: string, dtype: Dtype): string => (dtype === DEFAULT_DTYPE ? engineId : `${engineId} ${dtype}`);

/** One streaming read timed for an engine's memory-bandwidth ceiling. */
export const BandwidthSizeSchema = z.object({
  /** What was read, e.g. "ReduceSum over [512×8192] float32 (16 MiB), an input". */
  what: z.string(),
  /** Bytes read per pass. */
  bytes: z.number(),
  /** bytes / median pass time, GB/s (10⁹ bytes). */
  gbs: z.number(),
  medianMs: z.number(),
});
export type BandwidthSize = z.infer<typeof BandwidthSizeSchema>;

/** An engine's matmul ceiling: its best product's figures, and every product timed (runs before #11 recorded one). */
export const CeilingSchema = CeilingShapeSchema.extend({
  shapes: z.array(CeilingShapeSchema).optional(),
  /**
   * The engine's memory-bandwidth ceiling (measure/ceiling.ts, measureBandwidth): a streaming read at
   * each working-set size the run's decode cases move per step; absent when the run had none.
   */
  bandwidth: z.array(BandwidthSizeSchema).optional(),
});
export type Ceiling = z.infer<typeof CeilingSchema>;

/** One timing round's share of a run's wall time, seconds (src/run/phases.ts). */
export const RoundPhasesSchema = z.object({
  round: z.number(),
  /** Wall time of the round's jobs, the sum of the four below (with lanes, their sum over the lanes). */
  wall: z.number(),
  /** Building and preparing every case on its engine, in the round's worker. */
  prepare: z.number(),
  /** Warm-up passes (measure/group-round.ts). */
  warmup: z.number(),
  /** Sampling blocks: timed samples and the harness's time between them. */
  sampling: z.number(),
  /** The rest: the worker's start, disposal, messages between the processes. */
  other: z.number(),
  /**
   * The round's own wall time: less than `wall` where single-threaded groups ran in two lanes at once
   * (src/run/lanes.ts), whose times `wall` adds up. Absent in runs before lanes.
   */
  elapsed: z.number().optional(),
  /** Wall time in which at least one of the round's groups was in its sampling blocks (the duty cycle's numerator). */
  sampledWall: z.number().optional(),
  /** Lanes the round's single-threaded groups ran in (1: one group at a time). */
  lanes: z.number().optional(),
});
export type RoundPhases = z.infer<typeof RoundPhasesSchema>;

/** Where a run's wall time went, seconds (src/run/phases.ts); the wall is finishedAt − startedAt. */
export const PhaseTimesSchema = z.object({
  /** The matmul ceilings, before and after the cases. */
  ceilings: z.number(),
  /** Every case's checks (preparing, a first pass, overhead, peak memory, the float64 references), workers' start included. */
  checks: z.number(),
  rounds: z.array(RoundPhasesSchema),
});
export type PhaseTimes = z.infer<typeof PhaseTimesSchema>;

/** What run.json records about base weights read from a file (src/linalg/weights-record.ts). */
export const WeightsFileFactsSchema = z.object({
  /** The file's (or folder's) name, without its directory. */
  basename: z.string(),
  /** Hex sha256 of the file; of a folder: of each .npy file's name and bytes, in name order. */
  sha256: z.string(),
  format: z.enum(['safetensors', 'npz', 'npy folder']),
  /** Naming scheme found (pytorch-mha, hf-bert, hf-gpt2, hf-llama, attnbench) and the layer prefix used. */
  scheme: z.string(),
  prefix: z.string(),
  dModel: z.number(),
  /** Width of the K and V projections when narrower than D (a grouped-query layer: kvHeads·E); absent = D. */
  kvWidth: z.number().optional(),
  /** Element types of the tensors read, each converted to float32 (F32, F16, BF16, F64). */
  dtypes: z.array(z.string()),
  /** False when the file holds no biases (zeros were used). */
  biases: z.boolean(),
  /**
   * Singular values of Wq, Wk, Wv, Wo, descending; absent above a width where the exact SVD would take
   * minutes (then `spectrumSkipped` says why).
   */
  spectrum: z.object({ q: z.array(z.number()), k: z.array(z.number()), v: z.array(z.number()), o: z.array(z.number()) })
    .optional(),
  spectrumSkipped: z.string().optional(),
});
export type WeightsFileFacts = z.infer<typeof WeightsFileFactsSchema>;

/** Which part of a plan a run measured (`--shard i/n`). */
const ShardPlaceSchema = z.object({
  /** 1-based. */
  index: z.number(),
  count: z.number(),
});

/** Every field of run.json but those of a merged run (which hold the shards' own fields, below). */
const RunFieldsSchema = z.object({
  schema: z.literal(1),
  runId: z.string(),
  suite: RecordedSuiteSchema,
  argv: z.array(z.string()),
  /** ISO 8601. */
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  /** True when the run was stopped (Ctrl-C) before every case ran. */
  interrupted: z.boolean().optional(),
  environment: EnvironmentSchema,
  /**
   * Every engine/backend probed, available or not (with the reason): those of the engines the run named, or every
   * one when it asked for the fastest here or `all` (engine/resolve.ts, probeNames).
   */
  engines: z.array(EngineInfoSchema),
  /** Ids of the engines this run measured. */
  selected: z.array(z.string()),
  /** One line per fallback taken when choosing engines. */
  fallbacks: z.array(z.string()),
  /** Measured matmul ceiling per engine id and dtype (ceilingKey, src/measure/ceiling.ts); absent where it failed. */
  ceilings: z.record(z.string(), CeilingSchema).optional(),
  /** Where the run's wall time went, by phase (absent on older runs). */
  phases: PhaseTimesSchema.optional(),
  /** Base weights read from a file: which file (name, sha256), how it was read, its singular-value spectra. */
  weightsFile: WeightsFileFactsSchema.optional(),
  /** Cases whose analytic memory exceeded this many bytes were skipped before running. */
  maxMemoryBytes: z.number().optional(),
  cases: z.number(),
  /** The machine's load sampled through the run, every second (absent on runs before it was recorded). */
  load: z.array(LoadSampleSchema).optional(),
  /** Host name of the machine that ran it (absent on older runs). */
  machine: z.string().optional(),
  /** The whole plan (every shard's cases): its fingerprint (src/run/shard.ts) and its number of cases. */
  plan: z.object({ fingerprint: z.string(), cases: z.number() }).optional(),
  /** Which part of the plan this run measured (`--shard i/n`); absent when it ran the whole plan. */
  shard: ShardPlaceSchema.optional(),
});

/** What a merged run keeps of each shard's own run.json, as that run.json recorded it. */
export const SHARD_META_FIELDS = ['runId', 'startedAt', 'finishedAt', 'interrupted', 'environment', 'engines', 'ceilings',
  'fallbacks'] as const satisfies ReadonlyArray<keyof z.infer<typeof RunFieldsSchema>>;
const shardMetaMask = Object.fromEntries(SHARD_META_FIELDS.map((k) => [k, true])) as { [K in (typeof SHARD_META_FIELDS)[number]]: true };

/** One shard of a merged run: its place in the plan, its machine and folder, its own run.json's fields (SHARD_META_FIELDS). */
export const ShardRecordSchema = RunFieldsSchema.pick(shardMetaMask).extend({
  ...ShardPlaceSchema.shape,
  machine: z.string(),
  /** The shard's folder as given to merge. */
  dir: z.string(),
  /** Cases of this shard's plan, and the lines merged from it. */
  cases: z.number(),
  lines: z.number(),
});
export type ShardRecord = z.infer<typeof ShardRecordSchema>;

/** run.json (after `migrateRunMeta`). */
export const RunMetaSchema = RunFieldsSchema.extend({
  /** On a merged run (src/run/merge.ts): every shard merged, with its own machine and environment. */
  shards: z.array(ShardRecordSchema).optional(),
  /** On a merged run: case ids of the plan no shard measured (merged with --allow-missing). */
  missing: z.array(z.string()).optional(),
});
export type RunMeta = z.infer<typeof RunMetaSchema>;

/**
 * A (migrated) run.json checked: the run, the suite's defaults filled in as a suite that did not say
 * meant them, or what is wrong in one line naming the field and what it expects.
 */
export function checkRunMeta(raw: unknown): { meta: RunMeta } | { problem: string } {
  const parsed = RunMetaSchema.safeParse(raw);
  return parsed.success ? { meta: parsed.data } : { problem: firstProblem(parsed.error) };
}
