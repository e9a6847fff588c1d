/**
 * Findings: the questions people ask about these methods, answered from the run's data by fixed
 * rules. Pure: lines (and run.json) in, findings out.
 *
 * Comparisons (findings.json, one object per comparison): every non-baseline inference case
 * against full attention at the same engine and shape (a yardstick the other way round: full
 * against the engine's own plain module), as a paired ratio of latencies with its 95 % interval
 * and a verdict (paired.ts): "faster" or "slower" only when the interval excludes 1 and the effect
 * is at least MIN_EFFECT, else "no measurable difference". A case the invariants mark unreliable
 * (invariants.ts) says so beside its verdict.
 *
 * Facts (measured without noise, so stated as they are):
 *   adapter-params  per adapter configuration: extra parameters at inference and trainable ones.
 *   accuracy        per approximation: relative error vs exact full attention at its largest N (and
 *                   its range over N); SVD adds its retained spectral energy.
 *   full-scaling    per engine: full attention's fitted exponents of latency and peak memory in N
 *                   (scaling.ts: the largest FIT_POINTS sequence lengths).
 *   exact-efficient per exact-efficient configuration (flash) and engine: at each N, its paired
 *                   latency ratio vs full (with the interval) and its measured peak memory vs full's,
 *                   and from which N on it is faster.
 * A question whose data the run lacks is left out, never guessed.
 */
import type { RunMeta } from '../results/run-meta.ts';
import type { OkLine, ResultLine } from '../results/types.ts';
import { meantToSaveWorkLine, roleOfLine } from './roles.ts';
import { engineOf, vsFull, type VsFull } from './charts/series.ts';
import { count, sig, signedCount, times } from './format.ts';
import { pairedRatio, verdictOf, type Verdict } from './paired.ts';
import { UNRELIABLE } from './invariants.ts';
import { summaries, summaryBody } from './summaries.ts';
import { scalingFits } from './scaling.ts';

/** One comparison, as findings.json holds it. */
export interface Finding {
  question: string;
  /** The variant configuration compared (its label) and the one it is compared with. */
  subject: string;
  baseline: string;
  /** engine/backend id. */
  engine: string;
  seqLen: number;
  /** The rest of the shape: model width, heads, batch. */
  dModel: number;
  heads: number;
  batch: number;
  /** Paired ratio of latencies, subject / baseline (below 1: the subject is faster). */
  ratio: number;
  /** 95 % interval of `ratio`. */
  ci: [number, number];
  verdict: Verdict;
  /** Rounds the ratio is built from. */
  rounds: number;
  /** What the page shows. */
  text: string;
  /** Why this comparison is unreliable (a case of it failed an invariant), when it is. */
  unreliable?: string;
  /** Why the subject saves no work at this N (its FLOPs are not below the baseline's), when it does not. */
  notEfficient?: string;
  /** The baseline is the engine's own plain module (a yardstick line) and the subject full attention, held against it. */
  yardstick?: true;
}

/** A measured fact that is not a comparison of timings. */
export interface Fact {
  id: 'adapter-params' | 'accuracy' | 'full-scaling' | 'exact-efficient';
  question: string;
  /** One sentence per configuration or engine, numbers included. */
  answers: string[];
}

export const QUESTIONS = {
  adapter: 'Does the adapter change inference latency?',
  efficient: 'Is the efficient variant faster than full attention?',
  yardstick: 'How does full attention compare with the engine\'s own plain attention module?',
} as const;

const roleOf = roleOfLine;

/** `ratio 0.66, 95 % CI 0.64–0.68` and what it means. */
export function verdictText(verdict: Verdict, ratio: number, ci: [number, number]): string {
  const numbers = `latency ratio ${sig(ratio, 3)}, 95 % CI ${sig(ci[0], 3)}–${sig(ci[1], 3)}`;
  if (verdict === 'faster') return `faster, ${times(1 / ratio)} speed-up (${numbers})`;
  if (verdict === 'slower') return `slower, ${times(ratio)} the latency (${numbers})`;
  return `no measurable difference (${numbers})`;
}

/**
 * The two lines of a comparison, subject first, and its question: a variant against full, except a
 * yardstick, which full is held against (full's latency over the engine's own module's).
 */
