/**
 * One line of results.jsonl, written once as zod schemas: a tagged union on `status` (a measured
 * line of a mode, or a skipped/failed one). The TypeScript types of lines are inferred from here
 * (src/results/types.ts re-exports them); readers check every line against its schema after
 * `migrateLine` (src/results/migrate.ts) has brought an older one up to date, so they see complete lines.
 * Schema version 1: adding fields keeps it (older lines get them in the migration); renaming or
 * removing fields bumps it.
 */
import { z } from 'zod';
import { firstProblem, ShapeSchema, TimingSettingsSchema } from './schema.ts';

export const RESULT_SCHEMA = 1;

/**
 * What a variant is to the report: the baseline (exact full attention), an adapter (fine-tuning
 * weights on top of the baseline), an approximation (computes less, differs from the baseline),
 * exact-efficient (the baseline's output, computed otherwise), or a yardstick (the baseline's
 * computation in the engine's own plain attention module: what the baseline's program is held against).
 */
export const VariantRoleSchema = z.enum(['baseline', 'adapter', 'approximation', 'exact-efficient', 'yardstick']);
export type VariantRole = z.infer<typeof VariantRoleSchema>;

export const ParamCountSchema = z.object({
  /** Every parameter the method defines (incl. adapters and frozen base weights). */
  total: z.number(),
  /** Parameters a fine-tuning run updates. */
  trainable: z.number(),
  /** Parameters held by the forward pass at inference time. */
  inference: z.number(),
});
export type ParamCount = z.infer<typeof ParamCountSchema>;

/** Which shard of a plan a results line was measured in, and on which machine (lines of a merged run carry it). */
export const ShardTagSchema = z.object({
  /** 1-based. */
  index: z.number(),
  count: z.number(),
  /** Host name of the machine that ran the shard. */
  machine: z.string(),
});
export type ShardTag = z.infer<typeof ShardTagSchema>;

/** What a measured line's samples were: the suite's timing, the clock that took them (always known once measured). */
export const MeasuredTimingSchema = TimingSettingsSchema.extend({ clock: z.string() });

export const LatencyStatsSchema = z.object({
  /** All in milliseconds per sample, except `rme` (%) and `samples` (count). */
  median: z.number(),
  mean: z.number(),
  p25: z.number(),
  p75: z.number(),
  p99: z.number(),
  min: z.number(),
  max: z.number(),
  /** Relative margin of error of the mean at 95 % confidence, %. */
  rme: z.number(),
  samples: z.number(),
});
export type LatencyStats = z.infer<typeof LatencyStatsSchema>;

/**
 * One timing round of a case: prepared afresh in that round's worker process, warmed up and
 * sampled, while every other case of the run had its round of the same index (src/run/rounds.ts).
 */
export const RoundTimingSchema = z.object({
  /** 1-based. */
  round: z.number(),
  /**
   * When sampling began and ended (ISO 8601, wall clock); absent only on the one round that stands
   * for a line written before rounds existed (src/results/migrate.ts): its time was not recorded.
   */
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  /** Median of this round's samples, ms. */
  median: z.number(),
  /**
   * This round's raw samples, ms: sorted ascending, or, when `pairedBlocks`, in block order (sample i
   * was taken in block i, beside the block's sample of every other case of its comparison group).
   */
  samplesMs: z.array(z.number()),
  /** The round sampled the group's cases in shuffled blocks of one pass each (measure/group-round.ts); absent = not in blocks. */
  pairedBlocks: z.boolean().optional(),
  /** Building the case and preparing it on its engine in this round's worker, ms; absent on older rounds. */
  prepareMs: z.number().optional(),
  /** The round's warm-up: passes run, whether the times had stopped getting faster (measure/steady.ts), ms spent. */
  warmup: z.object({ passes: z.number(), steady: z.boolean(), ms: z.number() }).optional(),
  /** The clock the samples were taken on (see TimingSettings.clock). */
  clock: z.string(),
  /** Whether each sample includes the outputs' download to the host. */
  downloadInside: z.boolean(),
  /** The engine replayed a CUDA graph for each sample (true), or why not (see TimingSettings.cudaGraph). */
  cudaGraph: z.union([z.literal(true), z.string()]).optional(),
});
export type RoundTiming = z.infer<typeof RoundTimingSchema>;

/**
 * The kernel one batched matrix product ran on, where an engine has two (tfjs/wasm: one 2-D XNNPACK
 * product per batch entry, `loop`, or the native batched kernel, `batched`), and the timings the
 * choice was made from (src/engine/tfjs-kernels.ts). Recorded here as plain data; the engine
 * vocabulary names it (src/engine/types.ts, KernelChoice).
 */
