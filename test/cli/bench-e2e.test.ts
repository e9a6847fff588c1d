import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { npmRun, tmpDir } from './helpers.ts';
import { openReport } from '../report/browser.ts';

let out = '';
let ran: ReturnType<typeof npmRun>;

before(() => {
  out = path.join(tmpDir(), 'run');
  ran = npmRun('bench', ['--suite', 'quick', '--out', out], 180_000);
});

test('npm run bench -- --suite quick exits 0 and says where the report is', () => {
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, new RegExp(`report: ${out}/report.html`));
  assert.match(ran.stdout, /full attention.*onnx\/cpu.*64/);
});

test('run.json records suite, argv, environment and engines', () => {
  const meta = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.equal(meta.suite.name, 'quick');
  assert.deepEqual(meta.argv, ['--suite', 'quick', '--out', out]);
  for (const k of ['cpuModel', 'cores', 'totalMemory', 'os', 'node', 'loadAverage']) assert.ok(k in meta.environment, k);
  assert.equal(meta.environment.loadAverage.end.length, 3);
  assert.deepEqual(meta.selected, ['onnx/cpu', 'tfjs/wasm']);
  assert.ok(meta.engines.find((e: { id: string; available: boolean }) => e.id === 'tfjs/tensorflow-gpu' && !e.available));
  assert.ok(meta.finishedAt >= meta.startedAt);
});

test('results.jsonl holds one complete line per case', () => {
  const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 6);
  for (const l of lines) {
    assert.equal(l.schema, 1);
    assert.equal(l.status, 'ok', l.reason);
    for (const k of ['runId', 'caseId', 'variant', 'options', 'label', 'engine', 'backend', 'device', 'timing', 'overheadMs', 'gflops']) {
      assert.ok(k in l, k);
    }
    assert.deepEqual(Object.keys(l.shape).sort(), ['batch', 'dModel', 'heads', 'seqLen']);
    assert.deepEqual(l.params, { total: 4 * 64 * 64 + 4 * 64, trainable: 4 * 64 * 64 + 4 * 64, inference: 4 * 64 * 64 + 4 * 64 });
    assert.equal(l.flops, 8 * l.shape.seqLen * 64 ** 2 + 4 * l.shape.seqLen ** 2 * 64);
    for (const k of ['median', 'mean', 'p75', 'p99', 'min', 'max', 'rme', 'samples']) assert.equal(typeof l.latencyMs[k], 'number', k);
    assert.ok(l.latencyMs.min <= l.latencyMs.median && l.latencyMs.median <= l.latencyMs.max);
    assert.ok(l.latencyMs.samples >= 5 && l.samplesMs.length === l.latencyMs.samples);
    assert.ok(typeof l.memory.peakBytes === 'number' && l.memory.peakBytes >= 0 && l.memory.analyticBytes > 0);
    if (l.memory.analyticBytes > 1e6) assert.ok(l.memory.peakBytes > 0, `${l.caseId}: a pass of > 1 MB shows`);
    assert.match(l.memory.source, l.engine === 'onnx' ? /VmHWM/ : /tf\.profile/);
    assert.ok(l.accuracy.relErr < 1e-4, `relErr ${l.accuracy.relErr}`);
    assert.match(l.accuracy.reference, /float64 full reference/);
  }
});

test('report.html is self-contained and renders the latency chart in a browser', async () => {
  const html = readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/i, 'nothing loaded from elsewhere');
  assert.ok(existsSync(path.join(out, 'report.html')));
  const page = await openReport(path.join(out, 'report.html'));
  try {
    assert.deepEqual(page.consoleErrors, []);
    assert.deepEqual(page.requests, []);
    const series = await page.chartSeries('latency');
    assert.deepEqual(series, ['full attention'], 'one colour per variant configuration, engines in facets');
    assert.equal(await page.pathCount('latency'), 2 + 2, 'two lines and two p25–p75 bands');
  } finally {
    await page.close();
  }
});
