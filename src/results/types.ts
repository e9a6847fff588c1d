/**
 * The results vocabulary, a leaf every layer may use: the shape of a case, the engines found, a
 * case to measure, and one line of results.jsonl (a tagged union on `status`). Units are in the
 * field docs. Schema version 1; adding optional fields keeps it, renaming or removing fields bumps it.
 */
import type { ShardTag } from './group.ts';
import type { InputSpec, Shape, TimingSettings, WeightsSpec } from './schema.ts';
import type { Dtype } from './dtype.ts';

export type { InputSpec, ShardTag, Shape, TimingSettings, WeightsSpec };

/** Key/value heads of a shape: kvHeads, or heads when absent. */
export function kvHeadsOf(s: Shape): number {
  return s.kvHeads ?? s.heads;
}

/** Width of the K and V projections, kvHeads·E with E = D / H. */
export function kvWidth(s: Shape): number {
  return kvHeadsOf(s) * (s.dModel / s.heads);
}

/**
 * What a variant is to the report: the baseline (exact full attention), an adapter (fine-tuning
 * weights on top of the baseline), an approximation (computes less, differs from the baseline), or
 * exact-efficient (the baseline's output, computed otherwise).
 */
export type VariantRole = 'baseline' | 'adapter' | 'approximation' | 'exact-efficient';

export interface ParamCount {
  /** Every parameter the method defines (incl. adapters and frozen base weights). */
  total: number;
  /** Parameters a fine-tuning run updates. */
  trainable: number;
  /** Parameters held by the forward pass at inference time. */
  inference: number;
}

/** What an engine/backend can do; a case that needs more is skipped with the reason. */
export interface Capabilities {
  /** Can compute gradients (training mode). */
  gradients: boolean;
  /** How peak memory is measured on this engine (recorded as `memory.source`). */
  memorySource: string;
  /**
   * Environment of the process that checks a case (peak memory among its checks), when the
   * settings the method needs would slow the timed runs (onnx: glibc's fixed mmap threshold);
   * timing rounds never run with it. Absent = the checks run in a plain process.
   */
  memoryProcessEnv?: Record<string, string>;
  /** Node/V8 flags of the worker processes that run its cases, chosen for stable timing (tfjs/wasm: no wasm tier-up). */
  processFlags?: string[];
  /**
   * The engine runs a fused attention kernel (Ops.attention: softmax(Q·Kᵀ/√E)·V per head without
   * an N×N matrix held by the graph); absent = it has none.
   */
  fusedAttention?: boolean;
  /**
   * The fused attention kernels a case may ask for by name (Ops.attention's `backend`; torch ≥ 2.0:
   * SDPA's flash, efficient, cudnn, math); absent = none to choose from (the engine's own choice only).
   */
  attentionBackends?: string[];
  /** Element types the engine computes in (src/results/dtype.ts); absent = float32 only. */
  dtypes?: Dtype[];
  /** Why the engine does not compute in a dtype it lacks, as its probe found (e.g. torch/cpu float16: "not implemented for 'Half'"). */
  dtypeReasons?: Partial<Record<Dtype, string>>;
  /** How to read the engine's measured training memory, when it needs saying (the report shows it beside the chart). */
  trainingMemoryNote?: string;
}

/** One engine/backend as found on this machine. */
export interface EngineInfo {
  /** The engine's registry name, e.g. `onnx`, `tfjs`. */
  engine: string;
  backend: string;
  /** `engine/backend`, e.g. `onnx/cpu`. */
  id: string;
  /** Lower runs first when the user does not choose; see src/engine/registry.ts. */
  priority: number;
  available: boolean;
  /** Why it is not available (one line), when it is not. */
  reason?: string;
  version?: string;
  /** `cpu` | `cuda`. */
  device?: string;
  /** Threads the engine computes with (intra-op), where it says. */
  threads?: number;
  /** Engine settings chosen for stable timing, as the engine runs with them (onnx/cpu: idle threads spinning or not; docs/variance.md). */
  settings?: Record<string, string>;
  capabilities?: Capabilities;
}