export const KernelChoiceSchema = z.object({
  /** The product, e.g. "[8,1024,64]·[8,1024,64]ᵀ". */
  product: z.string(),
  kernel: z.enum(['loop', 'batched']),
  /** Fastest of the timed runs of each kernel, ms; null where a kernel was abandoned as far slower. */
  loopMs: z.number().nullable(),
  batchedMs: z.number().nullable(),
  /**
   * `measured` in this process, or read from the per-machine cache (`cached`, measured at
   * `measuredAt`), or `forced` by ATTNBENCH_TFJS_KERNEL (then neither kernel was timed).
   */
  source: z.enum(['measured', 'cached', 'forced']),
  measuredAt: z.string().optional(),
});

/** The fields every line has: which case, where, what it counts, how it was to be timed. */
const LineBaseSchema = z.object({
  schema: z.literal(RESULT_SCHEMA),
  runId: z.string(),
  /** Stable key of the case within a run: variant, label, engine and shape (and the mode's suffix). */
  caseId: z.string(),
  /** The mode's name (src/modes). */
  mode: z.string(),
  variant: z.string(),
  options: z.record(z.string(), z.unknown()),
  /** Human-readable configuration, e.g. "LoRA r=8 α=16 on q,v (unmerged)". */
  label: z.string(),
  /**
   * The variant's role (src/variants/types.ts) and the variant whose graph this configuration runs
   * unchanged (Variant.sameGraphAs), as the run's code said: the report reads them from here, so
   * an old run's report rebuilt by newer code gives the same findings. Absent on older lines: the
   * report then asks the variant registry (report/roles.ts; results, a leaf, cannot).
   */
  role: VariantRoleSchema.optional(),
  sameGraphAs: z.string().optional(),
  /** The engine's registry name, e.g. `tfjs`, `onnx`. */
  engine: z.string(),
  /** e.g. `wasm`, `cpu`, `tensorflow-gpu`. */
  backend: z.string(),
  /** `cpu` | `cuda`. */
  device: z.string(),
  shape: ShapeSchema,
  /** Parameter counts (elements); null when they depend on weights the case never built. */
  params: ParamCountSchema.nullable(),
  /** FLOPs of one forward pass (2 × multiply-adds of the matrix products); null as for params. */
  flops: z.number().nullable(),
  /**
   * Set when a variant meant to compute less than the baseline does not at this shape (its FLOPs are
   * not below full attention's, e.g. Linformer with k = N): why, e.g. "not efficient at this N: 1.20× full's FLOPs".
   */
  notEfficient: z.string().optional(),
  timing: TimingSettingsSchema,
  /** ISO time the case finished. */
  finishedAt: z.string(),
  /** The shard and machine that measured the case: on lines of a merged run (src/run/merge.ts) only. */
  shard: ShardTagSchema.optional(),
});
export type LineBase = z.infer<typeof LineBaseSchema>;
/** The names of the fields every line has (results/lines.ts, baseOf). */
export const LINE_BASE_FIELDS = LineBaseSchema.keyof().options;

/** What every measured line has, whatever its mode; a mode's own fields extend it (below). */
export const MeasuredLineSchema = LineBaseSchema.extend({
  status: z.literal('ok'),
  params: ParamCountSchema,
  /** FLOPs of one forward pass (a training step's backward is not counted). */
  flops: z.number(),
  timing: MeasuredTimingSchema,
  /** Variant-specific facts about the configuration, e.g. `svd`: rank, energy, error per target. */
  details: z.record(z.string(), z.unknown()).optional(),
  /** The kernel each batched product ran on, where the engine chose between kernels (tfjs/wasm). */
  kernels: z.array(KernelChoiceSchema).optional(),
  /**
   * The fused attention kernel that ran, as the engine reports it (torch SDPA: flash, efficient, cudnn
   * or math, asked for or chosen by torch); absent where the pass has no fused attention.
   */
  attentionBackend: z.string().optional(),
  /** Latency of one sample (a forward pass, a training step, … as the mode says) over every round's samples, ms. */
  latencyMs: LatencyStatsSchema,
  /** Raw latency samples of every round, ms, sorted ascending. */
  samplesMs: z.array(z.number()),
  /** Every round, in round order (at least one). */
  rounds: z.array(RoundTimingSchema).min(1),
  /** Largest round median / smallest − 1: how far the rounds disagree (0 with one round). */
  roundSpread: z.number(),
  /** Median time of an empty async task through the same timing path, ms (harness overhead). */
  overheadMs: z.number(),
  /** Why this timing should be read with care (rme or spread above thresholds, overhead ≥ 2 %); empty when clean. */
  noisy: z.array(z.string()),
});

