/**
 * The results schema, written once as zod schemas: the suite's weights, inputs and timing (parsed
 * strictly from a suite file by src/run/suite.ts), the suite as run.json records it, and the shape
 * and timing of a case; one line of results.jsonl is in line-schema.ts. The TypeScript types of
 * these pieces are inferred from here.
 *
 * Lines are read LOOSE: fields this code does not know (added by newer code or by other modes) are
 * kept, never stripped. Older lines are brought up to date by `migrateLine` (migrate.ts), the one
 * place that knows what older code wrote.
 */
import { z } from 'zod';
import { DTYPES } from './dtype.ts';

const positiveInt = z.number().int().positive();
const oneOrMany = z.union([positiveInt, z.array(positiveInt).min(1)]);
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const DEFAULT_DECAY = 0.5;
export const DEFAULT_RHO = 0.9;
/** Rounds per case when a suite does not say (see src/run/rounds.ts and the README's Measurement section). */
export const DEFAULT_ROUNDS = 3;

const WeightsInitUnion = z.discriminatedUnion('init', [
  z.object({ init: z.literal('gaussian') }).strict(),
  z.object({ init: z.literal('spectrum'), decay: z.number().min(0).default(DEFAULT_DECAY) }).strict(),
  /** One attention layer's weights from a file (src/linalg/weights-file.ts); `prefix` names the layer in it. */
  z.object({ init: z.literal('file'), file: z.string().min(1), prefix: z.string().default('') }).strict(),
]);
/** A suite's `weights`; `{ "file": PATH }` alone reads as `{ "init": "file", "file": PATH }`. */
export const WeightsInitSchema = z.preprocess((v) => (isRecord(v) && 'file' in v && !('init' in v) ? { init: 'file', ...v } : v),
  WeightsInitUnion);
/** Base weights as a suite may write them (defaults not yet filled in). */
export type WeightsInit = z.input<typeof WeightsInitUnion>;
/** Base weights of a suite, defaults filled in (see src/linalg/weights.ts). */
export type WeightsSpec = z.output<typeof WeightsInitUnion>;

export const InputInitSchema = z.discriminatedUnion('input', [
  z.object({ input: z.literal('gaussian') }).strict(),
  z.object({ input: z.literal('correlated'), rho: z.number().min(0).lt(1).default(DEFAULT_RHO) }).strict(),
]);
export type InputInit = z.input<typeof InputInitSchema>;
/** Inputs of a suite, defaults filled in (see src/linalg/weights.ts). */
export type InputSpec = z.output<typeof InputInitSchema>;

/** A suite's timing, each field with its default. */
export const TimingSchema = z.object({
  /** Rounds each case is measured in, interleaved with every other case's (src/run/rounds.ts). */
  rounds: positiveInt.default(DEFAULT_ROUNDS),
  /**
   * Sampling budget of one case in one round, ms: a comparison group's round samples for timeMs ×
   * its cases (measure/group-round.ts), stopping earlier once every case reaches `targetRme`.
   */
  timeMs: positiveInt.default(1000),
  /** Cap of a case's warm-up, ms: it ends once its times stop getting faster (measure/steady.ts) or at this. */
  warmupMs: positiveInt.default(200),
  /** Least warm-up passes of a case, whatever the cap. */
  warmupIterations: positiveInt.default(2),
  /** Minimum number of samples (blocks, in a group's round), whatever the budget. */
  minSamples: positiveInt.default(5),
  /** Sampling stops once the relative margin of error (%) of every case is at or below this. */
  targetRme: z.number().positive().default(2),
  /**
   * Worker processes that may time the comparison groups of a single-threaded engine
   * (Capabilities.singleThreaded: tfjs/wasm) at once within a round, one per CPU core at most (duet
   * benchmarking, Bulej et al. 2020); the other engines' groups run one at a time before them.
   * 1 (the default): every group alone. Measured here, two lanes halve the single-threaded groups' wall
   * time but make each pass noisier, so at equal wall the intervals were no narrower (docs/variance.md).
   */
  lanes: positiveInt.default(1),
}).strict();

/** The clock of the harness's own timing (tinybench around `run()`), used when an engine has no `timeSamples`. */
export const HARNESS_CLOCK = 'performance.now';

/** How latency was measured for a case or a line: the suite's timing and what a sample includes. */
export const TimingSettingsSchema = z.object({
  rounds: TimingSchema.shape.rounds.unwrap(),
  timeMs: TimingSchema.shape.timeMs.unwrap(),
  warmupMs: TimingSchema.shape.warmupMs.unwrap(),
  warmupIterations: TimingSchema.shape.warmupIterations.unwrap(),
  minSamples: TimingSchema.shape.minSamples.unwrap(),
  targetRme: TimingSchema.shape.targetRme.unwrap(),
  /**
   * Whether a sample includes the outputs' download to the host: true for the harness's own timing
   * around a call (the plan's setting); on a measured line, what its rounds' samples were
   * (false where the engine timed itself on its device, Prepared.timeSamples).
   */
  downloadInside: z.boolean(),
  /**
   * The clock a measured line's samples were taken on (HARNESS_CLOCK: the harness's; e.g. `cuda-events`: the
   * engine's); absent before measuring (a case, a skipped or failed line).
   */
  clock: z.string().optional(),
  /** true: each sample replayed the pass captured as a CUDA graph; a string: why not, the pass timed eagerly; absent: no graphs. */
  cudaGraph: z.union([z.literal(true), z.string()]).optional(),
});
export type TimingSettings = z.infer<typeof TimingSettingsSchema>;
/** How one round samples (measure/latency.ts, measure/group-round.ts): the timing settings less the number of rounds. */
export type RoundSettings = Omit<TimingSettings, 'rounds'>;

