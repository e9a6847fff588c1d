/**
 * Chart 4 — parameters per variant configuration: total, trainable and held at inference (bars).
 * Counts are analytic and the same on every engine; where they grow with N (Linformer's E and F)
 * the bars show the largest N of the run, which the tooltip names. A configuration that folded
 * adapters into its weights (merged LoRA: nothing left to train) shows the adapters it came from
 * (details.adapterParams) in a fourth column.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultLine } from '../../results/types.ts';
import type { ParamCount } from '../../results/types.ts';
import { isForwardPass } from '../../modes/index.ts';
import { colorByVariant, fadeUnselected, legendToggle, VL_SCHEMA } from './series.ts';

const KINDS: Array<[keyof ParamCount, string]> = [['total', 'total'], ['trainable', 'trainable'], ['inference', 'at inference']];
const ADAPTERS = 'adapters it came from';

/** The adapter size a configuration records (details.adapterParams), when it does. */
const adapterParams = (l: ResultLine): number | undefined =>
  (l.status === 'ok' && typeof l.details?.adapterParams === 'number' ? l.details.adapterParams : undefined);

export function paramsChart(lines: ResultLine[]): TopLevelSpec | undefined {
  const largest = new Map<string, ResultLine & { params: ParamCount }>();
  for (const l of lines) {
    if (l.params === null || !isForwardPass(l)) continue;
    const seen = largest.get(l.label);
    if (!seen || l.shape.seqLen > seen.shape.seqLen) largest.set(l.label, l as ResultLine & { params: ParamCount });
  }
  const rows = [...largest.values()].flatMap((l) => [...KINDS.map(([key, kind]) => ({
    variant: l.label, kind, count: l.params[key], seqLen: l.shape.seqLen })),
  ...(adapterParams(l) === undefined ? [] : [{ variant: l.label, kind: ADAPTERS, count: adapterParams(l)!, seqLen: l.shape.seqLen }])]);
  if (rows.length === 0) return undefined;
  return {
    $schema: VL_SCHEMA,
    title: 'Parameters per variant configuration',
    data: { values: rows },
    facet: { column: { field: 'kind', type: 'nominal', title: null, sort: [...KINDS.map(([, kind]) => kind), ADAPTERS] } },
    spec: {
      width: 170, height: { step: 18 },
      mark: 'bar',
      params: [legendToggle],
      encoding: {
        y: { field: 'variant', type: 'nominal', title: null, sort: null, axis: { labelLimit: 220 } },
        x: { field: 'count', type: 'quantitative', title: 'parameters', axis: { format: '~s' } },
        color: colorByVariant(lines, rows),
        opacity: fadeUnselected,
        tooltip: [{ field: 'variant' }, { field: 'kind' }, { field: 'count', title: 'parameters', format: ',' },
          { field: 'seqLen', title: 'at N' }],
      },
    },
  } as TopLevelSpec;
}
