import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, type TopLevelSpec } from 'vega-lite';
import { CHARTS } from '../../src/report/charts/index.ts';
import { accuracyChart } from '../../src/report/charts/accuracy.ts';
import { ratiosChart } from '../../src/report/charts/ratios.ts';
import { compareRuns } from '../../src/report/compare.ts';
import { latencyChart } from '../../src/report/charts/latency.ts';
import { memoryChart } from '../../src/report/charts/memory.ts';
import { paramsChart } from '../../src/report/charts/params.ts';
import { speedupChart } from '../../src/report/charts/speedup.ts';
import { throughputChart } from '../../src/report/charts/throughput.ts';
import { toSvg } from '../../src/report/svg.ts';
import { comparisons } from '../../src/report/findings.ts';
import { timelineChart } from '../../src/report/charts/timeline.ts';
import { spectrumChart } from '../../src/report/charts/spectrum.ts';
import type { ResultLine } from '../../src/results/types.ts';
import { failedLine, fixtureMeta, fixtureRun, okLine } from './fixtures.ts';

/* eslint-disable @typescript-eslint/no-explicit-any -- specs are inspected as plain JSON */
const view = (s: TopLevelSpec): any => ('spec' in s ? s.spec : s);
const layers = (s: TopLevelSpec): any[] => view(s).layer ?? [view(s)];
const values = (s: TopLevelSpec): any[] => (s as any).data.values;
const mainLayer = (s: TopLevelSpec) => layers(s).find((l) => l.params)!;
const onnxOnly = (lines: ResultLine[]) => lines.filter((l) => l.engine === 'onnx');
/** A layer read from a file (--weights): its spectrum is drawn; one exact zero (rank-deficient Wo) has no place on a log scale. */
const weightsFile = { basename: 'layer.safetensors', sha256: 'ab'.repeat(32), format: 'safetensors' as const, scheme: 'hf-bert',
  prefix: 'encoder.layer.3.', dModel: 4, dtypes: ['BF16'], biases: true,
  spectrum: { q: [4, 2, 1, 0.5], k: [3, 3, 1, 1], v: [2, 1, 1, 1], o: [5, 1, 0.1, 0] } };
const withCeilings = fixtureMeta({ ceilings: { 'onnx/cpu': { gflops: 50, shape: '512×512×512', medianMs: 5.4 } }, weightsFile });
const LABELS = ['full attention', 'LoRA r=8 α=16 on q,v (merged)', 'LoRA r=8 α=16 on q,v (unmerged)', 'sliding window w=64', 'SVD r=16',
  'Linformer k=32'];

test('latency: log–log, one series per variant configuration, p25–p75 band, a facet row per engine', () => {
  const spec = latencyChart(fixtureRun())!;
  assert.deepEqual((spec as any).facet.row.field, 'engine');
  const [band, line] = layers(spec);
  const x = view(spec).encoding.x;
  assert.equal(x.field, 'seqLen');
  assert.deepEqual(x.scale, { type: 'log', base: 2 });
  assert.deepEqual(x.axis.values, [128, 256, 512, 1024]);
  assert.equal(line.encoding.y.field, 'median');
  assert.equal(line.encoding.y.scale.type, 'log');
  assert.deepEqual([band.encoding.y.field, band.encoding.y2.field], ['p25', 'p75']);
  assert.equal(line.encoding.color.field, 'variant');
  assert.deepEqual(new Set(values(spec).map((r) => r.variant)), new Set(LABELS));
  assert.equal(values(spec).length, 5 * 4 * 2 + 4, 'every ok case once; the skipped one left out');
  const row = values(spec).find((r) => r.variant === 'full attention' && r.engine === 'tfjs/wasm' && r.seqLen === 512);
  assert.equal(row.median, 32);
});

