/**
 * Training chart 2 — what one training step holds, per variant configuration, as stacked bars:
 * the weights (trainable and frozen), Adam's state, the gradients, and the rest of the step's
 * measured peak (activations kept for the backward pass, temporaries).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultLine } from '../../results/types.ts';
import { barsByPanel, panelOf, trainOk, variantAxis } from './training-rows.ts';
import { isBaselineLine } from '../roles.ts';

export const MEMORY_PARTS = ['weights', 'Adam state', 'gradients', 'activations'] as const;
const COLOURS = ['#4c78a8', '#f58518', '#e45756', '#bab0ac'];

export function trainingMemoryChart(lines: ResultLine[]): TopLevelSpec | undefined {
  const rows = trainOk(lines).flatMap((l) => {
    const m = l.memory, bytes = [m.weightsBytes, m.optimizerStateBytes, m.gradientBytes, m.activationBytes];
    return MEMORY_PARTS.map((part, i) => ({ variant: l.label, isFull: isBaselineLine(l), panel: panelOf(l), part, order: i,
      bytes: bytes[i], checkpoint: l.train.checkpointBytes }));
  });
  if (rows.length === 0) return undefined;
  return barsByPanel('Memory of one training step', rows, {
    mark: 'bar',
    encoding: {
      y: variantAxis(rows),
      x: { field: 'bytes', type: 'quantitative', stack: 'zero', title: 'bytes', axis: { format: '~s' } },
      color: { field: 'part', type: 'nominal', title: 'held for', scale: { domain: [...MEMORY_PARTS], range: COLOURS } },
      order: { field: 'order', type: 'quantitative' },
      tooltip: [{ field: 'variant' }, { field: 'panel', title: 'engine · shape' }, { field: 'part' },
        { field: 'bytes', format: ',' }, { field: 'checkpoint', title: 'checkpoint bytes', format: ',' }],
    },
  });
}