/** What run.json records about base weights read from a file (src/linalg/weights-record.ts). */
export interface WeightsFileFacts {
  /** The file's (or folder's) name, without its directory. */
  basename: string;
  /** Hex sha256 of the file; of a folder: of each .npy file's name and bytes, in name order. */
  sha256: string;
  format: 'safetensors' | 'npz' | 'npy folder';
  /** Naming scheme found (pytorch-mha, hf-bert, hf-gpt2, hf-llama, attnbench) and the layer prefix used. */
  scheme: string;
  prefix: string;
  dModel: number;
  /** Width of the K and V projections when narrower than D (a grouped-query layer: kvHeads·E); absent = D. */
  kvWidth?: number;
  /** Element types of the tensors read, each converted to float32 (F32, F16, BF16, F64). */
  dtypes: string[];
  /** False when the file holds no biases (zeros were used). */
  biases: boolean;
  /**
   * Singular values of Wq, Wk, Wv, Wo, descending; absent above a width where the exact SVD would take
   * minutes (then `spectrumSkipped` says why).
   */
  spectrum?: Record<'q' | 'k' | 'v' | 'o', number[]>;
  spectrumSkipped?: string;
}
export const RESULT_SCHEMA = 1;

/** What a case measures: a mode's name from the registry (src/modes: `inference`, a forward pass; `train`, a training step). */
export type CaseMode = string;

/**
 * One case: a variant configuration × an engine/backend × a shape × a mode. Its checks run in a
 * process of its own; each timing round runs in that round's worker, shared with other cases.
 */
export interface Case {
  caseId: string;
  runId: string;
  mode: CaseMode;
  variant: string;
  options: Record<string, unknown>;
  label: string;
  engine: EngineInfo;
  shape: Shape;
  seed: number;
  weights: WeightsSpec;
  input: InputSpec;
  timing: TimingSettings;
}

/**
 * The kernel one batched matrix product ran on, where an engine has two (tfjs/wasm: one 2-D XNNPACK
 * product per batch entry, `loop`, or the native batched kernel, `batched`), and the timings the
 * choice was made from (src/engine/tfjs-kernels.ts).
 */
export interface KernelChoice {
  /** The product, e.g. "[8,1024,64]·[8,1024,64]ᵀ". */
  product: string;
  kernel: 'loop' | 'batched';
  /** Fastest of the timed runs of each kernel, ms; null where a kernel was abandoned as far slower. */
  loopMs: number | null;
  batchedMs: number | null;
  /**
   * `measured` in this process, or read from the per-machine cache (`cached`, measured at
   * `measuredAt`), or `forced` by ATTNBENCH_TFJS_KERNEL (then neither kernel was timed).
   */
  source: 'measured' | 'cached' | 'forced';
  measuredAt?: string;
}

interface LineBase {
  schema: typeof RESULT_SCHEMA;
  runId: string;
  /** Stable key of the case within a run: variant, label, engine and shape (and `train` for train cases). */
  caseId: string;
  /** Lines written before training steps were measured have none: readers normalise them to `inference`. */
  mode: CaseMode;
  variant: string;
  options: Record<string, unknown>;
  /** Human-readable configuration, e.g. "LoRA r=8 α=16 on q,v (unmerged)". */
  label: string;
  /**
   * The variant's role (src/variants/types.ts) and the variant whose graph this configuration runs
   * unchanged (Variant.sameGraphAs), as the run's code said: the report reads them from here, so
   * an old run's report rebuilt by newer code gives the same findings. Absent on older lines (readers
   * then ask the registry).
   */
  role?: VariantRole;
  sameGraphAs?: string;
  /** `tfjs` | `onnx`. */
  engine: string;
  /** e.g. `wasm`, `cpu`, `tensorflow-gpu`. */
  backend: string;
  /** `cpu` | `cuda`. */
  device: string;
  shape: Shape;
  /** Parameter counts (elements); null when they depend on weights the case never built. */
  params: ParamCount | null;
  /** FLOPs of one forward pass (2 × multiply-adds of the matrix products); null as for params. */
  flops: number | null;
  /**
   * Set when a variant meant to compute less than the baseline does not at this shape (its FLOPs are
   * not below full attention's, e.g. Linformer with k = N): why, e.g. "not efficient at this N: 1.20× full's FLOPs".
   */
  notEfficient?: string;
  timing: TimingSettings;
  /** ISO time the case finished. */
  finishedAt: string;
  /** The shard and machine that measured the case: on lines of a merged run (src/run/merge.ts) only. */
  shard?: ShardTag;
}