function oriented({ line, full }: VsFull): { subject: OkLine; baseline: OkLine; question: string } {
  const role = roleOf(line);
  if (role === 'yardstick') return { subject: full, baseline: line, question: QUESTIONS.yardstick };
  return { subject: line, baseline: full, question: role === 'adapter' ? QUESTIONS.adapter : QUESTIONS.efficient };
}

/** Every comparison of the run, ordered by subject, engine and N. */
export function comparisons(lines: ResultLine[], unreliable: ReadonlyMap<string, string> = new Map()): Finding[] {
  return sortPairs(vsFull(lines)).flatMap((pair) => {
    const { subject, baseline, question } = oriented(pair);
    const p = pairedRatio(subject.rounds, baseline.rounds, `${pair.line.caseId}|${pair.full.caseId}`);
    if (!p) return [];
    const verdict = verdictOf(p), engine = `${subject.engine}/${subject.backend}`, s = subject.shape, line = pair.line;
    const why = unreliable.get(line.caseId) ?? unreliable.get(pair.full.caseId);
    const text = `${subject.label} vs ${baseline.label} at N=${s.seqLen} on ${engine}: ${verdictText(verdict, p.ratio, p.ci)}`
      + `${line.notEfficient ? ` — ${line.notEfficient}` : ''}${why ? ` — ${UNRELIABLE}` : ''}.`;
    return [{ question, subject: subject.label, baseline: baseline.label,
      ...(question === QUESTIONS.yardstick && { yardstick: true as const }),
      engine, seqLen: s.seqLen, dModel: s.dModel, heads: s.heads, batch: s.batch, ratio: p.ratio, ci: p.ci, verdict, rounds: p.rounds,
      text, ...(why && { unreliable: why }), ...(line.notEfficient && { notEfficient: line.notEfficient }) }];
  });
}

const largestN = (ps: VsFull[]) => ps.reduce((a, b) => (b.line.shape.seqLen > a.line.shape.seqLen ? b : a));

function sortPairs<T extends { line: OkLine }>(pairs: T[]): T[] {
  return [...pairs].sort((a, b) => a.line.label.localeCompare(b.line.label) || a.line.engine.localeCompare(b.line.engine)
    || a.line.backend.localeCompare(b.line.backend) || a.line.shape.seqLen - b.line.shape.seqLen);
}

/** Pairs grouped by `key`, groups and members in a stable order (label, engine, then N). */
function groupBy<K extends string>(pairs: VsFull[], key: (p: VsFull) => K): Map<K, VsFull[]> {
  const groups = new Map<K, VsFull[]>();
  for (const p of sortPairs(pairs)) groups.set(key(p), [...(groups.get(key(p)) ?? []), p]);
  return groups;
}

export function facts(lines: ResultLine[], meta?: RunMeta): Fact[] {
  const pairs = vsFull(lines);
  const all: Fact[] = [
    { id: 'adapter-params', question: 'What does the adapter add in parameters?', answers: adapterAnswers(pairs) },
    { id: 'accuracy', question: 'What accuracy does each efficient variant give up?', answers: accuracyAnswers(pairs, meta) },
    { id: 'full-scaling', question: 'How do full attention’s time and memory grow with N?', answers: fullScalingAnswers(lines) },
    { id: 'exact-efficient', question: 'What does exact memory-efficient attention buy, and from which N?',
      answers: exactEfficientAnswers(pairs) },
  ];
  return all.filter((f) => f.answers.length > 0);
}

function adapterAnswers(pairs: VsFull[]): string[] {
  return [...groupBy(pairs.filter((p) => roleOf(p.line) === 'adapter'), (p) => p.line.label)].map(([label, ps]) => {
    const { line, full } = largestN(ps);
    const extra = line.params.inference - full.params.inference, adapters = line.details?.adapterParams;
    const trained = line.params.trainable === 0 && typeof adapters === 'number'
      ? `adapters of ${count(adapters)} parameters folded into the weights: nothing left to train`
      : `${count(line.params.trainable)} trainable`;
    return `${label}: ${extra === 0 ? '0 extra' : signedCount(extra)} parameters at inference (${trained}).`;
  });
}

