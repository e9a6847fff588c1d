/**
 * Accuracy vs speed, the Pareto view: each variant configuration at each N is a point, its paired
 * speed-up vs full (findings.ts) across, relative error vs exact full attention up (both log).
 * Better is down and to the right. Only variants meant to compute less than full (approximations
 * and exact-efficient kernels, by their role) are drawn: an adapter's error vs full is the step its
 * (here synthetic) fine-tuning took, not a price paid for speed. Points with no accuracy measurement,
 * or an error of exactly 0, are left out.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultLine } from '../../results/types.ts';
import type { Finding } from '../findings.ts';
import { meantToSaveWorkLine } from '../roles.ts';
import { byEngine, colorByVariant, engineOf, fadeUnselected, legendToggle, rowOf, tooltip, vsFull } from './series.ts';

export function accuracyChart(lines: ResultLine[], _meta: unknown, found: Finding[]): TopLevelSpec | undefined {
  const key = (label: string, engine: string, n: number) => `${label}|${engine}|${n}`;
  const paired = new Map(found.map((f) => [key(f.subject, f.engine, f.seqLen), f]));
  const rows = vsFull(lines).filter(({ line }) => meantToSaveWorkLine(line)).flatMap(({ line }) => {
    const err = line.accuracy.relErrVsFull, f = paired.get(key(line.label, engineOf(line), line.shape.seqLen));
    return err !== null && err > 0 && f
      ? [{ ...rowOf(line), speedup: 1 / f.ratio, verdict: f.verdict, relErrVsFull: err, relErr: line.accuracy.relErr,
        efficiency: line.notEfficient ?? 'computes less than full' }] : [];
  });
  if (rows.length === 0) return undefined;
  return byEngine('Accuracy vs speed: relative error vs full attention against speed-up', rows, {
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { x: { datum: 1 } } },
      { mark: { type: 'point', filled: true }, params: [legendToggle], encoding: {
        x: { field: 'speedup', type: 'quantitative', title: 'speed-up vs full (×)', scale: { type: 'log' } },
        y: { field: 'relErrVsFull', type: 'quantitative', title: 'relative error vs full', scale: { type: 'log' } },
        color: colorByVariant(lines, rows),
        size: { field: 'seqLen', type: 'ordinal', title: 'N', scale: { range: [25, 220] } },
        opacity: fadeUnselected,
        tooltip: tooltip(rows, [{ field: 'variant' }, { field: 'engine' }, { field: 'seqLen', title: 'N' },
          { field: 'speedup', title: 'speed-up ×', format: '.3~g' }, { field: 'verdict' },
          { field: 'relErrVsFull', title: 'rel. error vs full', format: '.3~g' },
          { field: 'relErr', title: 'rel. error vs own float64 reference', format: '.3~g' }, { field: 'efficiency' }]) } },
    ],
  });
}
