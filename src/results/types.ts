/**
 * The results vocabulary, a leaf every layer may use: the shape of a case, the engines found, a
 * case to measure, and one line of results.jsonl (a tagged union on `status`, its types inferred
 * from the zod schemas of line-schema.ts). Units are in the field docs.
 */
import type { EngineInfo } from './engine-record.ts';
import type { DecodeOkLine, OkLine, RoundTiming, TrainOkLine } from './line-schema.ts';
import type { InputSpec, RoundSettings, Shape, TimingSettings, WeightsSpec } from './schema.ts';

export type { EngineInfo, InputSpec, RoundSettings, Shape, TimingSettings, WeightsSpec };
export { RESULT_SCHEMA } from './line-schema.ts';
export type { Accuracy, FailedLine, LatencyStats, OkLine, ParamCount, ResultLine, RoundTiming, ShardTag, TrainOkLine,
  VariantRole } from './line-schema.ts';
export type { DecodeOkLine, DecodeStepFacts, DecodeStepTimed } from './line-schema.ts';
export type { WeightsFileFacts } from './run-meta.ts';

/** Key/value heads of a shape: kvHeads, or heads when absent. */
export function kvHeadsOf(s: Shape): number {
  return s.kvHeads ?? s.heads;
}

/** Width of the K and V projections, kvHeads·E with E = D / H. */
export function kvWidth(s: Shape): number {
  return kvHeadsOf(s) * (s.dModel / s.heads);
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
export type TimingField = 'latencyMs' | 'samplesMs' | 'rounds' | 'roundSpread' | 'gflops' | 'noisy' | 'step';

/**
 * What a case's first process establishes before any round is timed (src/measure/case.ts): counts,
 * checks, accuracy, memory, and the harness's own overhead; every field of its line but the timing ones.
 */
export type CaseFacts = FactsOf<OkLine> | FactsOf<TrainOkLine> | FactsOf<DecodeOkLine>;
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
