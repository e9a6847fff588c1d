/**
 * Timeline of the run: the machine's load as sampled through it (run.json `load`: the 1-minute
 * load average and the tasks runnable at each instant) above the wall-clock window of every timing
 * round of every case, on one time axis, so a reader sees which rounds a busy spell overlapped.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunMeta } from '../../results/run-meta.ts';
import { modeOf } from '../../modes/index.ts';
import type { ResultLine } from '../../results/types.ts';
import { colorByVariant, engineOf, VL_SCHEMA } from './series.ts';

const WIDTH = 720;

export function timelineChart(lines: ResultLine[], meta: RunMeta | undefined): TopLevelSpec | undefined {
  // A round stands without its time only for a line written before rounds (src/results/migrate.ts): no window to draw.
  const timed = (l: ResultLine) => (l.status === 'ok' ? l.rounds.filter((r) => r.startedAt && r.endedAt) : []);
  const windows = lines.flatMap((l) => timed(l).map((r) => ({
    variant: l.label, case: `${l.label} · N=${l.shape.seqLen} · ${engineOf(l)}${modeOf(l.mode).report.tag}`,
    round: r.round, start: r.startedAt, end: r.endedAt, median: r.median })));
  if (windows.length === 0) return undefined;
  const load = (meta?.load ?? []).flatMap((s) => [{ at: s.at, measure: '1-min load average', value: s.load1 },
    ...(s.runnable === null ? [] : [{ at: s.at, measure: 'runnable tasks', value: s.runnable }])]);
  const cases = new Set(windows.map((w) => w.case)).size;
  const bars = { data: { values: windows }, width: WIDTH, height: Math.max(120, 11 * cases), mark: { type: 'bar' as const },
    encoding: {
      x: { field: 'start', type: 'temporal' as const, title: 'wall clock' }, x2: { field: 'end' },
      y: { field: 'case', type: 'nominal' as const, title: null, sort: { field: 'case' }, axis: { labelLimit: 320 } },
      color: colorByVariant(lines, windows),
      tooltip: [{ field: 'case' }, { field: 'round' }, { field: 'median', title: 'round median ms', format: '.4~g' },
        { field: 'start', type: 'temporal' as const, format: '%H:%M:%S' }, { field: 'end', type: 'temporal' as const, format: '%H:%M:%S' }],
    } };
  const loadView = { data: { values: load }, width: WIDTH, height: 110, mark: { type: 'line' as const, interpolate: 'step-after' as const },
    encoding: {
      x: { field: 'at', type: 'temporal' as const, title: null },
      y: { field: 'value', type: 'quantitative' as const, title: 'load' },
      strokeDash: { field: 'measure', type: 'nominal' as const, title: null },
      tooltip: [{ field: 'measure' }, { field: 'value', format: '.2f' }, { field: 'at', type: 'temporal' as const, format: '%H:%M:%S' }],
    } };
  return { $schema: VL_SCHEMA, title: 'Timeline: the machine’s load, and which round of which case ran when',
    vconcat: load.length > 0 ? [loadView, bars] : [bars], resolve: { scale: { x: 'shared' } } } as TopLevelSpec;
}
