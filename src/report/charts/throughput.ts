/**
 * Chart 5 — achieved throughput (GFLOP/s: the variant's analytic FLOPs / median latency) per
 * sequence length, with the engine's measured matmul ceiling as a rule. Drawn only when the run
 * recorded a ceiling for one of its engines: a ceiling is measured, never assumed.
 */
import type { TopLevelSpec } from 'vega-lite';
import { ceilingKey, type RunMeta } from '../../results/run-meta.ts';
import { dtypeOf } from '../../results/dtype.ts';
import type { ResultLine } from '../../results/types.ts';
import { byEngine, colorByVariant, fadeUnselected, inferenceOk, legendToggle, rowOf, seqLenAxis, tooltip } from './series.ts';

export function throughputChart(lines: ResultLine[], meta: RunMeta | undefined): TopLevelSpec | undefined {
  const ceilings = meta?.ceilings ?? {};
  const rows = inferenceOk(lines).map((l) => {
    const ceiling = ceilings[ceilingKey(rowOf(l).engine, dtypeOf(l.shape))];
    return { ...rowOf(l), gflops: l.gflops, flops: l.flops, median: l.latencyMs.median,
      ceiling: ceiling?.gflops ?? null, ceilingShape: ceiling?.shape ?? null };
  });
  if (!rows.some((r) => r.ceiling !== null)) return undefined;
  const y = { type: 'quantitative', title: 'achieved GFLOP/s', scale: { type: 'log' } } as const;
  return byEngine('Achieved throughput vs the engine’s measured matmul ceiling', rows, {
    layer: [
      { mark: { type: 'rule', strokeDash: [6, 3], color: '#444' },
        encoding: { y: { ...y, field: 'ceiling', aggregate: 'max' },
          tooltip: [{ field: 'ceiling', aggregate: 'max', title: 'matmul ceiling GFLOP/s', format: '.4~g' }] } },
      { mark: { type: 'text', align: 'left', dy: -7, color: '#444' },
        encoding: { y: { ...y, field: 'ceiling', aggregate: 'max' }, x: { value: 4 }, text: { value: 'measured matmul ceiling' } } },
      { mark: { type: 'line', point: true }, params: [legendToggle], encoding: {
        x: seqLenAxis(rows), y: { ...y, field: 'gflops' }, color: colorByVariant(lines, rows), opacity: fadeUnselected,
        tooltip: tooltip(rows, [{ field: 'variant' }, { field: 'engine' }, { field: 'seqLen', title: 'N' },
          { field: 'gflops', title: 'GFLOP/s', format: '.4~g' }, { field: 'flops', title: 'FLOPs', format: ',' },
          { field: 'median', title: 'median ms', format: '.4~g' }, { field: 'ceiling', title: 'ceiling GFLOP/s', format: '.4~g' },
          { field: 'ceilingShape', title: 'ceiling measured on' }]) } },
    ],
  });
}