const efficient = (pairs: VsFull[]) => pairs.filter((p) => meantToSaveWorkLine(p.line));

function accuracyAnswers(pairs: VsFull[], meta: RunMeta | undefined): string[] {
  const answers = [...groupBy(efficient(pairs), (p) => p.line.label)].flatMap(([label, ps]) => {
    const measured = ps.filter((p) => p.line.accuracy.relErrVsFull !== null);
    if (measured.length === 0) return [];
    const top = largestN(measured), err = (p: VsFull) => p.line.accuracy.relErrVsFull!;
    const [low, high] = [Math.min(...measured.map(err)), Math.max(...measured.map(err))].map((e) => sig(e, 2));
    const ns = measured.map((p) => p.line.shape.seqLen);
    const spread = low === high ? '' : ` (${low}–${high} over N=${Math.min(...ns)}–${Math.max(...ns)})`;
    const energy = svdEnergy(top.line);
    return [`${label}: rel. error vs full ${sig(err(top), 2)} at N=${top.line.shape.seqLen}${spread}`
      + `${energy === undefined ? '' : `; retained spectral energy ${sig(energy, 2)}`}.`];
  });
  const weights = weightsOf(meta);
  return answers.length > 0 && weights ? [...answers, `Base weights: ${weights}.`] : answers;
}
/** The lowest retained energy over SVD's targets, when the line records it (details.svd). */
function svdEnergy(l: OkLine): number | undefined {
  const perTarget = (l.details?.svd ?? {}) as Record<string, { energy?: number }>;
  const energies = Object.values(perTarget).map((t) => t.energy).filter((e): e is number => typeof e === 'number');
  return energies.length > 0 ? Math.min(...energies) : undefined;
}

function weightsOf(meta: RunMeta | undefined): string | undefined {
  // run.json files written before the suite recorded its weights have none.
  const w = meta?.suite.weights as RunMeta['suite']['weights'] | undefined;
  if (w?.init === 'file') return `one trained layer, ${meta?.weightsFile?.basename ?? w.file}${w.prefix ? ` (${w.prefix})` : ''}`;
  return w && (w.init === 'spectrum' ? `spectrum, decay ${w.decay}` : w.init);
}

function fullScalingAnswers(lines: ResultLine[]): string[] {
  return scalingFits(lines).filter((f) => f.baseline).map((f) => {
    const memory = f.memory === null ? 'peak memory grew by 0 bytes at some N (no fit)' : `peak memory ∝ N^${f.memory.toFixed(2)}`;
    return `On ${f.engine}: time ∝ N^${f.latency.toFixed(2)}, ${memory} (fitted over N=${f.seqLens.join(', ')}).`;
  });
}

/**
 * Per exact-efficient configuration and engine: at each N its latency (paired, with its interval)
 * and measured peak memory vs full's, then from which N on it is faster (summaries' sentence).
 */
function exactEfficientAnswers(pairs: VsFull[]): string[] {
  const exact = pairs.filter((p) => roleOf(p.line) === 'exact-efficient');
  const found = comparisons(exact.flatMap((p) => [p.line, p.full])), trends = summaries(found);
  const at = (l: OkLine) => found.find((f) => f.subject === l.label && f.engine === engineOf(l) && f.seqLen === l.shape.seqLen);
  return [...groupBy(exact, (p) => `${p.line.label} on ${engineOf(p.line)}`)].map(([head, ps]) => {
    const perN = ps.map(({ line, full }) => {
      const f = at(line);
      const latency = f ? `latency ×${sig(f.ratio, 3)} (95 % CI ${sig(f.ci[0], 3)}–${sig(f.ci[1], 3)})` : 'latency not paired';
      const [mine, theirs] = [line.memory.peakBytes, full.memory.peakBytes];
      const memory = mine !== null && theirs ? `peak memory ×${sig(mine / theirs, 2)} of full's` : 'peak memory not measured';
      return `N=${line.shape.seqLen}: ${latency}, ${memory}`;
    });
    const { line } = ps[0], trend = trends.find((t) => t.subject === line.label && t.engine === engineOf(line));
    return `${head}: ${perN.join('; ')}.${trend ? ` Latency: ${summaryBody(trend)}` : ''}`;
  });
}