export interface LatencyStats {
  /** All in milliseconds per forward pass, except `rme` (%) and `samples` (count). */
  median: number;
  mean: number;
  p25: number;
  p75: number;
  p99: number;
  min: number;
  max: number;
  /** Relative margin of error of the mean at 95 % confidence, %. */
  rme: number;
  samples: number;
}

/**
 * One timing round of a case: prepared afresh in that round's worker process, warmed up and
 * sampled, while every other case of the run had its round of the same index (src/run/rounds.ts).
 */
export interface RoundTiming {
  /** 1-based. */
  round: number;
  /** When sampling began and ended (ISO 8601, wall clock). */
  startedAt: string;
  endedAt: string;
  /** Median of this round's samples, ms. */
  median: number;
  /**
   * This round's raw samples, ms: sorted ascending, or, when `pairedBlocks`, in block order (sample i
   * was taken in block i, beside the block's sample of every other case of its comparison group).
   */
  samplesMs: number[];
  /** The round sampled the group's cases in shuffled blocks of one pass each (measure/group-round.ts); absent on older lines. */
  pairedBlocks?: boolean;
  /** The round's warm-up: passes run, whether the times had stopped getting faster (measure/steady.ts), ms spent. */
  warmup?: { passes: number; steady: boolean; ms: number };
  /** The clock the samples were taken on (see TimingSettings.clock); absent on older rounds: the harness's. */
  clock?: string;
  /** Whether each sample includes the outputs' download to the host; absent on older rounds: true. */
  downloadInside?: boolean;
  /** The engine replayed a CUDA graph for each sample (true), or why not (see TimingSettings.cudaGraph). */
  cudaGraph?: true | string;
}

/** What every measured line has, inference or training. */
interface MeasuredLine extends LineBase {
  status: 'ok';
  params: ParamCount;
  /** FLOPs of one forward pass (a training step's backward is not counted). */
  flops: number;
  /** Variant-specific facts about the configuration, e.g. `svd`: rank, energy, error per target. */
  details?: Record<string, unknown>;
  /** The kernel each batched product ran on, where the engine chose between kernels (tfjs/wasm). */
  kernels?: KernelChoice[];
  /**
   * The fused attention kernel that ran, as the engine reports it (torch SDPA: flash, efficient, cudnn
   * or math, asked for or chosen by torch); absent where the pass has no fused attention.
   */
  attentionBackend?: string;
  /** Latency of one forward pass (inference) or one training step over every round's samples, ms. */
  latencyMs: LatencyStats;
  /** Raw latency samples of every round, ms, sorted ascending. */
  samplesMs: number[];
  /** Every round, in round order; absent on lines written before rounds (readers treat those as one round of `samplesMs`). */
  rounds?: RoundTiming[];
  /** Largest round median / smallest − 1: how far the rounds disagree (0 with one round). */
  roundSpread?: number;
  /** Median time of an empty async task through the same timing path, ms (harness overhead). */
  overheadMs: number;
  /** Why this timing should be read with care (rme or spread above thresholds, overhead ≥ 2 %); absent when clean. */
  noisy?: string[];
}