export const AccuracySchema = z.union([
  z.object({
    /** ‖y − y_ref‖/‖y_ref‖ against the float64 reference of this variant's own computation. */
    relErr: z.number(),
    /** What the reference is and which rows were compared. */
    reference: z.string(),
    /** ‖y − y_full‖/‖y_full‖ against exact full attention with the base weights. */
    relErrVsFull: z.number(),
  }),
  z.object({ relErr: z.null(), reference: z.string(), relErrVsFull: z.null() }),
]);
export type Accuracy = z.infer<typeof AccuracySchema>;

/** A measured forward pass (src/modes/inference.ts). */
export const OkLineSchema = MeasuredLineSchema.extend({
  mode: z.literal('inference'),
  /** Achieved throughput: flops / median latency, GFLOP/s. */
  gflops: z.number(),
  memory: z.object({
    /** Measured peak memory of one forward pass beyond weights and input, bytes; null when not measured. */
    peakBytes: z.number().nullable(),
    /** How `peakBytes` was measured. */
    source: z.string(),
    /** The variant's analytic peak activation memory in the case's dtype, bytes. */
    analyticBytes: z.number(),
    /** The weights the pass holds (params.inference) in the case's dtype, bytes; absent on older lines. */
    weightsBytes: z.number().optional(),
  }),
  accuracy: AccuracySchema,
});
export type OkLine = z.infer<typeof OkLineSchema>;

/**
 * A measured training step (src/modes/train.ts): forward, loss mean((y − target)²) against a fixed
 * random target of the output's shape, gradients of the trainable weights only, one Adam update.
 * No accuracy is measured; `params.trainable` is checked against the weights the engine actually trains.
 */
export const TrainOkLineSchema = MeasuredLineSchema.extend({
  mode: z.literal('train'),
  train: z.object({
    optimizer: z.literal('adam'),
    learningRate: z.number(),
    /** Loss (mean squared error, dimensionless) at the first step, before any update. */
    lossFirst: z.number(),
    /** Loss at the last counted step, after `steps` − 1 updates. */
    lossLast: z.number(),
    /** Steps the first (untimed) process of the case took, count (older lines: warm-up and timed steps too). */
    steps: z.number(),
    /** What a fine-tuning checkpoint must save, the trainable weights as the engine holds them, bytes. */
    checkpointBytes: z.number(),
  }),
  memory: z.object({
    /** Measured peak memory of one step beyond what is held before it (weights, input, target, optimizer state), bytes. */
    peakBytes: z.number(),
    /** How `peakBytes` was measured. */
    source: z.string(),
    /** Every weight held, trainable and frozen, bytes. */
    weightsBytes: z.number(),
    /** Gradients of the trainable weights, measured from the gradient tensors of one step, bytes. */
    gradientBytes: z.number(),
    /** Adam's moments m and v, measured from the optimizer's own variables, bytes (2 × 4 × trainable parameters). */
    optimizerStateBytes: z.number(),
    /** peakBytes − gradientBytes: what else a step holds at its peak (activations kept for the backward pass, temporaries), bytes. */
    activationBytes: z.number(),
  }),
});
export type TrainOkLine = z.infer<typeof TrainOkLineSchema>;

// ---- Decode (src/modes/decode.ts): its line fields, kept in a block of their own ----

/** What a decode step moves and computes, from the decoder's formulas (src/variants/decode/), float32. */
export const DecodeStepFactsSchema = z.object({
  /** New tokens s per step. */
  newTokens: z.number(),
  /** Context N already in the cache when the step runs (the shape's seqLen). */
  context: z.number(),
  /** Bytes the cache holds at context N: K and V [B, kvHeads, L, E], or the latent [B, 1, L, R], float32. */
  cacheBytes: z.number(),
  /** Bytes one step moves: every weight read, the cache read, the new rows written, and their sum. */
  bytes: z.object({ weights: z.number(), cacheRead: z.number(), cacheWritten: z.number(), total: z.number() }),
  /** FLOPs of one step's matrix products (2 × multiply-adds); the line's `flops` too. */
  flops: z.number(),
  /** flops / bytes.total, FLOP per byte. */
  intensity: z.number(),
  /** How the step holds its cache, e.g. a per-call input of fixed length N, the new rows returned as outputs. */
  cache: z.string(),
  /**
   * ‖y − y_ref‖/‖y_ref‖ of the step's output against rows N+1…N+s of the causal float64 forward over
   * N + s tokens; null when not measured.
   */
  relErr: z.number().nullable(),
  /** What the reference is, or why it was not measured. */
  reference: z.string(),
});
export type DecodeStepFacts = z.infer<typeof DecodeStepFactsSchema>;

