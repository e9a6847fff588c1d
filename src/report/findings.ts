/**
 * Findings: the questions people ask about these methods, answered from the run's data by fixed
 * rules, each answer with the numbers behind it. A question whose data the run lacks is left out,
 * never guessed. Pure: lines (and run.json) in, sentences out.
 *
 * Rules
 *   lora         per LoRA configuration: extra parameters at inference and trainable ones (vs full
 *                at the same shape); per engine, median latency vs full at the largest N both ran,
 *                "within noise" when the two p25–p75 ranges overlap.
 *   break-even   per other non-full variant (not LoRA) and engine: the smallest N from which its
 *                median is below full's at every larger N measured, with the speed-ups.
 *   accuracy     per such variant: relative error vs exact full attention at its largest N (and its
 *                range over N), beside its speed-ups there; SVD adds its retained spectral energy.
 *   full-scaling per engine: full attention's fitted exponents of latency and peak memory in N
 *                (scaling.ts: the largest FIT_POINTS sequence lengths).
 */
import type { RunMeta } from '../results/run-meta.ts';
import type { OkLine, ResultLine } from '../results/types.ts';
import { vsFull, type VsFull } from './charts/series.ts';
import { count, percent, prose, sig, signedCount, times } from './format.ts';
import { scalingFits } from './scaling.ts';

export interface Finding {
  id: 'lora' | 'break-even' | 'accuracy' | 'full-scaling';
  question: string;
  /** One sentence per configuration or engine, numbers included. */
  answers: string[];
}

const NOT_EFFICIENT = new Set(['full', 'lora']);

export function findings(lines: ResultLine[], meta?: RunMeta): Finding[] {
  const pairs = vsFull(lines);
  const all: Finding[] = [
    { id: 'lora', question: 'Does LoRA change inference cost?', answers: loraAnswers(pairs) },
    { id: 'break-even', question: 'Where does each efficient variant overtake full attention?', answers: breakEvenAnswers(pairs) },
    { id: 'accuracy', question: 'What accuracy does each efficient variant buy its speed with?', answers: accuracyAnswers(pairs, meta) },
    { id: 'full-scaling', question: 'How do full attention’s time and memory grow with N?', answers: fullScalingAnswers(lines) },
  ];
  return all.filter((f) => f.answers.length > 0);
}

/** Pairs grouped by `key`, groups and members in a stable order (label, engine, then N). */
function groupBy<K extends string>(pairs: VsFull[], key: (p: VsFull) => K): Map<K, VsFull[]> {
  const sorted = [...pairs].sort((a, b) => a.line.label.localeCompare(b.line.label)
    || a.line.engine.localeCompare(b.line.engine) || a.line.backend.localeCompare(b.line.backend)
    || a.line.shape.seqLen - b.line.shape.seqLen);
  const groups = new Map<K, VsFull[]>();
  for (const p of sorted) groups.set(key(p), [...(groups.get(key(p)) ?? []), p]);
  return groups;
}

const engineOfPair = (p: VsFull) => `${p.line.engine}/${p.line.backend}`;
const largestN = (ps: VsFull[]) => ps.reduce((a, b) => (b.line.shape.seqLen > a.line.shape.seqLen ? b : a));

/** The p25–p75 ranges of the two cases overlap: their difference is within the timing noise. */
export function withinNoise(a: Pick<OkLine, 'latencyMs'>, b: Pick<OkLine, 'latencyMs'>): boolean {
  return a.latencyMs.p25 <= b.latencyMs.p75 && b.latencyMs.p25 <= a.latencyMs.p75;
}

function loraAnswers(pairs: VsFull[]): string[] {
  const lora = groupBy(pairs.filter((p) => p.line.variant === 'lora'), (p) => p.line.label);
  return [...lora].map(([label, ps]) => {
    const latency = [...groupBy(ps, engineOfPair)].map(([engine, byEngine]) => {
      const { line, full } = largestN(byEngine);
      const change = line.latencyMs.median / full.latencyMs.median - 1;
      return `${percent(change)} at N=${line.shape.seqLen} on ${engine}${withinNoise(line, full) ? ' (within noise)' : ''}`;
    });
    const { line, full } = largestN(ps);
    const extra = line.params.inference - full.params.inference;
    return `${label}: latency vs full ${prose(latency)}; ${extra === 0 ? '0 extra' : signedCount(extra)} parameters at inference`
      + ` (${count(line.params.trainable)} trainable).`;
  });
}

const efficient = (pairs: VsFull[]) => pairs.filter((p) => !NOT_EFFICIENT.has(p.line.variant));

function breakEvenAnswers(pairs: VsFull[]): string[] {
  return [...groupBy(efficient(pairs), (p) => p.line.label)].map(([label, ps]) => {
    const parts = [...groupBy(ps, engineOfPair)].map(([engine, byN]) => {
      let from = byN.length;
      while (from > 0 && byN[from - 1].speedup > 1) from--;
      const last = byN.at(-1)!, at = (p: VsFull) => `${times(p.speedup)} at N=${p.line.shape.seqLen}`;
      if (from === byN.length) {
        return byN.some((p) => p.speedup > 1)
          ? `faster at some N but not at the largest, on ${engine} (${at(last)})`
          : `never faster than full on ${engine}, up to N=${last.line.shape.seqLen} (${at(last)})`;
      }
      const since = byN[from];
      const range = since === last ? at(last) : `${at(since)}, ${at(last)}`;
      return `${from === 0 ? 'at every N measured' : `from N=${since.line.shape.seqLen}`} on ${engine} (${range})`;
    });
    return `${label}: ${prose(parts)}.`;
  });
}

function accuracyAnswers(pairs: VsFull[], meta: RunMeta | undefined): string[] {
  const answers = [...groupBy(efficient(pairs), (p) => p.line.label)].flatMap(([label, ps]) => {
    const measured = ps.filter((p) => p.line.accuracy.relErrVsFull !== null);
    if (measured.length === 0) return [];
    const top = largestN(measured), err = (p: VsFull) => p.line.accuracy.relErrVsFull!;
    const [low, high] = [Math.min(...measured.map(err)), Math.max(...measured.map(err))].map((e) => sig(e, 2));
    const ns = measured.map((p) => p.line.shape.seqLen);
    const spread = low === high ? '' : ` (${low}–${high} over N=${Math.min(...ns)}–${Math.max(...ns)})`;
    const speed = measured.filter((p) => p.line.shape.seqLen === top.line.shape.seqLen)
      .map((p) => `${times(p.speedup)} on ${engineOfPair(p)}`);
    const energy = svdEnergy(top.line);
    return [`${label}: rel. error vs full ${sig(err(top), 2)} at N=${top.line.shape.seqLen}${spread}, for ${prose(speed)}`
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
  return w && (w.init === 'spectrum' ? `spectrum, decay ${w.decay}` : w.init);
}

function fullScalingAnswers(lines: ResultLine[]): string[] {
  return scalingFits(lines).filter((f) => f.variant === 'full').map((f) => {
    const memory = f.memory === null ? 'peak memory grew by 0 bytes at some N (no fit)' : `peak memory ∝ N^${f.memory.toFixed(2)}`;
    return `On ${f.engine}: time ∝ N^${f.latency.toFixed(2)}, ${memory} (fitted over N=${f.seqLens.join(', ')}).`;
  });
}
