/**
 * Float64 reference multi-head self-attention, written for clarity, not speed:
 *   Q = x·Wq + bq, K = x·Wk + bk, V = x·Wv + bv            (x: [N, D] per batch entry)
 *   y_i = Σ_h softmax_j∈keys(i)(Q_ih·K_jhᵀ / √E) V_jh · Wo + bo
 * A causal shape keeps only the keys j ≤ i of every query i (decoder attention).
 * Options let a variant describe its own pattern exactly (allowed keys per query, a transform of
 * K and V along the sequence as in Linformer), so "exactness" of a sparse or projected variant
 * is checked against a float64 computation of the same pattern.
 *
 * `rows` restricts the output to some query positions: each output row depends on one query and
 * all keys, so a sample of rows gives exact rows at a fraction of the cost (the accuracy
 * measurement uses this for large N).
 */
import type { Shape } from '../results/types.ts';
import { matMul64 } from './dense.ts';

/** Projection weights as [D, D] row-major matrices (x·W) and biases [D]. */
export interface AttentionWeights {
  Wq: ArrayLike<number>; bq: ArrayLike<number>;
  Wk: ArrayLike<number>; bk: ArrayLike<number>;
  Wv: ArrayLike<number>; bv: ArrayLike<number>;
  Wo: ArrayLike<number>; bo: ArrayLike<number>;
}

export interface ReferenceOptions {
  /** Query positions to compute (default: all N). */
  rows?: number[];
  /** Key positions query i attends to (default: all). Indices refer to the (transformed) keys. */
  keys?: (i: number) => number[];
  /** Replaces K and V ([N, D] each) by [S, D] matrices, e.g. Linformer's E·K and F·V. */
  transformKV?: (k: Float64Array, v: Float64Array) => { k: Float64Array; v: Float64Array; s: number };
}

/** Output rows [B, rows, D], float64. */
export function referenceAttention(shape: Shape, x: ArrayLike<number>, w: AttentionWeights,
  opts: ReferenceOptions = {}): Float64Array {
  const { batch: B, seqLen: N, dModel: D, heads: H } = shape;
  const E = D / H, scale = 1 / Math.sqrt(E);
  const rows = opts.rows ?? [...Array(N).keys()];
  const out = new Float64Array(B * rows.length * D);
  for (let b = 0; b < B; b++) {
    const xb = Array.prototype.slice.call(x, b * N * D, (b + 1) * N * D) as number[];
    let k = matMul64(xb, w.Wk, N, D, D, w.bk), v = matMul64(xb, w.Wv, N, D, D, w.bv), S = N;
    if (opts.transformKV) ({ k, v, s: S } = opts.transformKV(k, v));
    const xr = new Float64Array(rows.length * D);
    rows.forEach((i, r) => xr.set(xb.slice(i * D, (i + 1) * D), r * D));
    const q = matMul64(xr, w.Wq, rows.length, D, D, w.bq);
    const ctx = new Float64Array(rows.length * D);
    const all = [...Array(S).keys()];
    rows.forEach((i, r) => {
      const pattern = opts.keys ? opts.keys(i) : all;
      const keys = shape.causal ? pattern.filter((j) => j <= i) : pattern;
      for (let h = 0; h < H; h++) {
        const scores = keys.map((j) => {
          let s = 0;
          for (let e = 0; e < E; e++) s += q[r * D + h * E + e] * k[j * D + h * E + e];
          return s * scale;
        });
        const max = Math.max(...scores);
        const p = scores.map((s) => Math.exp(s - max));
        const z = p.reduce((a, c) => a + c, 0);
        keys.forEach((j, t) => {
          for (let e = 0; e < E; e++) ctx[r * D + h * E + e] += (p[t] / z) * v[j * D + h * E + e];
        });
      }
    });
    out.set(matMul64(ctx, w.Wo, rows.length, D, D, w.bo), b * rows.length * D);
  }
  return out;
}
