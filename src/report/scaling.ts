/**
 * Scaling exponents — not a chart, the table shown beside the latency chart (sections.ts,
 * scalingAside) and used by the findings (findings.ts, full-scaling): the fitted exponent k of
 * latency ∝ N^k and of peak memory ∝ N^k per variant configuration and engine, by least squares on
 * log–log over the largest FIT_POINTS sequence lengths of the run (the asymptote is what the
 * exponent is asked for: full ≈ 2, window ≈ 1).
 */
import type { OkLine, ResultLine } from '../results/types.ts';
import { engineOf, inferenceOk } from './charts/series.ts';
import { logLogSlope } from './stats.ts';
import { isBaselineLine } from './roles.ts';

export const FIT_POINTS = 3;

export interface ScalingFit {
  /** The variant configuration (label) and its registry name. */
  label: string;
  variant: string;
  /** Whether the configuration is the baseline's (its recorded role). */
  baseline: boolean;
  engine: string;
  /** The sequence lengths fitted over, ascending. */
  seqLens: number[];
  latency: number;
  /** Null when a fitted point measured no memory growth (0 bytes). */
  memory: number | null;
}

/** Fits per engine, full attention first, then by label. */
export function scalingFits(lines: ResultLine[]): ScalingFit[] {
  const series = new Map<string, Map<number, OkLine>>();
  for (const l of inferenceOk(lines)) {
    const key = `${l.label}\u0000${engineOf(l)}`;
    if (!series.has(key)) series.set(key, new Map());
    const byN = series.get(key)!;
    if (!byN.has(l.shape.seqLen)) byN.set(l.shape.seqLen, l);
  }
  const ordered = [...series.values()].sort((a, b) => {
    const [x, y] = [a.values().next().value!, b.values().next().value!];
    return engineOf(x).localeCompare(engineOf(y)) || Number(isBaselineLine(y)) - Number(isBaselineLine(x))
      || x.label.localeCompare(y.label);
  });
  return ordered.flatMap((byN) => {
    const points = [...byN.values()].sort((a, b) => a.shape.seqLen - b.shape.seqLen).slice(-FIT_POINTS);
    if (points.length < 2) return [];
    const fit = (y: (l: OkLine) => number) => logLogSlope(points.map((l) => ({ x: l.shape.seqLen, y: y(l) })));
    const first = points[0];
    return [{ label: first.label, variant: first.variant, baseline: isBaselineLine(first), engine: engineOf(first),
      seqLens: points.map((l) => l.shape.seqLen),
      latency: fit((l) => l.latencyMs.median),
      memory: points.every((l) => (l.memory.peakBytes ?? 0) > 0) ? fit((l) => l.memory.peakBytes!) : null }];
  });
}
