/**
 * Two runs side by side (`npm run compare -- BASE NEW`). Cases are matched by caseId, which is
 * label|engine/backend|shape: the same variant configuration, engine, backend and shape. For each
 * case both runs measured: the medians, their ratio NEW/BASE, and whether the raw samples differ
 * significantly by a two-sided Mann–Whitney U test (stats.ts) at ALPHA. A case is `slower` when
 * the difference is significant and the ratio exceeds the threshold (asv's -f factor), `faster`
 * when significant and below 1/threshold. A case either run's checks mark unreliable (invariants.ts) is
 * `unreliable`, never a regression. Cases found in one run only are listed, never dropped.
 */
import type { ResultLine } from '../results/types.ts';
import { engineOf } from './charts/series.ts';
import { checkInvariants, unreliableCases } from './invariants.ts';
import { mannWhitneyU } from './stats.ts';

export const DEFAULT_THRESHOLD = 1.1;
export const ALPHA = 0.05;

export type Verdict = 'slower' | 'faster' | 'unchanged' | 'not comparable' | 'unreliable';

export interface CaseComparison {
  caseId: string;
  label: string;
  engine: string;
  seqLen: number;
  verdict: Verdict;
  /** Medians (ms), NEW/BASE and the test's p-value, when both runs measured the case. */
  baseMedian?: number;
  newMedian?: number;
  ratio?: number;
  p?: number;
  /** Why a case is not comparable ("NEW: skipped: out of memory") or unreliable (a check of its run failed: invariants.ts). */
  note?: string;
}

export interface Comparison {
  threshold: number;
  alpha: number;
  cases: CaseComparison[];
  onlyInBase: ResultLine[];
  onlyInNew: ResultLine[];
}

/** The last line of each case (a resumed run may hold a case twice). */
function byCase(lines: ResultLine[]): Map<string, ResultLine> {
  return new Map(lines.map((l) => [l.caseId, l]));
}

/** A line with a latency measurement: an inference or a training-step case that ran. */
type Measured = Extract<ResultLine, { status: 'ok' }>;

function compareCase(base: Measured, next: Measured,
  threshold: number): Pick<CaseComparison, 'verdict' | 'baseMedian' | 'newMedian' | 'ratio' | 'p'> {
  const baseMedian = base.latencyMs.median, newMedian = next.latencyMs.median, ratio = newMedian / baseMedian;
  const p = base.samplesMs.length > 0 && next.samplesMs.length > 0 ? mannWhitneyU(base.samplesMs, next.samplesMs).p : 1;
  const significant = p < ALPHA;
  const verdict = significant && ratio > threshold ? 'slower' : significant && ratio < 1 / threshold ? 'faster' : 'unchanged';
  return { verdict, baseMedian, newMedian, ratio, p };
}

export function compareRuns(base: ResultLine[], next: ResultLine[], threshold = DEFAULT_THRESHOLD): Comparison {
  const a = byCase(base), b = byCase(next);
  const unreliable = [unreliableCases(checkInvariants(base)), unreliableCases(checkInvariants(next))];
  const cases = [...a.values()].filter((l) => b.has(l.caseId)).map((l): CaseComparison => {
    const n = b.get(l.caseId)!;
    const id = { caseId: l.caseId, label: l.label, engine: engineOf(l), seqLen: l.shape.seqLen };
    const flagged = [['BASE', unreliable[0]], ['NEW', unreliable[1]]] as const;
    const busy = flagged.flatMap(([name, m]) => (m.has(l.caseId) ? [`${name}: ${m.get(l.caseId)}`] : []));
    if (l.status === 'ok' && n.status === 'ok') {
      const measured = compareCase(l, n, threshold);
      return busy.length === 0 ? { ...id, ...measured } : { ...id, ...measured, verdict: 'unreliable', note: busy.join('; ') };
    }
    const why = (name: string, x: ResultLine) => (x.status === 'ok' ? [] : [`${name}: ${x.status}: ${x.reason}`]);
    return { ...id, verdict: 'not comparable', note: [...why('BASE', l), ...why('NEW', n)].join('; ') };
  }).sort((x, y) => x.label.localeCompare(y.label) || x.engine.localeCompare(y.engine) || x.seqLen - y.seqLen);
  return { threshold, alpha: ALPHA, cases,
    onlyInBase: [...a.values()].filter((l) => !b.has(l.caseId)), onlyInNew: [...b.values()].filter((l) => !a.has(l.caseId)) };
}

/** True when some case is significantly slower than the threshold: the compare command exits 1. */
export const hasRegression = (c: Comparison): boolean => c.cases.some((x) => x.verdict === 'slower');