test('one engine: no facet; legend toggling is a point selection bound to the legend', () => {
  const spec = latencyChart(onnxOnly(fixtureRun()))!;
  assert.ok(!('facet' in spec));
  assert.deepEqual(mainLayer(spec).params, [{ name: 'variants', select: { type: 'point', fields: ['variant'] }, bind: 'legend' }]);
  assert.deepEqual(mainLayer(spec).encoding.opacity.condition, { param: 'variants', value: 1 });
});

test('a variant keeps its colour in every chart', () => {
  const colour = (s: TopLevelSpec, label: string) => {
    const scale = layers(s).find((l) => l.encoding?.color)!.encoding.color.scale;
    return scale.range[scale.domain.indexOf(label)];
  };
  const lines = fixtureRun();
  for (const label of ['sliding window w=64', 'SVD r=16']) {
    assert.equal(colour(speedupChart(lines, undefined, comparisons(lines))!, label), colour(latencyChart(lines)!, label), label);
  }
  assert.equal(layers(latencyChart(lines)!).find((l) => l.encoding?.color)!.encoding.color.scale.domain[0], 'full attention');
});

test('training steps, failed cases and noisy timings: excluded, excluded, and named in the tooltip', () => {
  const train = { ...okLine({ seqLen: 256, median: 99 }), mode: 'train' } as unknown as ResultLine;
  const noisy = okLine({ seqLen: 512, extra: { noisy: ['rme 25 % > 5 %'] } });
  const spec = latencyChart([okLine({ seqLen: 128 }), train, noisy])!;
  assert.deepEqual(values(spec).map((r) => r.seqLen), [128, 512]);
  assert.equal(values(spec)[1].noisy, 'rme 25 % > 5 %');
  assert.ok(mainLayer(spec).encoding.tooltip.some((t: any) => t.field === 'noisy'));
  assert.ok(!mainLayer(latencyChart([okLine({})])!).encoding.tooltip.some((t: any) => t.field === 'noisy'));
  assert.equal(latencyChart([train]), undefined);
});

test('speed-up: 1 / the paired ratio per engine and N with its interval as error bars, a rule at 1×, full not drawn', () => {
  const spec = speedupChart(fixtureRun(), undefined, comparisons(fixtureRun()))!;
  const at = (variant: string, engine: string, seqLen: number) =>
    values(spec).find((r) => r.variant === variant && r.engine === engine && r.seqLen === seqLen).speedup;
  assert.equal(at('sliding window w=64', 'onnx/cpu', 512), 2);
  assert.equal(at('sliding window w=64', 'tfjs/wasm', 128), 0.5);
  assert.ok(Math.abs(at('SVD r=16', 'onnx/cpu', 1024) - 1.25) < 1e-12);
  assert.ok(!values(spec).some((r) => r.variant === 'full attention'));
  assert.deepEqual(layers(spec)[0].encoding, { y: { datum: 1 } });
  assert.equal(mainLayer(spec).encoding.y.scale.type, 'log');
  const bars = layers(spec).find((l) => l.mark.type === 'errorbar');
  assert.deepEqual([bars.encoding.y.field, bars.encoding.y2.field], ['low', 'high']);
  const window512 = values(spec).find((r) => r.variant === 'sliding window w=64' && r.engine === 'onnx/cpu' && r.seqLen === 512);
  assert.ok(window512.low < 2 && window512.high > 2 && window512.low > 1.9 && window512.high < 2.1, JSON.stringify(window512));
  assert.equal(window512.verdict, 'faster');
  const noFull = fixtureRun().filter((l) => l.variant !== 'full');
  assert.equal(speedupChart(noFull, undefined, comparisons(noFull)), undefined, 'no full attention: no chart');
});

