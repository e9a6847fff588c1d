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
 *
 * Grouped-query attention (kvHeads < H, Ainslie et al. 2023): K and V are [N, kvHeads·E]; query
 * head h reads K/V head ⌊h / (H / kvHeads)⌋, so each group of H / kvHeads consecutive query heads
 * shares one K/V head (Hugging Face Llama's repeat_kv order).
 */
import { kvHeadsOf, kvWidth, type Shape } from '../results/types.ts';
import { digest } from './cache.ts';
import { matMul64 } from './dense.ts';

/**
 * The last few projections computed in this process, by content: the variants of one shape project
 * the same input through the same base weights (full, flash, the sparse ones, Linformer; LoRA's
 * untouched projections), and their checks run one after another in one worker, so each K, V and Q
 * product is computed once per group there instead of once per variant. The key is the bytes of
 * every operand, so a different weight (LoRA's W', SVD's U·V) is a different product.
 */
const recentProducts = new Map<string, Float64Array>();
const RECENT_PRODUCTS = 6;

const bytesOf = (a: ArrayLike<number>): ArrayBufferView => (ArrayBuffer.isView(a) ? a : Float64Array.from(a));

/** x[m×k]·W[k×n] + bias, remembered (recentProducts); callers never write to the result. */
function projection(x: Float64Array, w: ArrayLike<number>, m: number, k: number, n: number, bias: ArrayLike<number>): Float64Array {
  const kind = (a: ArrayLike<number>) => a.constructor.name;
  const key = `${m}:${k}:${n}:${kind(w)}:${kind(bias)}:${digest(x, bytesOf(w), bytesOf(bias))}`;
  let product = recentProducts.get(key);
  if (!product) {
    product = matMul64(x, w, m, k, n, bias);
    if (recentProducts.size >= RECENT_PRODUCTS) recentProducts.delete(recentProducts.keys().next().value!);
  } else {
    recentProducts.delete(key); // most recently used last
  }
  recentProducts.set(key, product);
  return product;
}

/** Projection weights as row-major matrices (x·W): Wq, Wo [D, D], Wk, Wv [D, kvHeads·E]; biases to match. */
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
  /** Replaces K and V ([N, kvHeads·E] each) by [S, kvHeads·E] matrices, e.g. Linformer's E·K and F·V. */
  transformKV?: (k: Float64Array, v: Float64Array) => { k: Float64Array; v: Float64Array; s: number };
}

/** Output rows [B, rows, D], float64. */
export function referenceAttention(shape: Shape, x: ArrayLike<number>, w: AttentionWeights,
  opts: ReferenceOptions = {}): Float64Array {
  const { batch: B, seqLen: N, dModel: D, heads: H } = shape;
  const E = D / H, scale = 1 / Math.sqrt(E), Dkv = kvWidth(shape), group = H / kvHeadsOf(shape);
  const rows = opts.rows ?? [...Array(N).keys()];
  const out = new Float64Array(B * rows.length * D);
  for (let b = 0; b < B; b++) {
    const xb = new Float64Array(N * D);
    for (let i = 0; i < N * D; i++) xb[i] = x[b * N * D + i];
    let k = projection(xb, w.Wk, N, D, Dkv, w.bk), v = projection(xb, w.Wv, N, D, Dkv, w.bv), S = N;
    if (opts.transformKV) ({ k, v, s: S } = opts.transformKV(k, v));
    const xr = new Float64Array(rows.length * D);
    rows.forEach((i, r) => xr.set(xb.subarray(i * D, (i + 1) * D), r * D));
    const q = projection(xr, w.Wq, rows.length, D, D, w.bq);
    const ctx = new Float64Array(rows.length * D);
    const all = [...Array(S).keys()];
    rows.forEach((i, r) => {
      const pattern = opts.keys ? opts.keys(i) : all;
      const keys = shape.causal ? pattern.filter((j) => j <= i) : pattern;
      for (let h = 0; h < H; h++) {
        const kv = Math.floor(h / group) * E;
        const scores = keys.map((j) => {
          let s = 0;
          for (let e = 0; e < E; e++) s += q[r * D + h * E + e] * k[j * Dkv + kv + e];
          return s * scale;
        });
        const max = Math.max(...scores);
        const p = scores.map((s) => Math.exp(s - max));
        const z = p.reduce((a, c) => a + c, 0);
        keys.forEach((j, t) => {
          for (let e = 0; e < E; e++) ctx[r * D + h * E + e] += (p[t] / z) * v[j * Dkv + kv + e];
        });
      }
    });
    out.set(matMul64(ctx, w.Wo, rows.length, D, D, w.bo), b * rows.length * D);
  }
  return out;
}
