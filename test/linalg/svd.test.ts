import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, normalArray } from '../../src/linalg/rng.ts';
import { exactSvd, randomizedSvd, rankForEnergy, singularValues } from '../../src/linalg/svd.ts';
import { spectralMatrix } from '../../src/linalg/weights.ts';

const D = 48;
const decaying = spectralMatrix(D, 1, createRng('svd-test'));
const prescribed = (() => {
  const raw = Array.from({ length: D }, (_, i) => 1 / (i + 1));
  const c = Math.sqrt(D / raw.reduce((s, v) => s + v * v, 0));
  return raw.map((v) => c * v);
})();

test('exact: singular values of a spectrum matrix are the prescribed ones', () => {
  const sv = singularValues(decaying, D, D);
  sv.forEach((s, i) => assert.ok(Math.abs(s - prescribed[i]) < 1e-5 * prescribed[0], `σ_${i + 1}`));
});

test('exact: error and energy are the Eckart–Young tail of the spectrum', () => {
  const f = exactSvd(decaying, D, D, 6);
  const total = prescribed.reduce((s, v) => s + v * v, 0);
  const tail = prescribed.slice(6).reduce((s, v) => s + v * v, 0);
  assert.equal(f.rank, 6);
  assert.equal(f.us.length, D * 6);
  assert.equal(f.vt.length, 6 * D);
  assert.ok(Math.abs(f.relError - Math.sqrt(tail / total)) < 1e-6);
  assert.ok(Math.abs(f.energy - (1 - tail / total)) < 1e-6);
});

test('randomized (Halko et al.) is within 1% of the optimal error on a decaying spectrum', () => {
  for (const r of [4, 10]) {
    const exact = exactSvd(decaying, D, D, r), sketch = randomizedSvd(decaying, D, D, r, createRng(r));
    assert.ok(sketch.relError <= exact.relError * 1.01, `r=${r}: ${sketch.relError} vs ${exact.relError}`);
    sketch.singularValues.forEach((s, i) => assert.ok(Math.abs(s - exact.singularValues[i]) < 1e-3 * exact.singularValues[0]));
  }
});

test('rectangular matrices at full rank are reconstructed by both methods', () => {
  const a = normalArray(createRng('rect'), 30 * 20, 1);
  assert.ok(exactSvd(a, 30, 20, 20).relError < 1e-10);
  assert.ok(randomizedSvd(a, 30, 20, 25, createRng(1)).relError < 1e-10, 'rank clamped to min(m, n)');
  assert.ok(exactSvd(a, 20, 30, 20).relError < 1e-10);
});

test('rankForEnergy: the smallest rank whose energy share reaches the target', () => {
  const sv = [3, 2, 1]; // cumulative shares 9/14, 13/14, 1
  assert.equal(rankForEnergy(sv, 0.5), 1);
  assert.equal(rankForEnergy(sv, 9 / 14), 1);
  assert.equal(rankForEnergy(sv, 0.9), 2);
  assert.equal(rankForEnergy(sv, 0.93), 3);
  assert.equal(rankForEnergy(sv, 1), 3);
});