test('memory: measured and analytic per case on log–log, dashed by kind; zero bytes left out', () => {
  const lines = [okLine({ seqLen: 128, peakBytes: 1000 }), okLine({ seqLen: 256, peakBytes: 0 })];
  const spec = memoryChart(lines)!;
  assert.deepEqual(values(spec).map((r) => [r.seqLen, r.kind, r.bytes]),
    [[128, 'measured', 1000], [128, 'analytic', 4 * 2 * 4 * 128 ** 2], [256, 'analytic', 4 * 2 * 4 * 256 ** 2]]);
  const enc = view(spec).encoding;
  assert.equal(enc.y.scale.type, 'log');
  assert.equal(enc.x.scale.type, 'log');
  assert.equal(enc.strokeDash.field, 'kind');
});

test('parameters: total, trainable and at inference per configuration, at its largest N, on every engine alike', () => {
  const base = 4 * 64 * 64 + 4 * 64, params = { total: base, trainable: base, inference: base };
  const skipped = failedLine({ seqLen: 4096, status: 'skipped', reason: 'out of memory', params });
  const spec = paramsChart([...fixtureRun(), skipped])!;
  assert.equal((spec as any).facet.column.field, 'kind');
  const count = (variant: string, kind: string) => values(spec).filter((r) => r.variant === variant && r.kind === kind);
  assert.deepEqual(count('LoRA r=8 α=16 on q,v (unmerged)', 'at inference').map((r) => [r.count, r.seqLen]), [[base + 2048, 1024]]);
  assert.deepEqual(count('full attention', 'total').map((r) => [r.count, r.seqLen]), [[base, 4096]], 'analytic: a skipped case counts');
  assert.deepEqual(count('LoRA r=8 α=16 on q,v (merged)', 'at inference').map((r) => r.count), [base]);
  assert.deepEqual(count('LoRA r=8 α=16 on q,v (merged)', 'trainable').map((r) => r.count), [0], 'merged: nothing left to train');
  assert.deepEqual(count('LoRA r=8 α=16 on q,v (merged)', 'adapters it came from').map((r) => r.count), [2048]);
  assert.deepEqual(count('LoRA r=8 α=16 on q,v (unmerged)', 'adapters it came from').map((r) => r.count), [2048]);
  assert.equal(values(spec).length, 6 * 3 + 2);
  assert.deepEqual((spec as any).facet.column.sort, ['total', 'trainable', 'at inference', 'adapters it came from']);
  assert.equal(view(spec).mark, 'bar');
});

test('throughput: omitted without a measured ceiling; with one, a rule at it for that engine only', () => {
  assert.equal(throughputChart(fixtureRun(), fixtureMeta()), undefined);
  assert.equal(throughputChart(fixtureRun(), undefined), undefined);
  const spec = throughputChart(fixtureRun(), withCeilings)!;
  assert.deepEqual(new Set(values(spec).map((r) => `${r.engine}:${r.ceiling}`)), new Set(['onnx/cpu:50', 'tfjs/wasm:null']));
  const rule = layers(spec).find((l) => l.mark.type === 'rule');
  assert.deepEqual([rule.encoding.y.field, rule.encoding.y.aggregate], ['ceiling', 'max']);
  assert.equal(mainLayer(spec).encoding.y.field, 'gflops');
});

test('accuracy vs speed: relative error vs full (log) against speed-up (log), one point per variant and N', () => {
  const lines = [...fixtureRun(), okLine({ variant: 'svd', label: 'unmeasured', seqLen: 128, relErrVsFull: null })];
  const spec = accuracyChart(lines, undefined, comparisons(lines))!;
  const enc = mainLayer(spec).encoding;
  assert.deepEqual([enc.x.field, enc.x.scale.type, enc.y.field, enc.y.scale.type], ['speedup', 'log', 'relErrVsFull', 'log']);
  assert.equal(enc.size.field, 'seqLen');
  assert.ok(!values(spec).some((r) => r.variant === 'unmeasured'));
  const svd = values(spec).filter((r) => r.variant === 'SVD r=16' && r.engine === 'onnx/cpu');
  assert.deepEqual(svd.map((r) => [r.seqLen, r.relErrVsFull]), [[128, 0.07], [256, 0.07], [512, 0.07], [1024, 0.08]]);
  assert.ok(!values(spec).some((r) => String(r.variant).startsWith('LoRA')), 'an adapter\'s step is not an approximation error');
  assert.deepEqual([...new Set(values(spec).map((r) => r.variant))].sort(), ['Linformer k=32', 'SVD r=16', 'sliding window w=64']);
});

