/**
 * Chart 1 — latency vs sequence length, log–log: the median of each case as a line per variant
 * configuration, with the p25–p75 band of its samples.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultLine } from '../../results/types.ts';
import { byEngine, colorByVariant, fadeUnselected, inferenceOk, legendToggle, rowOf, seqLenAxis, tooltip } from './series.ts';

export function latencyChart(lines: ResultLine[]): TopLevelSpec | undefined {
  const rows = inferenceOk(lines).map((l) => ({ ...rowOf(l), median: l.latencyMs.median, p25: l.latencyMs.p25, p75: l.latencyMs.p75,
    rme: l.latencyMs.rme, samples: l.latencyMs.samples }));
  if (rows.length === 0) return undefined;
  const y = { type: 'quantitative', scale: { type: 'log' } } as const, color = colorByVariant(lines, rows);
  return byEngine('Latency of one forward pass vs sequence length', rows, {
    encoding: { x: seqLenAxis(rows) },
    layer: [
      // fillOpacity, not opacity: a layer's constant opacity would also fix the legend's, and undo its toggling.
      { mark: { type: 'area', fillOpacity: 0.18 }, encoding: { y: { ...y, field: 'p25' }, y2: { field: 'p75' }, color } },
      { mark: { type: 'line', point: true }, params: [legendToggle], encoding: {
        y: { ...y, field: 'median', title: 'median latency (ms)' },
        color: { ...color, legend: { ...color.legend, symbolType: 'stroke', symbolStrokeWidth: 3 } },
        opacity: fadeUnselected,
        tooltip: tooltip(rows, [{ field: 'variant' }, { field: 'engine' }, { field: 'seqLen', title: 'N' },
          { field: 'median', title: 'median ms', format: '.4~g' }, { field: 'p25', title: 'p25 ms', format: '.4~g' },
          { field: 'p75', title: 'p75 ms', format: '.4~g' }, { field: 'rme', title: 'rme %', format: '.2f' }, { field: 'samples' }]) } },
    ],
  });
}