export interface OkLine extends MeasuredLine {
  mode: 'inference';
  /** Achieved throughput: flops / median latency, GFLOP/s. */
  gflops: number;
  memory: {
    /** Measured peak memory of one forward pass beyond weights and input, bytes; null when not measured. */
    peakBytes: number | null;
    /** How `peakBytes` was measured. */
    source: string;
    /** The variant's analytic peak activation memory in the case's dtype, bytes. */
    analyticBytes: number;
    /** The weights the pass holds (params.inference) in the case's dtype, bytes; absent on older lines. */
    weightsBytes?: number;
  };
  accuracy: Accuracy;
}

export type Accuracy =
  | {
      /** ‖y − y_ref‖/‖y_ref‖ against the float64 reference of this variant's own computation. */
      relErr: number;
      /** What the reference is and which rows were compared. */
      reference: string;
      /** ‖y − y_full‖/‖y_full‖ against exact full attention with the base weights. */
      relErrVsFull: number;
    }
  | { relErr: null; reference: string; relErrVsFull: null };

/**
 * A measured training step: forward, loss mean((y − target)²) against a fixed random target of the
 * output's shape, gradients of the trainable weights only, one Adam update. No accuracy is measured.
 */
export interface TrainOkLine extends MeasuredLine {
  /** `params.trainable` is checked against the weights the engine actually trains (its variables). */
  mode: 'train';
  train: {
    optimizer: 'adam';
    learningRate: number;
    /** Loss (mean squared error, dimensionless) at the first step, before any update. */
    lossFirst: number;
    /** Loss at the last counted step, after `steps` − 1 updates. */
    lossLast: number;
    /** Steps the first (untimed) process of the case took, count (older lines: warm-up and timed steps too). */
    steps: number;
    /** What a fine-tuning checkpoint must save, the trainable weights as the engine holds them, bytes. */
    checkpointBytes: number;
  };
  memory: {
    /** Measured peak memory of one step beyond what is held before it (weights, input, target, optimizer state), bytes. */
    peakBytes: number;
    /** How `peakBytes` was measured. */
    source: string;
    /** Every weight held, trainable and frozen, bytes. */
    weightsBytes: number;
    /** Gradients of the trainable weights, measured from the gradient tensors of one step, bytes. */
    gradientBytes: number;
    /** Adam's moments m and v, measured from the optimizer's own variables, bytes (2 × 4 × trainable parameters). */
    optimizerStateBytes: number;
    /** peakBytes − gradientBytes: what else a step holds at its peak (activations kept for the backward pass, temporaries), bytes. */
    activationBytes: number;
  };
}

export interface FailedLine extends LineBase {
  status: 'skipped' | 'error';
  /** One line: why the case has no measurement. */
  reason: string;
}

export type ResultLine = OkLine | TrainOkLine | FailedLine;

/** The fields of a measured line that its timing rounds give; everything else its first, untimed process establishes. */
export type TimingField = 'latencyMs' | 'samplesMs' | 'rounds' | 'roundSpread' | 'gflops' | 'noisy';

/**
 * What a case's first process establishes before any round is timed (src/measure/case.ts): counts,
 * checks, accuracy, memory, and the harness's own overhead; every field of its line but the timing ones.
 */
export type CaseFacts = Omit<OkLine, TimingField> | Omit<TrainOkLine, TimingField>;

/**
 * One line of rounds.jsonl, the journal of a run (src/run/rounds.ts): a case's facts (round 0, its
 * untimed first process), a timing round, or why a timing round failed. A case's results line is
 * written once its last round is in the journal.
 */
export type RoundRecord =
  | { caseId: string; round: 0; facts: CaseFacts }
  | { caseId: string; round: number; timing: RoundTiming }
  | { caseId: string; round: number; error: string };
