/**
 * Building blocks shared by the variants: projections, head split/merge, the dense attention core.
 * x: [B, N, D]; heads: [B, H, N, E] with E = D / H. The block-sparse core is in block-sparse.ts.
 * Grouped-query attention (Ainslie et al. 2023): K and V have kvHeads heads, [B, kvHeads, N, E];
 * query head h reads K/V head ⌊h / g⌋, g = H / kvHeads (Llama's repeat_kv order). The dense core
 * folds each group's g query heads into the rows of one product, [B, kvHeads, g·N, E] against
 * [B, kvHeads, S, E], so a shared K/V head is read once, never copied; cores that need one K/V head
 * per query head (block-sparse, tiled) copy them with repeatKv.
 */
import { z } from 'zod';
import type { Ops } from '../engine/ops.ts';
import { MASKED } from './block-sparse.ts';
import type { AttentionWeights } from '../linalg/reference.ts';
import { kvHeadsOf, kvWidth } from '../results/types.ts';
import type { Shape, Weights } from './types.ts';

export const PROJECTIONS = ['q', 'k', 'v', 'o'] as const;
export type Projection = (typeof PROJECTIONS)[number];

/** Option schema of a set of projections (LoRA, SVD targets); kept in q, k, v, o order. */
export function targetsSchema(dflt: Projection[]) {
  return z.array(z.enum(PROJECTIONS)).min(1)
    .refine((t) => new Set(t).size === t.length, { message: 'targets must not repeat a projection' })
    .transform((t) => PROJECTIONS.filter((p) => t.includes(p)))
    .default(dflt);
}

/**
 * Multi-head self-attention with its parts swapped: `project` computes input·W_p + b_p (LoRA, SVD),
 * `core` maps heads q, k, v [B, H, N, E] to [B, H, N, E] (sparse patterns); defaults as in full.
 */
export function attentionWith<T>(ops: Ops<T>, x: T, w: Record<string, T>, s: Shape,
  project: (p: Projection, input: T) => T = (p, input) => linear(ops, input, w[`W${p}`], w[`b${p}`]),
  core: (q: T, k: T, v: T) => T = (q, k, v) => attend(ops, q, k, v, s)): T {
  const q = splitHeads(ops, project('q', x), s);
  const [k, v] = (['k', 'v'] as const).map((p) => splitKvHeads(ops, project(p, x), s));
  return project('o', mergeHeads(ops, core(q, k, v), s));
}

/** x·W + b. */
export function linear<T>(ops: Ops<T>, x: T, W: T, b: T): T {
  return ops.add(ops.matMul(x, W), b);
}

/** [B, N, heads·E] → [B, heads, N, E]. */
export function splitHeads<T>(ops: Ops<T>, t: T, s: Shape, heads = s.heads): T {
  const n = ops.shape(t)[1];
  return ops.transpose(ops.reshape(t, [s.batch, n, heads, s.dModel / s.heads]), [0, 2, 1, 3]);
}

/** K or V [B, N, kvHeads·E] → [B, kvHeads, N, E]. */
export function splitKvHeads<T>(ops: Ops<T>, t: T, s: Shape): T {
  return splitHeads(ops, t, s, kvHeadsOf(s));
}

/** K/V heads [B, kvHeads, S, E] → one per query head [B, H, S, E], head h a copy of K/V head ⌊h / g⌋. */
export function repeatKv<T>(ops: Ops<T>, t: T, s: Shape): T {
  const g = s.heads / kvHeadsOf(s);
  if (g === 1) return t;
  const [B, Hkv, n, E] = ops.shape(t), one = ops.reshape(t, [B, Hkv, 1, n * E]);
  return ops.reshape(ops.concat(Array.from({ length: g }, () => one), 2), [B, s.heads, n, E]);
}

/** K or V [B, N, kvHeads·E] → [B, N, D], each K/V head repeated for its g query heads (for a fused kernel without groups). */
export function repeatKvWidth<T>(ops: Ops<T>, t: T, s: Shape): T {
  if (kvHeadsOf(s) === s.heads) return t;
  return mergeHeads(ops, repeatKv(ops, splitKvHeads(ops, t, s), s), s);
}

