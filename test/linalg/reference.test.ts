/** The float64 reference remembers recent projections by content (src/linalg/reference.ts): never a stale product. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceAttention, type AttentionWeights } from '../../src/linalg/reference.ts';
import { matMul64 } from '../../src/linalg/dense.ts';
import { createRng, normalArray } from '../../src/linalg/rng.ts';

const s = { batch: 2, seqLen: 12, dModel: 16, heads: 4 };

function weights(seed: string): Record<keyof AttentionWeights, Float32Array> {
  const rng = createRng(seed), D = s.dModel;
  const m = () => normalArray(rng, D * D, 0.25), b = () => normalArray(rng, D, 0.1);
  return { Wq: m(), bq: b(), Wk: m(), bk: b(), Wv: m(), bv: b(), Wo: m(), bo: b() };
}

/** The same attention, written out directly (no remembered products): softmax(QKᵀ/√E)·V·Wo per head. */
function direct(x: Float32Array, w: AttentionWeights): Float64Array {
  const { batch: B, seqLen: N, dModel: D, heads: H } = s, E = D / H, out = new Float64Array(B * N * D);
  for (let b = 0; b < B; b++) {
    const xb = Float64Array.from(x.subarray(b * N * D, (b + 1) * N * D));
    const [q, k, v] = [[w.Wq, w.bq], [w.Wk, w.bk], [w.Wv, w.bv]].map(([W, bias]) => matMul64(xb, W, N, D, D, bias));
    const ctx = new Float64Array(N * D);
    for (let i = 0; i < N; i++) for (let h = 0; h < H; h++) {
      const sc = Array.from({ length: N }, (_, j) => {
        let t = 0;
        for (let e = 0; e < E; e++) t += q[i * D + h * E + e] * k[j * D + h * E + e];
        return t / Math.sqrt(E);
      });
      const mx = Math.max(...sc), p = sc.map((t) => Math.exp(t - mx)), z = p.reduce((a, c) => a + c, 0);
      for (let j = 0; j < N; j++) for (let e = 0; e < E; e++) ctx[i * D + h * E + e] += (p[j] / z) * v[j * D + h * E + e];
    }
    out.set(matMul64(ctx, w.Wo, N, D, D, w.bo), b * N * D);
  }
  return out;
}

const close = (a: Float64Array, b: Float64Array) => a.every((x, i) => Math.abs(x - b[i]) <= 1e-12 * (1 + Math.abs(b[i])));

test('repeated and interleaved references match a direct computation; a weight changed in place is a new product', () => {
  const x = normalArray(createRng('x'), s.batch * s.seqLen * s.dModel, 1), a = weights('a'), b = weights('b');
  for (const w of [a, b, a, b]) assert.ok(close(referenceAttention(s, x, w), direct(x, w)));
  const before = referenceAttention(s, x, a);
  a.Wk[3] += 0.5; // the same array, other bytes: the remembered K must not answer
  const after = referenceAttention(s, x, a);
  assert.ok(!close(after, before), 'K changed, so the output changes');
  assert.ok(close(after, direct(x, a)));
  // The same values held as float64 are the same product, however the weight is typed.
  assert.ok(close(referenceAttention(s, x, { ...a, Wk: Float64Array.from(a.Wk) }), after));
  const rows = [0, 5, 11];
  const some = referenceAttention(s, x, a, { rows }), all = direct(x, a);
  for (let bi = 0; bi < s.batch; bi++) rows.forEach((i, r) => {
    const got = some.subarray((bi * rows.length + r) * s.dModel, (bi * rows.length + r + 1) * s.dModel);
    assert.ok(close(Float64Array.from(got), all.slice((bi * s.seqLen + i) * s.dModel, (bi * s.seqLen + i + 1) * s.dModel)));
  });
});
