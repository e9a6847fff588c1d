import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/linalg/rng.ts';
import { haarOrthogonal } from '../../src/linalg/weights.ts';

/** Modified Gram–Schmidt one column at a time: what haarOrthogonal computed before it took columns four at a time. */
function oneColumnAtATime(n: number, seed: string): Float64Array {
  const rng = createRng(seed), cols = Array.from({ length: n }, () => Float64Array.from({ length: n }, () => rng.normal()));
  for (let j = 0; j < n; j++) {
    const q = cols[j];
    for (let k = 0; k < j; k++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += cols[k][i] * q[i];
      for (let i = 0; i < n; i++) q[i] -= dot * cols[k][i];
    }
    const norm = Math.sqrt(q.reduce((s, x) => s + x * x, 0));
    for (let i = 0; i < n; i++) q[i] /= norm;
  }
  const out = new Float64Array(n * n);
  cols.forEach((q, j) => q.forEach((x, i) => { out[i * n + j] = x; }));
  return out;
}

test('haarOrthogonal is one-column-at-a-time Gram–Schmidt to the bit (full blocks of 4 and every tail), and orthogonal', () => {
  for (const n of [1, 3, 4, 6, 9, 67]) {
    const got = haarOrthogonal(n, createRng(`haar:${n}`)), want = oneColumnAtATime(n, `haar:${n}`);
    const differing = got.findIndex((x, i) => !Object.is(x, want[i]));
    assert.equal(differing, -1, `n=${n}: element ${differing} is ${got[differing]}, one column at a time ${want[differing]}`);
    let worst = 0;
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += got[i * n + a] * got[i * n + b];
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
    assert.ok(worst < 1e-12, `n=${n}: QᵀQ − I reaches ${worst}`);
  }
});
