import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matMul64 } from '../../src/linalg/dense.ts';
import { createRng, normalArray } from '../../src/linalg/rng.ts';

/** The textbook triple loop. */
function naive(a: Float64Array, b: Float64Array, m: number, k: number, n: number, bias?: Float64Array): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = bias ? bias[j] : 0;
    for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
    c[i * n + j] = s;
  }
  return c;
}

test('matMul64 equals the triple loop on both paths (rows below 8, panels of 4 columns with 4-row tiles) and every remainder', () => {
  const rng = createRng('dense');
  for (const [m, k, n] of [[1, 5, 3], [7, 9, 13], [8, 4, 4], [9, 3, 6], [13, 17, 11], [33, 64, 30], [4, 1, 2]]) {
    const a = Float64Array.from(normalArray(rng, m * k, 1)), b = Float64Array.from(normalArray(rng, k * n, 1));
    const bias = Float64Array.from(normalArray(rng, n, 1));
    for (const withBias of [undefined, bias]) {
      const got = matMul64(a, b, m, k, n, withBias), want = naive(a, b, m, k, n, withBias);
      assert.equal(got.length, m * n);
      const worst = Math.max(...got.map((x, i) => Math.abs(x - want[i])));
      assert.ok(worst < 1e-12, `${m}×${k}·${k}×${n}${withBias ? ' + bias' : ''}: off by ${worst}`);
    }
  }
  // Plain arrays and Float32Array operands are read as float64.
  assert.deepEqual([...matMul64([1, 2, 3, 4], Float32Array.from([5, 6, 7, 8]), 2, 2, 2)], [19, 22, 43, 50]);
});