/** [B, H, N, E] → [B, N, D]. */
export function mergeHeads<T>(ops: Ops<T>, t: T, s: Shape): T {
  const n = ops.shape(t)[2];
  return ops.reshape(ops.transpose(t, [0, 2, 1, 3]), [s.batch, n, s.dModel]);
}

/**
 * softmax(Q·Kᵀ/√E)·V over heads: q [B, H, N, E], k and v [B, kvHeads, S, E] → [B, H, N, E]. In a
 * causal shape query i (counted from the first row of q) attends keys j ≤ i: a mask over the dense
 * score matrix, so every score is still computed (and counted in the FLOPs).
 */
export function attend<T>(ops: Ops<T>, q: T, k: T, v: T, s: Shape): T {
  const [B, H, n, E] = ops.shape(q), [, Hkv, S] = ops.shape(k), g = H / Hkv;
  const grouped = (t: T, shape: number[]) => (g === 1 ? t : ops.reshape(t, shape));
  // The scale on q (N·D elements), not on the scores (H·N² elements): the same product, a smaller pass.
  let scores = ops.matMul(grouped(ops.scale(q, 1 / Math.sqrt(E)), [B, Hkv, g * n, E]), k, false, true);
  if (s.causal) {
    const masked = ops.add(grouped(scores, [B, Hkv, g, n, S]), ops.constant(causalMask(n, S), [n, S]));
    scores = grouped(masked, [B, Hkv, g * n, S]);
  }
  return grouped(ops.matMul(ops.softmax(scores), v), [B, H, n, E]);
}

const causalMasks = new Map<string, Float32Array>();

/**
 * Additive mask [rows, cols]: MASKED where key j > query i. Built once per size: eager engines
 * upload a constant once per array (as a traced graph holds it once).
 */
export function causalMask(rows: number, cols: number): Float32Array {
  const key = `${rows}x${cols}`;
  let mask = causalMasks.get(key);
  if (!mask) {
    mask = new Float32Array(rows * cols);
    for (let i = 0; i < rows; i++) mask.fill(MASKED, i * cols + i + 1, (i + 1) * cols);
    causalMasks.set(key, mask);
  }
  return mask;
}

/** FLOPs of the dense core for N queries against S keys: Q·Kᵀ and P·V. */
export function attendFlops(s: Shape, keys: number): number {
  return s.batch * 4 * s.seqLen * keys * s.dModel;
}

/** FLOPs of one dense D×D projection of N rows. */
export function projectionFlops(s: Shape): number {
  return s.batch * 2 * s.seqLen * s.dModel * s.dModel;
}

/** Output width of a projection: kvHeads·E for K and V, D for Q and O. */
export function projectionWidth(s: Shape, p: Projection): number {
  return p === 'k' || p === 'v' ? kvWidth(s) : s.dModel;
}

/** FLOPs of the four dense projections of N rows: Q and O D×D, K and V D×kvHeads·E. */
export function allProjectionFlops(s: Shape): number {
  return s.batch * 2 * s.seqLen * s.dModel * (2 * s.dModel + 2 * kvWidth(s));
}

/** Weights and biases of the four dense projections: 2·D² + 2·D·kvHeads·E + 2·D + 2·kvHeads·E. */
export function projectionParams(s: Shape): number {
  const D = s.dModel, Dkv = kvWidth(s);
  return 2 * D * D + 2 * D * Dkv + 2 * D + 2 * Dkv;
}

/**
 * Weights as the float64 reference expects them; `weight` gives a projection matrix another way
 * (LoRA's merged W', SVD's U·V), the default is the held W_p.
 */
export function referenceWeights(w: Weights, weight: (p: Projection) => ArrayLike<number> = (p) => w[`W${p}`].data): AttentionWeights {
  return { Wq: weight('q'), bq: w.bq.data, Wk: weight('k'), bk: w.bk.data, Wv: weight('v'), bv: w.bv.data, Wo: weight('o'), bo: w.bo.data };
}
