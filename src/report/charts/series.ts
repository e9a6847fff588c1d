/**
 * What every chart shares: the rows it draws (inference cases that ran), the pairing of a case
 * with full attention at the same engine and shape, one colour per variant configuration with a
 * legend that toggles it, and one facet row per engine when several were run.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import type { SelectionParameter } from 'vega-lite/types_unstable/selection.js';
import type { LayerSpec, UnitSpec } from 'vega-lite/types_unstable/spec/index.js';
import { forwardOk } from '../../modes/index.ts';
import { comparisonGroup } from '../../results/group.ts';
import type { OkLine, ResultLine } from '../../results/types.ts';
import { isBaselineLine } from '../roles.ts';

export const VL_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const WIDTH = 480, HEIGHT = 280;

/** `engine/backend`, e.g. onnx/cpu: the facet of a case. */
export const engineOf = (l: ResultLine): string => `${l.engine}/${l.backend}`;
/** Why the timing of a case is noisy (none for failed cases and steady timings). */
export const noisyOf = (l: ResultLine): string[] => (l.status === 'ok' ? l.noisy : []);
/** The comparison group of a line (src/results/group.ts): engine, mode, shape and, in a merged run, machine. */
export const groupOfLine = (l: ResultLine) => comparisonGroup(engineOf(l), l.mode, l.shape, l.shard);

/** The forward-pass cases that ran (src/modes, ModeReport.forwardPass): what the inference charts and the findings draw. */
export function inferenceOk(lines: ResultLine[]): OkLine[] {
  return forwardOk(lines);
}

/** A case and full attention's at the same engine and shape; their paired speed-up is findings.ts's (comparisons). */
export interface VsFull {
  line: OkLine;
  full: OkLine;
}

/** Every non-full case of `ok` paired with the first `full` case of its comparison group (causal with causal; never across machines). */
export function pairWithFull<L extends ResultLine>(ok: L[]): Array<{ line: L; full: L }> {
  const full = new Map<string, L>();
  for (const l of ok) if (isBaselineLine(l) && !full.has(groupOfLine(l))) full.set(groupOfLine(l), l);
  return ok.flatMap((line) => {
    const f = full.get(groupOfLine(line));
    return isBaselineLine(line) || !f ? [] : [{ line, full: f }];
  });
}

/** Every other variant's inference case paired with full attention's at the same engine and shape. */
export function vsFull(lines: ResultLine[]): VsFull[] {
  return pairWithFull(inferenceOk(lines));
}

/** The fields every chart row starts with; `noisy` is '' for a steady measurement. */
export function rowOf(l: ResultLine) {
  return { variant: l.label, engine: engineOf(l), seqLen: l.shape.seqLen, noisy: noisyOf(l).join('; ') };
}

const LEGEND_PARAM = 'variants';
/** Clicking a legend entry keeps that variant opaque and fades the others (shift-click adds). */
export const legendToggle: SelectionParameter<'point'> = { name: LEGEND_PARAM, select: { type: 'point', fields: ['variant'] },
  bind: 'legend' };
export const fadeUnselected = { condition: { param: LEGEND_PARAM, value: 1 }, value: 0.12 } as const;

/** Tableau 20: a variant keeps its colour in every chart of the page. */
const PALETTE = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac',
  '#9ecae9', '#ffbf79', '#ff9d98', '#88d27a', '#b9e5e1', '#f2cf5b', '#d6a5c9', '#fcbfd2', '#d8b5a5', '#79706e'];

/** Every variant configuration of the run, full attention first, the others alphabetically. */
function variantOrder(lines: ResultLine[]): string[] {
  const labels = [...new Set(lines.map((l) => l.label))];
  const isFull = new Set(lines.filter((l) => isBaselineLine(l)).map((l) => l.label));
  return labels.sort((a, b) => Number(isFull.has(b)) - Number(isFull.has(a)) || a.localeCompare(b));
}

/** One colour per variant configuration, the same in every chart built from `lines`; the legend lists those in `rows`. */
export function colorByVariant(lines: ResultLine[], rows: Array<{ variant: string }>) {
  const order = variantOrder(lines), present = new Set(rows.map((r) => r.variant));
  const domain = order.filter((l) => present.has(l));
  return { field: 'variant', type: 'nominal' as const, title: 'variant configuration',
    scale: { domain, range: domain.map((l) => PALETTE[order.indexOf(l) % PALETTE.length]) }, legend: { labelLimit: 280 } };
}

/** Sequence length across, log₂, ticked at the lengths the chart has. */
export function seqLenAxis(rows: Array<{ seqLen: number }>) {
  return { field: 'seqLen', type: 'quantitative' as const, title: 'sequence length N', scale: { type: 'log' as const, base: 2 },
    axis: { values: [...new Set(rows.map((r) => r.seqLen))].sort((a, b) => a - b) } };
}

type TooltipField = { field: string; title?: string; format?: string };
/** Tooltip entries; the noise note only when some row carries one. */
export function tooltip(rows: Array<{ noisy?: string }>, fields: TooltipField[]): TooltipField[] {
  return rows.some((r) => r.noisy) ? [...fields, { field: 'noisy', title: 'noisy timing' }] : fields;
}

/** A chart's marks and encodings: a layer or a unit, without data or size (byEngine adds them). */
export type View = Omit<LayerSpec<Field>, 'data' | 'width' | 'height'> | Omit<UnitSpec<Field>, 'data'>;

/**
 * A top-level spec: `view` (a layer or unit spec) as it is when the rows come from one engine, or
 * facetted into one row per engine when they come from several.
 */
export function byEngine(title: string, rows: Array<{ engine: string }>, view: View): TopLevelSpec {
  const engines = new Set(rows.map((r) => r.engine));
  const top = { $schema: VL_SCHEMA, title, data: { values: rows } };
  if (engines.size <= 1) return { ...top, width: WIDTH, height: HEIGHT, ...view } as TopLevelSpec;
  return { ...top, facet: { row: { field: 'engine', type: 'nominal', title: null,
    header: { labelAngle: 0, labelAlign: 'left', labelFontWeight: 'bold', labelFontSize: 12 } } },
    spec: { width: WIDTH, height: HEIGHT, ...view } } as TopLevelSpec;
}
