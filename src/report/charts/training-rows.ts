/**
 * What the training charts and the training section share: the train cases that ran, each paired
 * with full fine-tuning at the same engine and shape, and one panel per engine and shape.
 */
import type { TopLevelSpec } from 'vega-lite';
import { isTrainOk } from '../../modes/index.ts';
import type { ResultLine, TrainOkLine } from '../../results/types.ts';
import { engineOf, pairWithFull, VL_SCHEMA } from './series.ts';

/** The training steps that ran, in a stable order: engine, N, then label. */
export function trainOk(lines: ResultLine[]): TrainOkLine[] {
  return lines.filter(isTrainOk)
    .sort((a, b) => engineOf(a).localeCompare(engineOf(b)) || a.shape.seqLen - b.shape.seqLen || a.label.localeCompare(b.label));
}

/** Engine and shape of a case, e.g. "tfjs/wasm · N=512, d=512, B=1": one panel of a chart. */
export const panelOf = (l: ResultLine): string =>
  `${engineOf(l)} · N=${l.shape.seqLen}, d=${l.shape.dModel}, B=${l.shape.batch}`;

export interface VsFullStep {
  line: TrainOkLine;
  /** Full fine-tuning's step at the same engine and shape. */
  full: TrainOkLine;
}

/** Every other training step beside full fine-tuning's at the same engine and shape. */
export function stepsVsFull(lines: ResultLine[]): VsFullStep[] {
  return pairWithFull(trainOk(lines));
}

const BAR_WIDTH = 520;

/** Horizontal bars, one per variant configuration, in one panel per engine and shape when there are several. */
export function barsByPanel(title: string, rows: Array<{ panel: string }>, view: Record<string, unknown>): TopLevelSpec {
  const top = { $schema: VL_SCHEMA, title, data: { values: rows } };
  const unit = { width: BAR_WIDTH, height: { step: 22 }, ...view };
  if (new Set(rows.map((r) => r.panel)).size <= 1) return { ...top, ...unit } as TopLevelSpec;
  return { ...top, facet: { row: { field: 'panel', type: 'nominal', title: null,
    header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold' } } }, spec: unit,
    resolve: { scale: { y: 'independent' } } } as TopLevelSpec;
}

/** The variant axis of the bars: the labels, in the order of the rows (full first). */
export function variantAxis(rows: Array<{ variant: string; isFull: boolean }>) {
  const order = [...new Set([...rows].sort((a, b) => Number(b.isFull) - Number(a.isFull)).map((r) => r.variant))];
  return { field: 'variant', type: 'nominal', title: null, sort: order, axis: { labelLimit: 260 } } as const;
}
