/**
 * The tensor-op vocabulary every attention variant is written against.
 *
 * Shape letters, used in every doc comment of the project:
 *   B  batch size
 *   N  sequence length (queries and, for self-attention, keys)
 *   D  model width (dModel)
 *   H  heads
 *   E  head width, D / H
 *   R  rank of a low-rank factor (LoRA r, SVD r)
 *   K  projected sequence length (Linformer k)
 *   W  block or window length (sparse variants)
 *
 * Engines implement this interface and nothing else: they never know which variant runs.
 * Every op's shapes are checked by the rules of flop-recorder.ts (the shape recorder, the ONNX
 * tracer and tfjs use them; tfjs checks its products itself); shapes are static (a case has one shape).
 */
export interface Ops<T> {
  /** Shape of a tensor, e.g. [B, N, D]. */
  shape(a: T): number[];
  /**
   * Matrix product over the last two axes. `a` is [..., M, K] (or [..., K, M] with transposeA),
   * `b` is [..., K, P] (or [..., P, K] with transposeB). Leading axes must be equal, or `b` may
   * be rank 2 (a weight shared by every batch entry).
   */
  matMul(a: T, b: T, transposeA?: boolean, transposeB?: boolean): T;
  /** Element-wise sum with NumPy broadcasting (e.g. [B, N, D] + [D]). */
  add(a: T, b: T): T;
  /** Element-wise product with NumPy broadcasting. */
  mul(a: T, b: T): T;
  /** Element-wise a − b with NumPy broadcasting. */
  sub(a: T, b: T): T;
  /** Element-wise a / b with NumPy broadcasting. */
  div(a: T, b: T): T;
  /** Element-wise max(a, b) with NumPy broadcasting. */
  maximum(a: T, b: T): T;
  /** Element-wise eˣ. */
  exp(a: T): T;
  /** Largest element along the last axis, kept as size 1: [..., M, K] → [..., M, 1]. */
  reduceMax(a: T): T;
  /** Sum along the last axis, kept as size 1: [..., M, K] → [..., M, 1]. */
  reduceSum(a: T): T;
  /** Multiplies every element by a constant. */
  scale(a: T, s: number): T;
  /** Softmax along the last axis. */
  softmax(a: T): T;
  /** Same data, new shape (row-major). */
  reshape(a: T, shape: number[]): T;
  /** Permutes axes: output axis i is input axis perm[i]. */
  transpose(a: T, perm: number[]): T;
  /** Contiguous slice: `size[i]` elements from `begin[i]` on every axis. */
  slice(a: T, begin: number[], size: number[]): T;
  /** Joins tensors along `axis`; all other axes must match. */
  concat(ts: T[], axis: number): T;
  /** Zero padding: `paddings[i] = [before, after]` for axis i. */
  pad(a: T, paddings: Array<[number, number]>): T;
  /**
   * Entries `indices` of axis `axis`, in that order, repeats allowed (indices known when the pass
   * is built): e.g. [nb, W, E] with indices [0, 0, 1] → [3, W, E]. One copy, where slices, pads
   * and a concat that pick the same entries copy them two or three times.
   */
  gather(a: T, axis: number, indices: number[]): T;
  /** A constant known when the forward pass is built (masks, biases of a sparsity pattern). */
  constant(data: Float32Array, shape: number[]): T;
  /**
   * Runs `fn` as a region whose intermediates an eager engine frees when it ends (tfjs: tf.tidy),
   * keeping what `fn` returns; a graph engine just runs it. Tiled algorithms use one per tile so
   * that an eager engine holds one tile's temporaries at a time, not every tile's until the pass ends.
   */
  scope<R extends T | T[]>(fn: () => R): R;
  /**
   * The engine's fused attention kernel, where it has one (Capabilities.fusedAttention):
   * projected q, k, v [B, N, D] → concat_h softmax(Q_h·K_hᵀ/√E)·V_h [B, N, D] over `heads` heads of
   * E = D / heads, each query i attending keys j ≤ i only when `causal`. `backend`: which of the
   * engine's fused kernels to run (Capabilities.attentionBackends, e.g. torch SDPA's `flash`); absent =
   * the engine chooses. Absent op: no fused kernel.
   */
  attention?(q: T, k: T, v: T, heads: number, causal: boolean, backend?: string): T;
  /**
   * The engine's fused decode kernel, where it has one (Capabilities.fusedDecode): the s new tokens'
   * projected q [B, s, D], k, v [B, s, Dkv] attend a KV cache cacheK, cacheV [B, kvHeads, N, E] and
   * their own keys (new token t sees the N cached keys and new tokens j ≤ t) → [B, s, D]; `heads` H
   * query heads of E = D / H, each group of H / kvHeads sharing one K/V head. Absent op: none.
   */
  decodeAttention?(q: T, k: T, v: T, cacheK: T, cacheV: T, heads: number): T;
  /**
   * The engine's own plain multi-head attention module, projections included, where it has one
   * (Capabilities.attentionModules): x [B, N, D] → full attention's output [B, N, D] on the weights
   * `w` (Q = x·Wq + bq, …, W [D, D], b [D]), `heads` heads, each query i attending keys j ≤ i only when
   * `causal`. `module` names which of the engine's modules runs (torch: `mha`, `sdpa`). Not a building
   * block: the yardstick the variants' own programs are held against (src/variants/yardstick.ts).
   */
  attentionModule?(x: T, w: AttentionWeights<T>, heads: number, causal: boolean, module: string): T;
}

/** The weights of one multi-head attention layer, named as every variant names them (x·W + b). */
export interface AttentionWeights<T> {
  Wq: T; bq: T; Wk: T; bk: T; Wv: T; bv: T; Wo: T; bo: T;
}

/** The order an engine's module reads AttentionWeights in. */
export const ATTENTION_WEIGHTS = ['Wq', 'bq', 'Wk', 'bk', 'Wv', 'bv', 'Wo', 'bo'] as const;

/** A weight or input as plain host data, row-major float32. */
export interface HostTensor {
  data: Float32Array;
  shape: number[];
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