/** A decode line's figures from its latency pooled over rounds and the engine's ceilings known when the line was written. */
export const DecodeStepTimedSchema = z.object({
  /** Median time of one step, ms. */
  msPerStep: z.number(),
  /** B·s / step time, tokens per second. */
  tokensPerS: z.number(),
  /** bytes.total / step time, GB/s (10⁹ bytes). */
  achievedGBs: z.number(),
  /** flops / step time, GFLOP/s. */
  gflops: z.number(),
  /**
   * The ideal step max(flops / matmul ceiling, bytes / bandwidth ceiling), ms, the ceilings of the
   * run (run.json, measure/ceiling.ts) as measured before the cases; absent where either was not measured.
   */
  ideal: z.object({
    ms: z.number(),
    /** ideal / measured step time: the fraction of the ideal reached (1 = at the roof). */
    fraction: z.number(),
    /** Which roof sets the ideal. */
    bound: z.enum(['bandwidth', 'compute']),
    /** The bandwidth ceiling used, GB/s, and the size of the streaming read it was measured at, bytes. */
    bandwidthGBs: z.number(),
    bandwidthBytes: z.number(),
    /** The bandwidth-ideal step alone, bytes / bandwidth ceiling, ms, and the fraction of it reached. */
    bandwidthMs: z.number(),
    bandwidthFraction: z.number(),
    /** The matmul ceiling used, GFLOP/s. */
    matmulGflops: z.number(),
  }).optional(),
});
export type DecodeStepTimed = z.infer<typeof DecodeStepTimedSchema>;

/** A measured decode step (src/modes/decode.ts): one sample = one step at context N; `flops` are the step's. */
export const DecodeOkLineSchema = MeasuredLineSchema.extend({
  mode: z.literal('decode'),
  decode: DecodeStepFactsSchema,
  step: DecodeStepTimedSchema,
});
export type DecodeOkLine = z.infer<typeof DecodeOkLineSchema>;

export const FailedLineSchema = LineBaseSchema.extend({
  status: z.enum(['skipped', 'error']),
  /** One line: why the case has no measurement. */
  reason: z.string(),
});
export type FailedLine = z.infer<typeof FailedLineSchema>;

/** One line of results.jsonl (after `migrateLine`). */
export const ResultLineSchema = z.union([OkLineSchema, TrainOkLineSchema, DecodeOkLineSchema, FailedLineSchema]);
export type ResultLine = z.infer<typeof ResultLineSchema>;

/** The fields a mode's measured line has beyond those of every measured line (Mode.lineFields), read from its schema. */
export const ownLineFields = (schema: z.ZodObject): string[] =>
  Object.keys(schema.shape).filter((k) => !(k in MeasuredLineSchema.shape));

/** The measured line of each mode that has fields of its own here, by the mode's name. */
const MEASURED_BY_MODE = new Map<string, z.ZodType>([OkLineSchema, TrainOkLineSchema, DecodeOkLineSchema]
  .map((s) => [s.shape.mode.value, s]));
const StatusSchema = z.object({ status: z.enum(['ok', ...FailedLineSchema.shape.status.options]) });

/**
 * The schema a line is checked against: its status's, and for a measured line its mode's; a mode
 * with no fields of its own here (e.g. a test's, src/modes registerMode) has the common measured fields checked.
 */
function schemaOf(line: unknown): z.ZodType {
  const { success, data } = StatusSchema.safeParse(line);
  if (!success) return StatusSchema;
  if (data.status !== 'ok') return FailedLineSchema;
  const { mode } = line as { mode?: unknown };
  return (typeof mode === 'string' && MEASURED_BY_MODE.get(mode)) || MeasuredLineSchema;
}

/** What is wrong with a (migrated) results line, in one line naming the field and what it expects; undefined when it is well-formed. */
export function lineProblem(line: unknown): string | undefined {
  const parsed = schemaOf(line).safeParse(line);
  return parsed.success ? undefined : firstProblem(parsed.error);
}
