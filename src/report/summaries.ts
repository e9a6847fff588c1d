/**
 * The comparisons of one subject on one engine across N, summed up: their trend as data (from which
 * N on the subject is faster at every larger N measured, or that it never is), with what to read
 * with care, worded once (trendText, summaryBody). Built from the verdicts alone (findings.ts).
 */
import type { Verdict } from './paired.ts';
import type { Finding } from './findings.ts';

/** How a subject's verdicts run over N, as data; `trendText` words it. */
export type Trend =
  | { kind: 'faster-everywhere'; from: number; to: number }
  | { kind: 'faster-from'; seqLen: number }
  | { kind: 'slower-everywhere' }
  | { kind: 'no-difference-anywhere' }
  | { kind: 'not-faster-at-largest'; seqLen: number; verdict: Verdict };

/** The comparisons of one subject on one engine, across N, with a sentence built from their verdicts only. */
export interface SubjectSummary {
  question: string;
  subject: string;
  engine: string;
  /** From which N on the subject is faster at every larger N measured, or that it never is. */
  trend: Trend;
  /** What to read with care: N where it saves no work, comparisons the busy machine made unreliable. */
  notes: string[];
  /** `${subject} on ${engine}: ${summaryBody}`. */
  summary: string;
  comparisons: Finding[];
}

/** The trend of comparisons sorted by N: the longest run of "faster" that ends at the largest N decides. */
function trendOf(byN: Finding[]): Trend {
  let from = byN.length;
  while (from > 0 && byN[from - 1].verdict === 'faster') from--;
  const last = byN.at(-1)!;
  if (from === 0) return { kind: 'faster-everywhere', from: byN[0].seqLen, to: last.seqLen };
  if (from < byN.length) return { kind: 'faster-from', seqLen: byN[from].seqLen };
  if (byN.every((f) => f.verdict === 'slower')) return { kind: 'slower-everywhere' };
  if (byN.every((f) => f.verdict === 'no measurable difference')) return { kind: 'no-difference-anywhere' };
  return { kind: 'not-faster-at-largest', seqLen: last.seqLen, verdict: last.verdict };
}

const TREND_TEXT: { [K in Trend['kind']]: (t: Extract<Trend, { kind: K }>) => string } = {
  'faster-everywhere': (t) => `faster at every N measured (N=${t.from}–${t.to})`,
  'faster-from': (t) => `faster from N=${t.seqLen} on, at every larger N measured`,
  'slower-everywhere': () => 'slower at every N measured',
  'no-difference-anywhere': () => 'no measurable difference at any N measured',
  'not-faster-at-largest': (t) => `not faster at the largest N measured (N=${t.seqLen}: ${t.verdict})`,
};

export const trendText = (t: Trend): string => (TREND_TEXT[t.kind] as (x: Trend) => string)(t);

/** The summary after its subject: the trend and its notes, one sentence. */
export const summaryBody = (s: Pick<SubjectSummary, 'trend' | 'notes'>): string =>
  `${trendText(s.trend)}${s.notes.length > 0 ? ` (${s.notes.join('; ')})` : ''}.`;

export function summaries(found: Finding[]): SubjectSummary[] {
  const groups = new Map<string, Finding[]>();
  const key = (f: Finding) => JSON.stringify([f.subject, f.yardstick && f.baseline, f.engine, f.batch, f.dModel, f.heads]);
  for (const f of found) groups.set(key(f), [...(groups.get(key(f)) ?? []), f]);
  return [...groups.values()].map((fs) => {
    const byN = [...fs].sort((a, b) => a.seqLen - b.seqLen), last = byN.at(-1)!;
    const busy = byN.filter((f) => f.unreliable).length, wasteful = byN.filter((f) => f.notEfficient);
    const notes = [...(wasteful.length > 0 ? [`not efficient at N=${wasteful.map((f) => f.seqLen).join(', ')}: `
      + `its FLOPs there are not below the baseline's`] : []),
    ...(busy > 0 ? [`${busy} of ${byN.length} comparisons unreliable: see the run's checks`] : [])];
    const trend = trendOf(byN);
    return { question: last.question, subject: last.subject, engine: last.engine, trend, notes, comparisons: byN,
      summary: `${last.subject}${last.yardstick ? ` vs ${last.baseline}` : ''} on ${last.engine}: ${summaryBody({ trend, notes })}` };
  });
}
