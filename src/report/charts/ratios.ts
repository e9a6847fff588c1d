/**
 * The comparison chart: NEW/BASE median latency per case both runs measured (log), coloured by
 * verdict, with rules at 1× and at the threshold either way.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Field } from 'vega-lite/types_unstable/channeldef.js';
import type { UnitSpec } from 'vega-lite/types_unstable/spec/index.js';
import type { Comparison } from '../compare.ts';
import { VL_SCHEMA } from './series.ts';

const VERDICT_COLORS = { slower: '#d62728', faster: '#2ca02c', unchanged: '#7f7f7f', unreliable: '#e0a800' };

export function ratiosChart(cmp: Comparison): TopLevelSpec | undefined {
  const rows = cmp.cases.flatMap((c) => (c.ratio === undefined ? [] : [{ case: `${c.label} · ${c.engine} · N=${c.seqLen}`,
    variant: c.label, engine: c.engine, seqLen: c.seqLen, ratio: c.ratio, baseMedian: c.baseMedian, newMedian: c.newMedian, p: c.p,
    verdict: c.verdict }]));
  if (rows.length === 0) return undefined;
  const rule = (x: number, color: string): UnitSpec<Field> => ({ mark: { type: 'rule', strokeDash: [4, 3], color },
    encoding: { x: { datum: x } } });
  return {
    $schema: VL_SCHEMA,
    title: 'NEW / BASE median latency per case',
    data: { values: rows },
    width: 480, height: { step: 18 },
    layer: [
      rule(1, '#888'), rule(cmp.threshold, VERDICT_COLORS.slower), rule(1 / cmp.threshold, VERDICT_COLORS.faster),
      { mark: { type: 'point', filled: true, size: 70 }, encoding: {
        y: { field: 'case', type: 'nominal', sort: null, title: null, axis: { labelLimit: 360 } },
        x: { field: 'ratio', type: 'quantitative', title: 'NEW / BASE median latency (×)', scale: { type: 'log' } },
        color: { field: 'verdict', type: 'nominal', title: 'verdict',
          scale: { domain: Object.keys(VERDICT_COLORS), range: Object.values(VERDICT_COLORS) } },
        tooltip: [{ field: 'variant' }, { field: 'engine' }, { field: 'seqLen', title: 'N' },
          { field: 'ratio', title: 'NEW/BASE', format: '.3f' },
          { field: 'baseMedian', title: 'BASE median ms', format: '.4~g' }, { field: 'newMedian', title: 'NEW median ms', format: '.4~g' },
          { field: 'p', title: 'Mann–Whitney p', format: '.3g' }, { field: 'verdict' }] } },
    ],
  };
}
