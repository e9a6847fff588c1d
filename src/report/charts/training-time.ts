/**
 * Training chart 1 — median time of one training step (forward, loss, backward, Adam update) per
 * variant configuration, a bar each, with the p25–p75 range of its samples as a whisker.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultLine } from '../../results/types.ts';
import { colorByVariant, fadeUnselected, legendToggle, noisyOf, tooltip } from './series.ts';
import { barsByPanel, panelOf, trainOk, variantAxis } from './training-rows.ts';
import { isBaselineLine } from '../roles.ts';

export function trainingTimeChart(lines: ResultLine[]): TopLevelSpec | undefined {
  const rows = trainOk(lines).map((l) => ({ variant: l.label, isFull: isBaselineLine(l), panel: panelOf(l),
    median: l.latencyMs.median, p25: l.latencyMs.p25, p75: l.latencyMs.p75, rme: l.latencyMs.rme, samples: l.latencyMs.samples,
    trainable: l.params.trainable, noisy: noisyOf(l).join('; ') }));
  if (rows.length === 0) return undefined;
  const y = variantAxis(rows);
  return barsByPanel('Time of one training step', rows, {
    layer: [
      { mark: 'bar', params: [legendToggle], encoding: {
        y, x: { field: 'median', type: 'quantitative', title: 'median step time (ms)' },
        color: colorByVariant(lines, rows), opacity: fadeUnselected,
        tooltip: tooltip(rows, [{ field: 'variant' }, { field: 'panel', title: 'engine · shape' },
          { field: 'median', title: 'median ms', format: '.4~g' }, { field: 'p25', title: 'p25 ms', format: '.4~g' },
          { field: 'p75', title: 'p75 ms', format: '.4~g' }, { field: 'rme', title: 'rme %', format: '.2f' }, { field: 'samples' },
          { field: 'trainable', title: 'trainable parameters', format: ',' }]) } },
      { mark: { type: 'rule', color: '#333' }, encoding: { y, x: { field: 'p25', type: 'quantitative' }, x2: { field: 'p75' } } },
    ],
  });
}
