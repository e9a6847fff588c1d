import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureLatency, measureOverhead, noiseReasons, quantile, runningStats } from '../../src/measure/latency.ts';

test('quantile interpolates linearly between order statistics (R type 7)', () => {
  const xs = [1, 2, 4, 8, 16];
  assert.equal(quantile(xs, 0.5), 4);
  assert.equal(quantile(xs, 0.25), 2);
  assert.equal(quantile(xs, 0.75), 8);
  assert.equal(quantile(xs, 0.9), 8 + 0.6 * 8);
  assert.equal(quantile([3, 5], 0.5), 4);
});

test('running rme equals 1.96·s/√n/mean on known samples', () => {
  const r = runningStats();
  for (const x of [10, 12, 9, 11, 13, 10, 12, 11]) r.push(x);
  // mean 11, sample variance 12/7, s = 1.309307; 1.96·s/√8/11·100 = 8.24822 %
  assert.equal(r.n, 8);
  assert.ok(Math.abs(r.rme() - 8.24822) < 1e-4, String(r.rme()));
  const one = runningStats();
  one.push(5);
  assert.equal(one.rme(), Infinity);
});

test('sampling stops at the target rme, never below minSamples, and keeps every sample', async () => {
  let calls = 0;
  const steady = async () => { calls++; const t = performance.now(); while (performance.now() - t < 2); };
  const m = await measureLatency(steady,
    { timeMs: 5000, warmupMs: 5, warmupIterations: 1, minSamples: 7, targetRme: 50, downloadInside: true });
  // A 2 ms busy loop reaches rme ≤ 50 % at or soon after the minimum, far before the 5 s budget (2500 samples).
  assert.ok(m.stats.samples >= 7 && m.stats.samples < 100, `${m.stats.samples} samples`);
  assert.equal(m.samples.length, m.stats.samples);
  assert.ok(calls >= 8, 'warm-up calls come on top');
  assert.ok(m.stats.min >= 2 && m.stats.median >= m.stats.min && m.stats.max >= m.stats.median);
  assert.deepEqual(m.samples, [...m.samples].sort((a, b) => a - b));
});

test('the time budget bounds sampling when the target is out of reach: samples stop once they sum to the budget', async () => {
  const m = await measureLatency(async () => undefined,
    { timeMs: 100, warmupMs: 5, warmupIterations: 1, minSamples: 5, targetRme: 0, downloadInside: true });
  // tinybench adds each sample's duration and stops at the first sum ≥ the budget (no wall-clock bound asserted).
  const sum = m.samples.reduce((a, b) => a + b, 0);
  assert.ok(m.stats.samples > 5, `${m.stats.samples} samples`);
  assert.ok(sum >= 100 && sum - Math.max(...m.samples) < 100, `samples sum to ${sum} ms`);
});

test('harness overhead: the median of an empty task through the same path, positive and below a millisecond', async () => {
  const overhead = await measureOverhead();
  // A bound 50× the usual figure (≈ 0.005 ms): it says the harness is not the thing measured, and holds on a loaded machine.
  assert.ok(overhead > 0 && overhead < 1, `overhead ${overhead} ms`);
});

test('noisy timings are flagged with their reasons', () => {
  const clean = { median: 10, mean: 10, p25: 9.9, p75: 10.1, p99: 10.5, min: 9.8, max: 10.6, rme: 1, samples: 50 };
  assert.deepEqual(noiseReasons(clean, 0.001), []);
  assert.deepEqual(noiseReasons({ ...clean, rme: 7.25, min: 5 }, 0.5), [
    'rme 7.3 % > 5 %', 'median is 2.00× the fastest sample', 'harness overhead 0.5000 ms ≥ 2 % of the median']);
});
