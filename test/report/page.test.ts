import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport } from '../../src/report/index.ts';
import { fixtureMeta, fixtureRun, hostileRun } from './fixtures.ts';

test('every user-supplied string is escaped: no injected element, the text kept', async () => {
  const { lines, meta } = hostileRun();
  const html = await renderReport(lines, meta);
  assert.ok(!html.includes('<script>alert(1)'), 'no script element from the data');
  assert.match(html, /<h1>attnbench — suite &lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/h1>/);
  assert.match(html, /<td>evil &lt;\/script&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/td>/);
  assert.match(html, /ok ⚠ noisy: rme &lt;\/script&gt;/);
  // Specs travel as JSON in <script type="application/json">, with every '<' escaped.
  assert.match(html, /"variant":"evil \\u003c\/script>\\u003cscript>alert\(1\)\\u003c\/script>"/);
});

test('the page: charts with spec and data links, findings, every case with reasons, environment; absent charts omitted', async () => {
  const html = await renderReport(fixtureRun(), fixtureMeta());
  const sections = [...html.matchAll(/<section class="chart" id="([\w-]+)">/g)].map((m) => m[1]);
  assert.deepEqual(sections, ['latency', 'speedup', 'memory', 'params', 'accuracy', 'timeline'],
    'no ceilings recorded: no throughput chart');
  assert.equal(html.match(/>open the spec</g)?.length, 6);
  assert.equal(html.match(/>download the data</g)?.length, 6);
  assert.equal(html.match(/<div class="static"><svg/g)?.length, 6);
  assert.match(html, /<aside><h3>Scaling exponents<\/h3>/);
  assert.match(html,
    /<dt>Does the adapter change inference latency\?<\/dt><dd>LoRA r=8 α=16 on q,v \(merged\) on onnx\/cpu: no measurable/);
  assert.match(html, /<li class="faster">sliding window w=64 vs full attention at N=1024 on onnx\/cpu: faster, 4\.0× speed-up/);
  assert.match(html, /<tr class="skipped">.*skipped: out of memory: the case exceeded its 4096 MB JavaScript heap/);
  assert.match(html, /<section id="environment"><h2>Environment<\/h2>\n<p>Fixture CPU, 2 cores/);
  const withCeiling = await renderReport(fixtureRun(), fixtureMeta({ ceilings: { 'tfjs/wasm': { gflops: 20, shape: 'x', medianMs: 1 } } }));
  assert.match(withCeiling, /<section class="chart" id="throughput">/);
});

test('a run with no ok case: no charts, no vega libraries, the failures listed', async () => {
  const html = await renderReport(fixtureRun().filter((l) => l.status !== 'ok'), undefined);
  assert.ok(!html.includes('class="chart"'));
  assert.ok(!html.includes('vegaEmbed'));
  assert.match(html, /1 case\(s\) skipped or failed/);
  assert.match(html, /run\.json is missing/);
});

test('cases whose tfjs/wasm kernels ATTNBENCH_TFJS_KERNEL forced are named at the top; measured choices are not', async () => {
  const forced = { product: '[1,8,64,64]·[1,8,64,64]', kernel: 'loop' as const, loopMs: null, batchedMs: null, source: 'forced' as const };
  const measured = { ...forced, kernel: 'batched' as const, loopMs: 3, batchedMs: 2, source: 'measured' as const, measuredAt: 'x' };
  const ok = fixtureRun().filter((l) => l.status === 'ok' && l.engine === 'tfjs'); // tfjs/wasm's kernels: its engine's notice
  const withForced = ok.map((l, i) => ({ ...l, kernels: [i < 2 ? forced : measured] }));
  assert.match(await renderReport(withForced, fixtureMeta()),
    /<p class="notice">2 case\(s\) ran every batched product on the loop kernel, forced by ATTNBENCH_TFJS_KERNEL/);
  assert.doesNotMatch(await renderReport(ok.map((l) => ({ ...l, kernels: [measured] })), fixtureMeta()), /ATTNBENCH_TFJS_KERNEL/);
});

test('engines absent here are one notice at the top (CUDA ones named so); each reason stays in Environment', async () => {
  const info = (id: string, priority: number, available: boolean, device: string) => ({ engine: id.split('/')[0],
    backend: id.split('/')[1], id, priority, available, device, ...(!available && { reason: `${id} reason` }) });
  const engines = [info('onnx/cuda', 10, false, 'cuda'), info('tfjs/tensorflow-gpu', 20, false, 'cuda'),
    info('onnx/cpu', 30, true, 'cpu'), info('tfjs/tensorflow', 40, false, 'cpu'), info('tfjs/wasm', 50, true, 'cpu'),
    info('tfjs/cpu', 60, true, 'cpu')];
  const fallbacks = ['onnx/cuda', 'tfjs/tensorflow-gpu', 'tfjs/tensorflow'].map((id) => `${id} unavailable (${id} reason): using …`);
  const html = await renderReport(fixtureRun(), fixtureMeta({ engines, fallbacks }));
  const notices = [...html.matchAll(/<p class="notice">(.*?)<\/p>/g)].map((m) => m[1]);
  assert.deepEqual(notices.filter((n) => /absent|present|fallback/.test(n)), ['CUDA engines not present here: onnx/cuda, '
    + 'tfjs/tensorflow-gpu; also absent: tfjs/tensorflow; measured on onnx/cpu, tfjs/wasm '
    + '(<a href="#environment">why each is absent</a>)']);
  for (const id of ['onnx/cuda', 'tfjs/tensorflow-gpu', 'tfjs/tensorflow']) assert.match(html, new RegExp(`<td>${id} reason</td>`));
  assert.doesNotMatch(html, /<p class="notice">fallback/);
  assert.ok(!notices.join('').includes('tfjs/cpu'), 'an engine after the one selected is no fallback');
});
