/**
 * What a mode is (src/modes/index.ts holds the registry): what a case of it measures, from the plan
 * to the report. A mode is one file in src/modes/ and one line in index.ts; nothing outside this
 * folder compares mode names.
 */
import type { CaseOutcome } from '../measure/case.ts';
import type { TimedSubject } from '../measure/group-round.ts';
import type { Ceiling } from '../results/run-meta.ts';
import type { Case, CaseFacts, LatencyStats, ResultLine, Shape } from '../results/types.ts';

export interface Mode {
  /** The name suites list under `modes` and lines carry as `mode`, e.g. `inference`. */
  name: string;
  /** One line for --help and the report. */
  summary: string;
  /** What one latency sample is, e.g. "one forward pass, the output downloaded to the host". */
  sample: string;
  /** Appended to a case id (src/run/plan.ts); '' keeps the ids of the first mode as they always were. */
  caseIdSuffix: string;
  /**
   * Shape fields whose values one round times together, in the same blocks (src/run/rounds.ts, groupOf):
   * decode's seqLen, so a step at two contexts is paired block by block (a sliding window's constant
   * cost per token). Absent: each shape is timed in a group of its own. The report still compares
   * variants at one shape only (src/results/group.ts).
   */
  timedAcross?: ReadonlyArray<keyof Shape>;
  /** Its sample reads the shape's newTokens (decode: s tokens a step); absent = the planner sweeps no newTokens for it. */
  readsNewTokens?: boolean;
  /**
   * The fields a measured line of this mode has beyond those of every measured line (src/results/line-schema.ts,
   * MeasuredLineSchema), e.g. `accuracy`: read from the mode's line schema there (ownLineFields), where it has one.
   */
  lineFields: readonly string[];
  /** Analytic memory a case budgets, over one forward pass's (the --max-memory preflight, pod sizes). */
  memoryFactor: number;
  /**
   * Analytic memory of one sample, bytes, where the mode knows it better than memoryFactor × the
   * forward's peak (a decode step holds its weights and cache, never an N × N matrix); undefined = unknown.
   */
  memoryBytes?(c: Case): number | undefined;
  /** FLOPs a case computes per sample, over one forward pass's (shard balancing: a prediction only). */
  flopsFactor: number;
  /** FLOPs of one sample by the mode's own formulas (a decode step's), where a forward pass's are not its sample's (--plan). */
  sampleFlops?(c: Case): number | undefined;
  /**
   * Why this mode cannot run the case on its engine or with its variant (e.g. an engine without
   * gradients cannot train), before any process starts; the case then gets a `skipped` line with
   * this reason. Undefined when it can.
   */
  unsupported(c: Case): string | undefined;
  /** The case's first, untimed process: counts, a first sample, the reference check, memory. */
  check(c: Case): Promise<CaseOutcome>;
  /**
   * The case prepared for a timing round in this process: what one sample runs (`pass`), the engine's
   * own timing where it has one; measure/group-round.ts warms it up and samples it beside its group.
   */
  subject(c: Case): Promise<TimedSubject & { dispose(): Promise<void> }>;
  /**
   * The line fields this mode derives from the latency pooled over rounds (e.g. GFLOP/s), beyond the
   * facts; `ceiling` is the engine's (run.json) as known when the line is written, where measured.
   */
  timedFields(facts: CaseFacts, latency: LatencyStats, ceiling?: Ceiling): Record<string, unknown>;
  /**
   * Bytes one sample of the case streams through memory (a decode step's weights and cache), where the
   * mode is bandwidth-bound: the run measures its engine's bandwidth ceiling at that size (measure/ceiling.ts).
   */
  workingSetBytes?(c: Case): number | undefined;
  /** What the progress display says once the checks passed, e.g. "checked: rel. error … 1e-7". */
  checked(facts: CaseFacts): string;
  report: ModeReport;
}

/** What a mode contributes to a run's page (src/report). */
export interface ModeReport {
  /**
   * Its measured lines are forward passes with their accuracy and throughput (OkLine): drawn in the
   * latency, memory, throughput and accuracy charts, compared in the findings, checked against the
   * matmul ceiling, fitted for scaling. A mode that is not one is reported in a section of its own.
   */
  forwardPass: boolean;
  /** Added to a case's name where lines of several modes meet (the timeline), e.g. " · train"; '' for none. */
  tag: string;
  /** Sentences on its lines the report lists in its section (beyond the section's table); none by default. */
  findings?(lines: ResultLine[]): string[];
}
