/**
 * Attention cores of a decode step. q [B, H, s, E] (the new tokens' queries); the cache's keys
 * and values [B, kvHeads, L, E]; the new tokens' own keys and values [B, kvHeads, s, E]. Each
 * group's g = H / kvHeads query heads are rows of one product against its K/V head (as mha.ts),
 * and the cache is read where it lies: its scores and the new keys' scores are joined, never the
 * cache itself (a join of the cache would copy it every step).
 */
import type { Ops } from '../../engine/ops.ts';
import { MASKED } from '../block-sparse.ts';
import { causalMask } from '../mha.ts';

/**
 * Queries grouped per K/V head and scaled by 1/√E: [B, H, s, E] → [B, kvHeads, g·s, E]. The scale is
 * a product with a vector of E equal values, not a scalar (the same float32 products): ONNX Runtime
 * folds a scalar factor into the next MatMul's alpha, and MLAS's single-row kernels, which stream
 * the cache's keys once, take alpha = 1 only; with alpha its general kernel packs the keys first.
 * Measured (q·Kᵀ, [1,8,1,64]·[1,8,8192,64]ᵀ, interleaved): 3.36 ms with the folded scale, 2.53 ms
 * without; the whole step of full attention at N = 8192, 8 K/V heads: 3.76 → 3.21 ms.
 */
function groupedQueries<T>(ops: Ops<T>, q: T, kvHeads: number): T {
  const [B, H, s, E] = ops.shape(q);
  const grouped = H === kvHeads ? q : ops.reshape(q, [B, kvHeads, (H / kvHeads) * s, E]);
  return ops.mul(grouped, ops.constant(new Float32Array(E).fill(1 / Math.sqrt(E)), [E]));
}

/** Adds an additive mask [s, L] to scores [B, kvHeads, g·s, L] (each group's rows the same s queries). */
function masked<T>(ops: Ops<T>, scores: T, mask: Float32Array | undefined, s: number): T {
  if (!mask || !mask.includes(MASKED)) return scores;
  const [B, Hkv, rows, L] = ops.shape(scores), g = rows / s;
  const byQuery = g === 1 ? scores : ops.reshape(scores, [B, Hkv, g, s, L]);
  const sum = ops.add(byQuery, ops.constant(mask, [s, L]));
  return g === 1 ? sum : ops.reshape(sum, [B, Hkv, rows, L]);
}

export interface KeyBlock<T> {
  k: T;
  v: T;
  /** Additive mask [s, L] of the block's keys per new token; absent: every new token sees every key. */
  mask?: Float32Array;
}

/**
 * softmax over every block's keys at once, then Σ P_block·V_block: blocks are the cache (or the
 * parts of it a pattern keeps) and the new tokens (causal among themselves). → [B, H, s, E].
 */
export function attendBlocks<T>(ops: Ops<T>, q: T, blocks: Array<KeyBlock<T>>): T {
  const [B, H, s, E] = ops.shape(q), kvHeads = ops.shape(blocks[0].k)[1];
  const qg = groupedQueries(ops, q, kvHeads);
  const scores = blocks.map((b) => masked(ops, ops.matMul(qg, b.k, false, true), b.mask, s));
  const probs = ops.softmax(scores.length === 1 ? scores[0] : ops.concat(scores, 3));
  let at = 0;
  const parts = blocks.map((b, i) => {
    const [b0, h0, rows, L] = ops.shape(scores[i]);
    const p = blocks.length === 1 ? probs : ops.slice(probs, [0, 0, 0, at], [b0, h0, rows, L]);
    at += L;
    return ops.matMul(p, b.v);
  });
  const out = parts.reduce((a, b) => ops.add(a, b));
  return H === kvHeads ? out : ops.reshape(out, [B, H, s, E]);
}

/** The new tokens' mask among themselves: token t sees new tokens j ≤ t. */
export function freshMask(s: number): Float32Array | undefined {
  return s > 1 ? causalMask(s, s) : undefined;
}

/**
 * Split-KV attention (flash-decoding, Dao et al. 2023): the cache [B, kvHeads, N, E] cut into nT
 * tiles of T keys (a reshape: no copy when T divides N), every tile's partial softmax computed in one
 * batched product — its maximum m_t, sum ℓ_t and output O_t — and the new tokens' keys as one more
 * partial; then one reduction: M = max_t m_t, O = Σ_t e^(m_t − M)·O_t / Σ_t e^(m_t − M)·ℓ_t.
 */
export function splitKvAttend<T>(ops: Ops<T>, q: T, cache: { k: T; v: T }, fresh: { k: T; v: T }, tile: number): T {
  const [B, H, s, E] = ops.shape(q), [, Hkv, N] = ops.shape(cache.k), rows = (H / Hkv) * s;
  const qg = groupedQueries(ops, q, Hkv);
  const partials: Array<{ m: T; l: T; o: T }> = [];
  if (N > 0) {
    const T0 = tileOf(N, tile), nT = N / T0;
    const tiles = (t: T) => ops.reshape(t, [B, Hkv, nT, T0, E]);
    const qt = nT === 1 ? ops.reshape(qg, [B, Hkv, 1, rows, E])
      : ops.reshape(ops.concat(Array.from({ length: nT }, () => ops.reshape(qg, [B, Hkv, 1, rows * E])), 2), [B, Hkv, nT, rows, E]);
    partials.push(partial(ops, ops.matMul(qt, tiles(cache.k), false, true), tiles(cache.v))); // [B, Hkv, nT, rows, ·]
  }
  const sn = masked(ops, ops.matMul(qg, fresh.k, false, true), freshMask(s), s);
  const own = partial(ops, ops.reshape(sn, [B, Hkv, 1, rows, s]), ops.reshape(fresh.v, [B, Hkv, 1, s, E]));
  partials.push(own);
  // Partials last: [B, Hkv, rows, 1 | E, nT + 1]
  const cat = (key: 'm' | 'l' | 'o') => ops.transpose(partials.length === 1 ? partials[0][key]
    : ops.concat(partials.map((p) => p[key]), 2), [0, 1, 3, 4, 2]);
  const m = cat('m'), M = ops.reduceMax(m), c = ops.exp(ops.sub(m, M)); // [B, Hkv, rows, 1, nT + 1]
  const l = ops.reduceSum(ops.mul(cat('l'), c)), o = ops.reduceSum(ops.mul(cat('o'), c)); // [B, Hkv, rows, 1 | E, 1]
  return ops.reshape(ops.div(ops.reshape(o, [B, Hkv, rows, E]), ops.reshape(l, [B, Hkv, rows, 1])), [B, H, s, E]);
}

/** One partial softmax per tile: scores [..., rows, L] with values [..., L, E] → m, ℓ [..., rows, 1], O [..., rows, E]. */
function partial<T>(ops: Ops<T>, scores: T, v: T): { m: T; l: T; o: T } {
  const m = ops.reduceMax(scores), p = ops.exp(ops.sub(scores, m));
  return { m, l: ops.reduceSum(p), o: ops.matMul(p, v) };
}

/** The tile length used at context N: the largest divisor of N not above `tile` (a reshape then cuts the cache). */
export function tileOf(N: number, tile: number): number {
  for (let t = Math.min(tile, N); t > 1; t--) if (N % t === 0) return t;
  return 1;
}
