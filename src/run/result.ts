/**
 * One line of results.jsonl: a tagged union on `status`. Units are in the field docs.
 * Schema version 1; adding optional fields keeps it, renaming or removing fields bumps it.
 */
import type { ParamCount, Shape } from '../variants/types.ts';

export const RESULT_SCHEMA = 1;

/** What a case measures: one forward pass, or one training step (see TrainOkLine). */
export type CaseMode = 'inference' | 'train';

/** How latency was measured for this line. */
export interface TimingSettings {
  /** Time budget for the sampling phase, ms (stops earlier once `targetRme` is reached). */
  timeMs: number;
  /** Warm-up budget, ms (tinybench warm-up; at least `warmupIterations` calls). */
  warmupMs: number;
  warmupIterations: number;
  /** Minimum number of samples, whatever the budget. */
  minSamples: number;
  /** Sampling stops once the relative margin of error (%) is at or below this. */
  targetRme: number;
  /** Whether the output download to the host is inside the timed region (always true). */
  downloadInside: boolean;
}

interface LineBase {
  schema: typeof RESULT_SCHEMA;
  runId: string;
  /** Stable key of the case within a run: variant, label, engine and shape (and `train` for train cases). */
  caseId: string;
  /** Absent on lines written before training steps were measured: those are inference. */
  mode?: CaseMode;
  variant: string;
  options: Record<string, unknown>;
  /** Human-readable configuration, e.g. "LoRA r=8 α=16 on q,v (unmerged)". */
  label: string;
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
  timing: TimingSettings;
  /** ISO time the case finished. */
  finishedAt: string;
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

/** What every measured line has, inference or training. */
interface MeasuredLine extends LineBase {
  status: 'ok';
  params: ParamCount;
  /** FLOPs of one forward pass (a training step's backward is not counted). */
  flops: number;
  /** Variant-specific facts about the configuration, e.g. `svd`: rank, energy, error per target. */
  details?: Record<string, unknown>;
  /** Latency of one forward pass (inference) or one training step, ms. */
  latencyMs: LatencyStats;
  /** Raw latency samples, ms, sorted ascending. */
  samplesMs: number[];
  /** Median time of an empty async task through the same timing path, ms (harness overhead). */
  overheadMs: number;
  /** Why this timing should be read with care (rme or spread above thresholds, overhead ≥ 2 %); absent when clean. */
  noisy?: string[];
}

export interface OkLine extends MeasuredLine {
  mode?: 'inference';
  /** Achieved throughput: flops / median latency, GFLOP/s. */
  gflops: number;
  memory: {
    /** Measured peak memory of one forward pass beyond weights and input, bytes; null when not measured. */
    peakBytes: number | null;
    /** How `peakBytes` was measured. */
    source: string;
    /** The variant's analytic peak activation memory, bytes. */
    analyticBytes: number;
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
    /** Steps from the first to the last counted one (warm-up and timed steps), count. */
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
