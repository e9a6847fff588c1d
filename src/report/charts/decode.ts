/**
 * Decode charts (mode decode, src/modes/decode.ts): time per step and cache bytes against the
 * context N (log–log), and a roofline — arithmetic intensity (FLOP per byte moved) across, achieved
 * GFLOP/s up, under the engine's two measured roofs: its matmul ceiling (a horizontal line) and its
 * bandwidth ceiling at the sizes the lines used (the diagonal bandwidth × intensity). A roof is
 * drawn only where the run measured it.
 */
import type { TopLevelSpec } from 'vega-lite';
import { isDecodeOk } from '../../modes/index.ts';
import type { DecodeOkLine, ResultLine } from '../../results/types.ts';
import { bytes } from '../format.ts';
import { byEngine, colorByVariant, fadeUnselected, legendToggle, rowOf, tooltip } from './series.ts';

export const decodeOk = (lines: ResultLine[]): DecodeOkLine[] => lines.filter(isDecodeOk);

function rowsOf(lines: ResultLine[]) {
  return decodeOk(lines).map((l) => ({ ...rowOf(l), context: l.decode.context, kvHeads: l.shape.kvHeads ?? l.shape.heads,
    batch: l.shape.batch, ms: l.step.msPerStep, p25: l.latencyMs.p25, p75: l.latencyMs.p75, tokensPerS: l.step.tokensPerS,
    cacheBytes: l.decode.cacheBytes, cache: bytes(l.decode.cacheBytes), stepBytes: l.decode.bytes.total, flops: l.decode.flops,
    intensity: l.decode.intensity, gflops: l.step.gflops, gbs: l.step.achievedGBs, fraction: l.step.ideal?.fraction ?? null }));
}

const contextAxis = (rows: Array<{ context: number }>) => ({ field: 'context', type: 'quantitative' as const,
  title: 'context N (tokens in the cache)', scale: { type: 'log' as const, base: 2 },
  axis: { values: [...new Set(rows.map((r) => r.context))].sort((a, b) => a - b) } });

const COMMON_TIPS = [{ field: 'variant' }, { field: 'engine' }, { field: 'context', title: 'N' }, { field: 'kvHeads', title: 'KV heads' },
  { field: 'batch', title: 'B' }, { field: 'ms', title: 'ms per step', format: '.4~g' },
  { field: 'tokensPerS', title: 'tokens/s', format: '.4~g' }, { field: 'cache', title: 'cache' },
  { field: 'gbs', title: 'achieved GB/s', format: '.3~g' }, { field: 'fraction', title: 'fraction of the ideal step', format: '.2~f' }];

/** Median time per step against N, log–log, one line per configuration; whiskers p25–p75. */
export function decodeTimeChart(lines: ResultLine[]): TopLevelSpec | undefined {
  const rows = rowsOf(lines);
  if (rows.length === 0) return undefined;
  const y = { type: 'quantitative', scale: { type: 'log' } } as const;
  return byEngine('Time per decode step vs context', rows, {
    layer: [
      { mark: { type: 'line', point: true }, params: [legendToggle], encoding: { x: contextAxis(rows),
        y: { ...y, field: 'ms', title: 'median time per step (ms)' }, color: colorByVariant(lines, rows), opacity: fadeUnselected,
        tooltip: tooltip(rows, COMMON_TIPS) } },
      { mark: { type: 'rule' }, encoding: { x: contextAxis(rows), y: { ...y, field: 'p25' }, y2: { field: 'p75' },
        color: colorByVariant(lines, rows), opacity: fadeUnselected } },
    ],
  });
}

/** The cache's bytes against N, log–log: what grouped heads, a latent or a window save. */
export function decodeCacheChart(lines: ResultLine[]): TopLevelSpec | undefined {
  const rows = rowsOf(lines);
  if (rows.length === 0) return undefined;
  return byEngine('KV cache bytes vs context', rows, {
    mark: { type: 'line', point: true }, params: [legendToggle], encoding: { x: contextAxis(rows),
      y: { field: 'cacheBytes', type: 'quantitative', title: 'cache bytes (float32)', scale: { type: 'log' } },
      color: colorByVariant(lines, rows), opacity: fadeUnselected, tooltip: tooltip(rows, COMMON_TIPS) },
  });
}

/** The roofs of each engine: the matmul ceiling, and each bandwidth ceiling the lines used, as polylines over the chart's range. */
function roofRows(lines: DecodeOkLine[], xs: [number, number]) {
  const seen = new Map<string, { engine: string; peak: number; gbs: number; size: number }>();
  for (const l of lines) {
    const i = l.step.ideal, engine = `${l.engine}/${l.backend}`;
    if (i) seen.set(`${engine}|${i.bandwidthGBs}`, { engine, peak: i.matmulGflops, gbs: i.bandwidthGBs, size: i.bandwidthBytes });
  }
  return [...seen.values()].flatMap(({ engine, peak, gbs, size }) => {
    const knee = peak / gbs, roof = `${gbs.toPrecision(3)} GB/s (read of ${bytes(size)}), ${peak.toPrecision(3)} GFLOP/s`;
    return [xs[0], Math.min(Math.max(knee, xs[0]), xs[1]), xs[1]].map((x) => ({ engine, roof, x, y: Math.min(peak, gbs * x) }));
  });
}

/** Achieved GFLOP/s against arithmetic intensity, under the measured roofs. */
export function rooflineChart(lines: ResultLine[]): TopLevelSpec | undefined {
  const rows = rowsOf(lines), ok = decodeOk(lines);
  if (rows.length === 0) return undefined;
  const lo = Math.min(...rows.map((r) => r.intensity)) / 2, hi = Math.max(...rows.map((r) => r.intensity), 1) * 4;
  const roofs = roofRows(ok, [lo, hi]);
  const data = [...rows.map((r) => ({ ...r, kind: 'case' })), ...roofs.map((r) => ({ ...r, kind: 'roof' }))];
  const x = { type: 'quantitative', title: 'arithmetic intensity (FLOP per byte moved)', scale: { type: 'log' } } as const;
  const y = { type: 'quantitative', title: 'achieved GFLOP/s', scale: { type: 'log' } } as const;
  return byEngine('Roofline: decode steps under the measured bandwidth and matmul ceilings', data, {
    layer: [
      { transform: [{ filter: "datum.kind === 'roof'" }], mark: { type: 'line', strokeDash: [6, 3], color: '#444' },
        encoding: { x: { ...x, field: 'x' }, y: { ...y, field: 'y' }, detail: { field: 'roof' },
          tooltip: [{ field: 'roof', title: 'measured roof' }] } },
      { transform: [{ filter: "datum.kind === 'case'" }], mark: { type: 'point', filled: true, size: 60 }, params: [legendToggle],
        encoding: { x: { ...x, field: 'intensity' }, y: { ...y, field: 'gflops' }, color: colorByVariant(lines, rows),
          opacity: fadeUnselected, shape: { field: 'context', type: 'nominal', title: 'context N' },
          tooltip: tooltip(rows, [...COMMON_TIPS, { field: 'intensity', title: 'FLOP/byte', format: '.3~g' },
            { field: 'gflops', title: 'GFLOP/s', format: '.3~g' }]) } },
    ],
  });
}
