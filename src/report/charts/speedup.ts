/**
 * Chart 2 — speed-up vs full attention: full's median latency / the variant's, at the same engine
 * and shape, per sequence length; a rule at 1× (above it the variant is faster).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultLine } from '../../results/types.ts';
import { byEngine, colorByVariant, fadeUnselected, legendToggle, rowOf, seqLenAxis, tooltip, vsFull } from './series.ts';

export function speedupChart(lines: ResultLine[]): TopLevelSpec | undefined {
  const rows = vsFull(lines).map(({ line, full, speedup }) => ({ ...rowOf(line), speedup,
    median: line.latencyMs.median, fullMedian: full.latencyMs.median }));
  if (rows.length === 0) return undefined;
  return byEngine('Speed-up vs full attention', rows, {
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { datum: 1 } } },
      { mark: { type: 'line', point: true }, params: [legendToggle], encoding: {
        x: seqLenAxis(rows),
        y: { field: 'speedup', type: 'quantitative', title: 'speed-up vs full (×)', scale: { type: 'log' } },
        color: colorByVariant(lines, rows),
        opacity: fadeUnselected,
        tooltip: tooltip(rows, [{ field: 'variant' }, { field: 'engine' }, { field: 'seqLen', title: 'N' },
          { field: 'speedup', title: 'speed-up ×', format: '.3~g' }, { field: 'median', title: 'median ms', format: '.4~g' },
          { field: 'fullMedian', title: 'full median ms', format: '.4~g' }]) } },
    ],
  });
}
