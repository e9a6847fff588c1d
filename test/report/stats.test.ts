import { test } from 'node:test';
import assert from 'node:assert/strict';
import { logLogSlope, mannWhitneyU, normalTail } from '../../src/report/stats.ts';

const close = (actual: number, expected: number, tol = 1e-6) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${actual} is not within ${tol} of ${expected}`);

test('normalTail matches the standard normal upper tail', () => {
  close(normalTail(0), 0.5, 1e-7);
  close(normalTail(1.959964), 0.025, 1e-7);
  close(normalTail(-1), 0.841344746, 1e-7);
});

test('Mann–Whitney U, no ties: completely separated samples of five', () => {
  // U_a = 0 (every a below every b); μ = 25/2 = 12.5; σ² = 25/12·11 = 22.9167, σ = 4.78714;
  // z = (25 − 12.5 − 0.5)/4.78714 = 2.50672; p = 2·(1 − Φ(2.50672)) = 0.0121858.
  const r = mannWhitneyU([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
  assert.equal(r.u, 0);
  close(r.z, 2.506718, 1e-5);
  close(r.p, 0.0121858, 1e-6);
  assert.deepEqual(mannWhitneyU([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]).p, r.p, 'two-sided: symmetric in the samples');
});

test('Mann–Whitney U with ties uses mid-ranks and the tie-corrected variance', () => {
  // Pooled ranks: 1→1; 2,2,2→3; 3,3→5.5; 4→7; 5→8. R_a = 1 + 3 + 3 + 5.5 = 12.5, U_a = 12.5 − 10 = 2.5.
  // μ = 8; Σ(t³ − t) = 24 + 6 = 30; σ² = 16/12·(9 − 30/56) = 11.2857, σ = 3.35942;
  // z = (13.5 − 8 − 0.5)/3.35942 = 1.48835; p = 0.136658.
  const r = mannWhitneyU([1, 2, 2, 3], [2, 3, 4, 5]);
  assert.equal(r.u, 2.5);
  close(r.z, 1.488352, 1e-5);
  close(r.p, 0.136658, 1e-5);
});

test('Mann–Whitney U: interleaved samples are not significant, identical ones give p = 1', () => {
  close(mannWhitneyU([1.0, 1.1, 1.2, 1.3, 1.4, 1.5], [1.05, 1.15, 1.25, 1.35, 1.45, 1.55]).p, 0.688921, 1e-5);
  assert.equal(mannWhitneyU([3, 3, 3], [3, 3, 3]).p, 1);
  assert.throws(() => mannWhitneyU([], [1]), /two non-empty samples/);
});

test('logLogSlope recovers power laws and fits least squares', () => {
  close(logLogSlope([256, 512, 1024].map((x) => ({ x, y: 3 * x ** 2 }))), 2, 1e-12);
  close(logLogSlope([256, 512, 1024].map((x) => ({ x, y: x }))), 1, 1e-12);
  // ln x = 0, ℓ, 2ℓ and ln y = 0, 2ℓ, 2ℓ (ℓ = ln 2): Sxy = 2ℓ², Sxx = 2ℓ², slope 1 (the first two points alone give 2).
  close(logLogSlope([{ x: 1, y: 1 }, { x: 2, y: 4 }, { x: 4, y: 4 }]), 1, 1e-12);
  assert.throws(() => logLogSlope([{ x: 2, y: 1 }, { x: 2, y: 3 }]), /two distinct x/);
});
