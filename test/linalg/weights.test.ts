import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, normalArray } from '../../src/linalg/rng.ts';
import { singularValues } from '../../src/linalg/svd.ts';
import { baseWeights, makeInput } from '../../src/linalg/weights.ts';
import { InputInitSchema, WeightsInitSchema } from '../../src/results/schema.ts';

const s = { batch: 2, seqLen: 8, dModel: 32, heads: 4 };

test('schemas: defaults decay 0.5 and rho 0.9; unknown or out-of-range settings are rejected', () => {
  assert.deepEqual(WeightsInitSchema.parse({ init: 'gaussian' }), { init: 'gaussian' });
  assert.deepEqual(WeightsInitSchema.parse({ init: 'spectrum' }), { init: 'spectrum', decay: 0.5 });
  assert.throws(() => WeightsInitSchema.parse({ init: 'lowrank' }));
  assert.throws(() => WeightsInitSchema.parse({ init: 'gaussian', decay: 1 }));
  assert.deepEqual(InputInitSchema.parse({ input: 'correlated' }), { input: 'correlated', rho: 0.9 });
  assert.throws(() => InputInitSchema.parse({ input: 'correlated', rho: 1 }));
});

test('gaussian weights: N(0, 1/D) matrices and N(0, 0.1²) biases, drawn in order', () => {
  const w = baseWeights(s, { init: 'gaussian' }, createRng(3));
  const rng = createRng(3);
  assert.deepEqual(w.Wq.data, normalArray(rng, 32 * 32, 1 / Math.sqrt(32)));
  assert.deepEqual(w.bq.data, normalArray(rng, 32, 0.1));
});

test('spectrum weights: σ_i ∝ i^−decay and ‖W‖_F² = D', () => {
  for (const decay of [0.5, 1.5]) {
    const w = baseWeights(s, { init: 'spectrum', decay }, createRng(4));
    for (const m of [w.Wq, w.Wo]) {
      const sv = singularValues(m.data, 32, 32);
      assert.ok(Math.abs(sv.reduce((a, x) => a + x * x, 0) / 32 - 1) < 1e-5);
      for (const i of [2, 7, 32]) assert.ok(Math.abs(sv[0] / sv[i - 1] / i ** decay - 1) < 1e-4, `decay ${decay}, σ_1/σ_${i}`);
    }
    assert.notDeepEqual(w.Wq.data, w.Wk.data);
  }
});

test('correlated inputs: unit variance and lag-1 correlation ρ along the sequence', () => {
  const long = { batch: 1, seqLen: 4000, dModel: 4, heads: 1 };
  const stats = (x: Float32Array) => {
    let v = 0, c = 0;
    for (let t = 0; t < long.seqLen; t++) {
      for (let d = 0; d < 4; d++) {
        v += x[t * 4 + d] ** 2;
        if (t > 0) c += x[t * 4 + d] * x[(t - 1) * 4 + d];
      }
    }
    return { variance: v / (4 * long.seqLen), lag1: c / v };
  };
  const ar = stats(makeInput(long, createRng(5), { input: 'correlated', rho: 0.8 }).data);
  assert.ok(Math.abs(ar.variance - 1) < 0.1 && Math.abs(ar.lag1 - 0.8) < 0.03, JSON.stringify(ar));
  const iid = stats(makeInput(long, createRng(5)).data);
  assert.ok(Math.abs(iid.lag1) < 0.03, JSON.stringify(iid));
  assert.deepEqual(makeInput(s, createRng(6)), makeInput(s, createRng(6), { input: 'gaussian' }));
});