export const VariantSpecSchema = z.union([
  z.string(),
  z.object({
    name: z.string(),
    options: z.record(z.string(), z.unknown()).default({}),
    /** Overrides the variant's own description in charts and tables. */
    label: z.string().optional(),
  }).strict(),
]);
export type VariantSpec = z.output<typeof VariantSpecSchema>;

/**
 * The fields of a suite (src/run/suite.ts adds the mode registry's check of `modes`, its default, and
 * the cross-field checks): what run.json records after defaults, as `RecordedSuite`.
 */
export const SuiteFields = {
  name: z.string().min(1),
  description: z.string().default(''),
  variants: z.array(VariantSpecSchema).min(1),
  seqLen: z.array(positiveInt).min(1),
  /** Model width, heads and batch: one value, or a list whose every value is swept (with every other). */
  dModel: oneOrMany.default(512),
  heads: oneOrMany.default(8),
  /**
   * Key/value heads (grouped-query attention), each dividing every `heads`; one value or a list to
   * sweep. Absent = heads (multi-head attention).
   */
  kvHeads: oneOrMany.optional(),
  /**
   * New tokens s per decode step (modes that read it: decode), one value or a list to sweep; s > 1 is
   * chunked prefill or speculative decoding's verification. Absent = 1.
   */
  newTokens: oneOrMany.optional(),
  batch: oneOrMany.default(1),
  /** Element type of weights, input and compute (./dtype.ts): one, or a list to sweep. Absent = float32. */
  dtype: z.union([z.enum(DTYPES), z.array(z.enum(DTYPES)).min(1)]).optional(),
  /**
   * Further grids swept beside the suite's own: each entry's fields replace the suite's for that grid,
   * e.g. `[{ seqLen: [4096], kvHeads: 1 }]` adds multi-query at N = 4096 only. A shape flag on the
   * command line (--seq, --batch, --kv-heads, --new-tokens, --heads, --d-model) drops them.
   */
  also: z.array(z.object({ seqLen: z.array(positiveInt).min(1).optional(), dModel: oneOrMany.optional(),
    heads: oneOrMany.optional(), kvHeads: oneOrMany.optional(), newTokens: oneOrMany.optional(), batch: oneOrMany.optional() })
    .strict()).optional(),
  /**
   * Causal (decoder) attention: query i attends keys j ≤ i. `true`, `false`, or both ([false, true])
   * to sweep each shape both ways; absent = bidirectional only.
   */
  causal: z.union([z.boolean(), z.array(z.boolean()).min(1)]).optional(),
  /** `tfjs`, `onnx`, `all` or `engine/backend` ids; absent = the fastest engine here. */
  engines: z.array(z.string()).optional(),
  seed: z.number().int().default(1),
  /** What each case measures, by mode (src/modes: `inference`, a forward pass; `train`, a training step; …). */
  modes: z.array(z.string()).min(1),
  /** Base weights every variant of a case starts from (see src/linalg/weights.ts). */
  weights: WeightsInitSchema.default({ init: 'gaussian' }),
  /** Inputs of the cases (see src/linalg/weights.ts). */
  input: InputInitSchema.default({ input: 'gaussian' }),
  timing: TimingSchema.default(TimingSchema.parse({})),
};
/** run.json's `suite`, as recorded (defaults filled in). */
export const RecordedSuiteSchema = z.object(SuiteFields);
/** The suite as run.json records it, after defaults and command-line overrides (src/run/suite.ts validates it). */
export type RecordedSuite = z.output<typeof RecordedSuiteSchema>;

/** Shape letters as in src/engine/ops.ts: B batch, N sequence length, D model width, H heads. */
export const ShapeSchema = z.looseObject({
  batch: z.number(),
  seqLen: z.number(),
  dModel: z.number(),
  heads: z.number(),
  /**
   * Causal (decoder) attention: query i attends keys j ≤ i only. Absent = false (bidirectional),
   * so the case ids of bidirectional cases stay as they were.
   */
  causal: z.boolean().optional(),
  /**
   * Key/value heads (grouped-query attention, Ainslie et al. 2023): each group of heads / kvHeads
   * query heads shares one K/V head; must divide heads. Absent = heads (multi-head attention), so
   * the case ids of multi-head cases stay as they were; 1 is multi-query attention (Shazeer 2019).
   */
  kvHeads: z.number().optional(),
  /** Decode mode (src/modes/decode.ts): new tokens s per step, seqLen N being the context in the cache. Absent = 1. */
  newTokens: z.number().optional(),
  /** Element type of weights, input and compute (./dtype.ts). Absent = float32, so float32 case ids stay as they were. */
  dtype: z.enum(DTYPES).optional(),
});
export type Shape = z.infer<typeof ShapeSchema>;

/** What is wrong with a value that fails a schema, in one line: the first issue's field and message. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue.path.length ? `field ${issue.path.join('.')}: ${issue.message}` : issue.message;
}
