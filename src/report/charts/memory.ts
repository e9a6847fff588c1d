/**
 * Chart 3 — peak memory vs sequence length, log–log: measured (solid) and the variant's analytic
 * formula (dashed), a colour per variant configuration. A measured 0 (nothing seen to grow) has no
 * place on a log scale and is left to the table.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultLine } from '../../results/types.ts';
import { byEngine, colorByVariant, fadeUnselected, inferenceOk, legendToggle, rowOf, seqLenAxis, tooltip } from './series.ts';

export function memoryChart(lines: ResultLine[]): TopLevelSpec | undefined {
  const rows = inferenceOk(lines).flatMap((l) => [
    { ...rowOf(l), kind: 'measured', bytes: l.memory.peakBytes, source: l.memory.source },
    { ...rowOf(l), kind: 'analytic', bytes: l.memory.analyticBytes, source: 'the variant’s formula (float32 activations)' },
  ]).filter((r) => (r.bytes ?? 0) > 0);
  if (rows.length === 0) return undefined;
  return byEngine('Peak memory of one forward pass vs sequence length', rows, {
    mark: { type: 'line', point: true },
    params: [legendToggle],
    encoding: {
      x: seqLenAxis(rows),
      y: { field: 'bytes', type: 'quantitative', title: 'peak memory (bytes)', scale: { type: 'log' }, axis: { format: '~s' } },
      color: colorByVariant(lines, rows),
      strokeDash: { field: 'kind', type: 'nominal', title: 'memory', sort: ['measured', 'analytic'] },
      detail: { field: 'kind' },
      opacity: fadeUnselected,
      tooltip: tooltip(rows, [{ field: 'variant' }, { field: 'engine' }, { field: 'seqLen', title: 'N' }, { field: 'kind' },
        { field: 'bytes', format: ',' }, { field: 'source', title: 'measured by' }]),
    },
  });
}
