/**
 * Speed-up vs full attention: 1 / the paired latency ratio of each comparison (findings.ts, paired.ts)
 * per sequence length, with its 95 % interval as an error bar; a rule at 1× (above it the variant
 * is faster). A point whose bar crosses the rule is "no measurable difference".
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultLine } from '../../results/types.ts';
import type { Finding } from '../findings.ts';
import { byEngine, colorByVariant, fadeUnselected, legendToggle, seqLenAxis } from './series.ts';

export function speedupChart(lines: ResultLine[], _meta: unknown, found: Finding[]): TopLevelSpec | undefined {
  // A yardstick's comparison holds full against the module (ratio full / module): the module's speed-up vs full is the ratio itself.
  const rows = found.map((f) => ({ variant: f.yardstick ? f.baseline : f.subject, engine: f.engine, seqLen: f.seqLen,
    ...(f.yardstick ? { speedup: f.ratio, low: f.ci[0], high: f.ci[1] } : { speedup: 1 / f.ratio, low: 1 / f.ci[1], high: 1 / f.ci[0] }),
    verdict: f.yardstick ? `full: ${f.verdict}` : f.verdict, rounds: f.rounds, unreliable: f.unreliable ? 'yes' : '' }));
  if (rows.length === 0) return undefined;
  const color = colorByVariant(lines, rows);
  const y = { field: 'speedup', type: 'quantitative' as const, title: 'speed-up vs full (×), 95 % interval',
    scale: { type: 'log' as const } };
  return byEngine('Speed-up vs full attention', rows, {
    layer: [
      { mark: { type: 'rule', strokeDash: [4, 3], color: '#888' }, encoding: { y: { datum: 1 } } },
      { mark: { type: 'errorbar', ticks: true }, encoding: { x: seqLenAxis(rows), y: { ...y, field: 'low' }, y2: { field: 'high' },
        color, opacity: fadeUnselected } },
      { mark: { type: 'line', point: true }, params: [legendToggle], encoding: {
        x: seqLenAxis(rows), y, color, opacity: fadeUnselected,
        tooltip: [{ field: 'variant' }, { field: 'engine' }, { field: 'seqLen', title: 'N' },
          { field: 'speedup', title: 'speed-up ×', format: '.3~g' }, { field: 'low', title: '95 % low', format: '.3~g' },
          { field: 'high', title: '95 % high', format: '.3~g' }, { field: 'verdict' }, { field: 'rounds' },
          ...(rows.some((r) => r.unreliable) ? [{ field: 'unreliable' }] : [])] } },
    ],
  });
}
