/**
 * Chart 1 — latency vs sequence length, log–log: the median per case as a line per variant
 * configuration × engine, with the p25–p75 band.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { OkLine } from '../../run/result.ts';
import { seriesName } from './series.ts';

export function latencyChart(lines: OkLine[]): TopLevelSpec {
  const values = lines.map((l) => ({
    series: seriesName(l), variant: l.label, engine: `${l.engine}/${l.backend}`, seqLen: l.shape.seqLen,
    median: l.latencyMs.median, p25: l.latencyMs.p25, p75: l.latencyMs.p75, rme: l.latencyMs.rme, samples: l.latencyMs.samples,
  }));
  const x = { field: 'seqLen', type: 'quantitative', title: 'sequence length N', scale: { type: 'log', base: 2 } } as const;
  const color = { field: 'series', type: 'nominal', title: 'variant · engine' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Latency of one forward pass vs sequence length',
    width: 560, height: 320,
    data: { values },
    encoding: { x, color },
    layer: [
      { mark: { type: 'area', opacity: 0.2 }, encoding: {
        y: { field: 'p25', type: 'quantitative', scale: { type: 'log' } }, y2: { field: 'p75' } } },
      { mark: { type: 'line', point: true }, encoding: {
        y: { field: 'median', type: 'quantitative', title: 'median latency (ms)', scale: { type: 'log' } },
        tooltip: [{ field: 'variant' }, { field: 'engine' }, { field: 'seqLen', title: 'N' },
          { field: 'median', title: 'median ms', format: '.3f' }, { field: 'p25', format: '.3f' }, { field: 'p75', format: '.3f' },
          { field: 'rme', title: 'rme %', format: '.2f' }, { field: 'samples' }] } },
    ],
  };
}