async function assertCompilesAndRenders(id: string, spec: TopLevelSpec | undefined) {
  assert.ok(spec, id);
  const warnings: string[] = [];
  const logger = { level() { return this; }, info() { return this; }, debug() { return this; },
    warn(...m: unknown[]) { warnings.push(m.join(' ')); return this; },
    error(...m: unknown[]) { warnings.push(m.join(' ')); return this; } };
  compile(spec, { logger: logger as any });
  assert.deepEqual(warnings, [], id);
  assert.match(await toSvg(spec), /^<svg[^>]*>.*<path/s, id);
}

test('every chart compiles without a Vega-Lite warning and pre-renders to SVG, facetted or not', async () => {
  for (const lines of [fixtureRun(), onnxOnly(fixtureRun())]) {
    for (const c of CHARTS) await assertCompilesAndRenders(c.id, c.build(lines, withCeilings, comparisons(lines)));
  }
  await assertCompilesAndRenders('ratios', ratiosChart(compareRuns(fixtureRun(), fixtureRun())));
});

test('spectrum: σ_i against i per projection, log–log, with the energy kept by rank i; no chart without a weights file', () => {
  const spec = spectrumChart([], withCeilings)!;
  const rows = values(spec);
  assert.equal(rows.length, 15, 'four projections of four values, less the zero');
  assert.deepEqual(rows.filter((r) => r.projection === 'Wq').map((r) => [r.rank, r.sigma, r.energy]),
    [[1, 4, 16 / 21.25], [2, 2, 20 / 21.25], [3, 1, 21 / 21.25], [4, 0.5, 1]]);
  assert.deepEqual([view(spec).encoding.x.scale.type, view(spec).encoding.y.scale.type], ['log', 'log']);
  assert.match((spec as any).title.subtitle, /^sha256 abababababababab…, hf-bert encoder\.layer\.3\.$/);
  assert.equal(spectrumChart([], fixtureMeta({})), undefined);
});

test('ratios: NEW/BASE per comparable case on a log scale, coloured by verdict, rules at 1× and the thresholds', () => {
  const spec = ratiosChart(compareRuns(fixtureRun(), fixtureRun(), 1.25))!;
  assert.equal(values(spec).length, fixtureRun().length - 1, 'the skipped case has no ratio');
  assert.ok(values(spec).every((r) => r.ratio === 1 && r.verdict === 'unchanged'));
  assert.deepEqual(layers(spec).filter((l) => l.mark.type === 'rule').map((l) => l.encoding.x.datum), [1, 1.25, 0.8]);
  const points = layers(spec).at(-1)!.encoding;
  assert.deepEqual([points.x.field, points.x.scale.type, points.color.field], ['ratio', 'log', 'verdict']);
  assert.equal(ratiosChart(compareRuns([], fixtureRun())), undefined);
});

test('timeline: the load samples above one bar per timing round, on a shared time axis', () => {
  const spec = timelineChart(fixtureRun(), fixtureMeta()) as any;
  const [load, bars] = spec.vconcat;
  assert.deepEqual(spec.resolve, { scale: { x: 'shared' } });
  assert.equal(load.data.values.length, 4 + 4, 'the load average and the runnable count at each of four samples');
  assert.equal(bars.data.values.length, 3 * (fixtureRun().length - 1), 'three rounds of every measured case');
  assert.deepEqual([bars.encoding.x.field, bars.encoding.x2.field, bars.mark.type], ['start', 'end', 'bar']);
  assert.equal(timelineChart([failedLine({ status: 'error', reason: 'x' })], fixtureMeta()), undefined);
});
