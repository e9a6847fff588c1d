/**
 * Host-side cache arithmetic shared by the decoders: projecting the context into per-head cache
 * tensors [B, kvHeads, L, E] (float64, rounded to float32), and appending a step's rows.
 */
import { matMul64 } from '../../linalg/dense.ts';
import type { HostCache } from './types.ts';

/** x [B, N, D] · W [D, C] + b, per batch entry, laid out per head: [B, heads, N, C / heads], float32. */
export function projectToHeads(x: Float32Array, W: ArrayLike<number>, b: ArrayLike<number> | undefined,
  B: number, N: number, D: number, C: number, heads: number): Float32Array {
  const E = C / heads, out = new Float32Array(B * N * C);
  for (let bi = 0; bi < B; bi++) {
    const y = matMul64(x.subarray(bi * N * D, (bi + 1) * N * D), W, N, D, C, b);
    for (let n = 0; n < N; n++) {
      for (let h = 0; h < heads; h++) {
        for (let e = 0; e < E; e++) out[((bi * heads + h) * N + n) * E + e] = y[n * C + h * E + e];
      }
    }
  }
  return out;
}

/** [B, H, N, E] and rows [B, H, s, E] → [B, H, N + s, E]. */
export function appendAlongSeq(cache: Float32Array, rows: Float32Array, BH: number, N: number, s: number, E: number): Float32Array {
  const out = new Float32Array(BH * (N + s) * E);
  for (let i = 0; i < BH; i++) {
    out.set(cache.subarray(i * N * E, (i + 1) * N * E), i * (N + s) * E);
    out.set(rows.subarray(i * s * E, (i + 1) * s * E), i * (N + s) * E + N * E);
  }
  return out;
}

/** Every named tensor appended along the sequence. */
export function appendAll(cache: HostCache, rows: HostCache, BH: (name: string) => number, N: number, s: number,
  E: (name: string) => number): HostCache {
  return Object.fromEntries(Object.keys(cache).map((k) => [k, appendAlongSeq(cache[k], rows[k], BH(k), N, s, E(k))]));
}
