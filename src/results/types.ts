/**
 * The results vocabulary, a leaf every layer may use: the shape of a case, the engines found, a
 * case to measure, and one line of results.jsonl (a tagged union on `status`, its types inferred
 * from the zod schemas of line-schema.ts). Units are in the field docs.
 */
import type { EngineInfo } from './engine-record.ts';
import type { OkLine, RoundTiming, TrainOkLine } from './line-schema.ts';
import type { InputSpec, RoundSettings, Shape, TimingSettings, WeightsSpec } from './schema.ts';

export type { EngineInfo, InputSpec, RoundSettings, Shape, TimingSettings, WeightsSpec };
export { RESULT_SCHEMA } from './line-schema.ts';
export type { Accuracy, FailedLine, LatencyStats, OkLine, ParamCount, ResultLine, RoundTiming, ShardTag, TrainOkLine,
  VariantRole } from './line-schema.ts';

/** Key/value heads of a shape: kvHeads, or heads when absent. */
export function kvHeadsOf(s: Shape): number {
  return s.kvHeads ?? s.heads;
}

/** Width of the K and V projections, kvHeads·E with E = D / H. */
export function kvWidth(s: Shape): number {
  return kvHeadsOf(s) * (s.dModel / s.heads);
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

/** The fields of a measured line that its timing rounds give; everything else its first, untimed process establishes. */
export type TimingField = 'latencyMs' | 'samplesMs' | 'rounds' | 'roundSpread' | 'gflops' | 'noisy';

/**
 * What a case's first process establishes before any round is timed (src/measure/case.ts): counts,
 * checks, accuracy, memory, and the harness's own overhead; every field of its line but the timing ones.
 */
export type CaseFacts = FactsOf<OkLine> | FactsOf<TrainOkLine>;
/** A measured line less its timing fields, its `timing` the case's (no clock yet: no sample was timed). */
type FactsOf<L> = Omit<L, TimingField | 'timing'> & { timing: TimingSettings };

/**
 * One line of rounds.jsonl, the journal of a run (src/run/rounds.ts): a case's facts (round 0, its
 * untimed first process), a timing round, or why a timing round failed. A case's results line is
 * written once its last round is in the journal.
 */
export type RoundRecord =
  | { caseId: string; round: 0; facts: CaseFacts }
  | { caseId: string; round: number; timing: RoundTiming }
  | { caseId: string; round: number; error: string };
