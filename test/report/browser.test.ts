/**
 * Reports in headless Chromium: every chart renders with zero console errors and zero network
 * requests, the legend toggles variants, the static SVGs stand in without JavaScript, user strings
 * stay text. A real quick-suite run's report is opened here too: test/cli/bench-e2e.test.ts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { compareRuns } from '../../src/report/compare.ts';
import { renderComparison } from '../../src/report/compare-page.ts';
import { renderReport } from '../../src/report/index.ts';
import { tmpDir } from '../cli/helpers.ts';
import { closeBrowser, openReport } from './browser.ts';
import { fixtureMeta, fixtureRun, hostileRun, okLine, XSS } from './fixtures.ts';

const ALL_CHARTS = ['latency', 'speedup', 'memory', 'params', 'throughput', 'accuracy', 'timeline'];
let dir = '', fixtureFile = '', hostileFile = '';

after(closeBrowser); // one browser for the file's reports, each in a context of its own

before(async () => {
  dir = tmpDir('attnbench-browser-');
  fixtureFile = path.join(dir, 'fixture.html');
  const ceilings = { 'onnx/cpu': { gflops: 50, shape: '[1024×1024]²', medianMs: 43 },
    'tfjs/wasm': { gflops: 20, shape: '[1024×1024]²', medianMs: 107 } };
  writeFileSync(fixtureFile, await renderReport(fixtureRun(), fixtureMeta({ ceilings })));
  const hostile = hostileRun();
  hostileFile = path.join(dir, 'hostile.html');
  writeFileSync(hostileFile, await renderReport(hostile.lines, hostile.meta));
});

test('every chart of a two-engine report renders, with zero console errors and zero requests', async () => {
  const r = await openReport(fixtureFile);
  try {
    assert.deepEqual(await r.charts(), ALL_CHARTS.map((id) => ({ id, state: 'live' })));
    assert.deepEqual(r.consoleErrors, []);
    assert.deepEqual(r.requests, []);
    assert.deepEqual((await r.chartSeries('latency')).sort(), ['full attention', 'Linformer k=32', 'LoRA r=8 α=16 on q,v (merged)',
      'LoRA r=8 α=16 on q,v (unmerged)', 'SVD r=16', 'sliding window w=64'].sort());
    assert.equal(await r.pathCount('latency'), 2 * (5 + 5) + 2, 'a line and a band per variant and engine (Linformer on tfjs only)');
    for (const id of ['latency', 'speedup', 'memory', 'throughput', 'accuracy']) {
      const headers = await r.page.$$eval(`#${id} .live g[class*="row_header"] .role-title-text`, (ts) => ts.map((t) => t.textContent));
      assert.deepEqual(headers, ['onnx/cpu', 'tfjs/wasm'], `${id}: a facet row per engine`);
    }
  } finally {
    await r.close();
  }
});

test('clicking a legend entry singles out that variant', async () => {
  const r = await openReport(fixtureFile);
  try {
    const lines = () => r.page.$$eval('#latency .live .mark-line path', (ps) =>
      ps.map((p) => ({ variant: (p as unknown as { __data__?: { datum?: { variant?: string } } }).__data__?.datum?.variant,
        opacity: p.getAttribute('opacity') })));
    assert.ok((await lines()).every((l) => l.opacity === '1'));
    await r.page.click('#latency .live .role-legend-label text >> text="sliding window w=64"');
    await r.page.waitForFunction(() => [...document.querySelectorAll('#latency .live .mark-line path')]
      .some((p) => p.getAttribute('opacity') !== '1'));
    for (const l of await lines()) assert.equal(l.opacity, l.variant === 'sliding window w=64' ? '1' : '0.12', l.variant);
  } finally {
    await r.close();
  }
});

test('with JavaScript disabled the static SVG of every chart is visible', async () => {
  const r = await openReport(fixtureFile, { javaScript: false });
  try {
    assert.deepEqual(await r.charts(), ALL_CHARTS.map((id) => ({ id, state: 'static' })));
    for (const id of ALL_CHARTS) {
      assert.equal(await r.page.locator(`#${id} .static svg`).isVisible(), true, id);
      const box = await r.page.locator(`#${id} .static svg`).boundingBox();
      assert.ok(box && box.width > 300 && box.height > 150, `${id}: ${JSON.stringify(box)}`);
    }
    assert.deepEqual(r.requests, []);
  } finally {
    await r.close();
  }
});

test('user-supplied strings are shown as text and run nothing', async () => {
  const r = await openReport(hostileFile);
  try {
    assert.deepEqual(r.dialogs, []);
    assert.deepEqual(r.consoleErrors, []);
    assert.equal(await r.page.locator('h1').textContent(), `attnbench — suite ${XSS}`);
    assert.equal(await r.page.locator('#cases td', { hasText: 'evil' }).first().textContent(), `evil ${XSS}`);
    assert.ok((await r.chartSeries('latency')).some((t) => t.startsWith('evil </script><script>')), 'legend text');
    assert.equal(await r.page.locator('body script:not([type]), head script').count(), 4, 'only the page’s own scripts');
  } finally {
    await r.close();
  }
});

test('compare.html renders its chart of ratios, with zero console errors and zero requests', async () => {
  const file = path.join(dir, 'compare.html');
  const slower = fixtureRun().map((l) => (l.status === 'ok' && l.variant === 'svd'
    ? okLine({ variant: 'svd', label: l.label, engine: l.engine as 'onnx', seqLen: l.shape.seqLen, median: l.latencyMs.median * 1.5 })
    : l));
  writeFileSync(file, await renderComparison(compareRuns(fixtureRun(), slower), { dir: 'base', meta: fixtureMeta() },
    { dir: 'new', meta: undefined }));
  const r = await openReport(file);
  try {
    assert.deepEqual(await r.charts(), [{ id: 'ratios', state: 'live' }]);
    assert.deepEqual(r.consoleErrors, []);
    assert.deepEqual(r.requests, []);
    assert.deepEqual(await r.chartSeries('ratios'), ['slower', 'faster', 'unchanged', 'unreliable']);
    assert.equal(await r.page.locator('#ratios .live .mark-symbol.role-mark path').count(), fixtureRun().length - 1,
      'a point per comparable case');
  } finally {
    await r.close();
  }
});
