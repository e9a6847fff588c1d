/**
 * linformer — keys and values projected along the sequence (Wang et al. 2020, "Linformer:
 * Self-Attention with Linear Complexity", eq. 7):
 *   head_h = softmax(Q_h·(E·K_h)ᵀ / √E_h)·(F·V_h),   E, F [K×N],  K = min(k, N)
 * so the score matrix is N×K, not N×N: O(N·K·D). E and F are shared by all heads (the paper's
 * headwise sharing, §4) and are distinct for keys and values. They are parameters of shape [K×N]:
 * the parameter count depends on N, and a model is tied to the sequence length it was built for.
 * k > N is clamped to N (a projection to more rows than positions cannot save anything).
 * `projection` (E and F untrained here, so the choice says what "Linformer without training" means):
 *   'segment-means' (default) row i of E = F averages the positions of the i-th of K near-equal
 *            consecutive segments, [⌊i·N/K⌋, ⌊(i+1)·N/K⌋): each key and value slot is the mean of a
 *            segment, as the landmarks of Nyströmformer (Xiong et al. 2021, §3.3) and the mean pooling
 *            the Linformer paper lists among its projection choices (§4). K = N is the identity: exact.
 *   'gaussian' E, F ~ N(0, 1/K), the Johnson–Lindenstrauss projection of the paper's Theorem 2,
 *            drawn from the suite seed, N and K; untrained it scales keys and values by about √(N/K)
 *            and the output by about N/K (N=256, k=32: error vs full 7.6): the report labels it untrained.
 *   'identity' E = F = the first K rows of the N×N identity: attention over the first K positions
 *            (with k ≥ N, exactly full attention: a test hook).
 * Computed as (P·K)ᵀ = Kᵀ·Pᵀ on [B, D, N] so that the weight is the right operand, and laid out
 * per head as [B, H, E, K], which Q·(E·K)ᵀ consumes directly.
 * Not causal: E·K mixes every position into every projected key, future ones included (the paper
 * says so); a causal case is skipped with that reason.
 *
 * Grouped-query shapes: K and V have kvHeads heads (Dkv = kvHeads·E columns), projected along the
 * sequence as they are; each group's query heads are rows of one product against its K/V head.
 *
 * params   full's + 2·K·N; all trainable, all held at inference
 * flops    full's projections + B·4·N·K·Dkv (E·K and F·V) + B·4·N·K·D (Q·Kᵀ and P·V)
 * memory   4 bytes · (B·N·D + 2·B·K·Dkv + max(2·B·N·Dkv, 2·B·H·N·K)): Q and the projected K, V live
 *          throughout; V and its transpose while F·V is computed, or scores and probabilities.
 */
import { z } from 'zod';
import { messages } from '../messages.ts';
import { matMul64 } from '../linalg/dense.ts';
import { referenceAttention } from '../linalg/reference.ts';
import { normalArray, type Rng } from '../linalg/rng.ts';
import { full } from './full.ts';
import { allProjectionFlops, linear, mergeHeads, referenceWeights, splitHeads } from './mha.ts';
import { kvHeadsOf, kvWidth } from '../results/types.ts';
import type { Shape, Variant } from './types.ts';

const linformerOptions = z.object({
  k: z.number().int().positive().default(256),
  projection: z.enum(['segment-means', 'gaussian', 'identity']).default('segment-means'),
}).strict();
export type LinformerOptions = z.output<typeof linformerOptions>;

const projected = (s: Shape, o: LinformerOptions) => Math.min(o.k, s.seqLen);

/** The segment [from, to) that row i of a segment-means projection averages. */
export function segmentOf(i: number, K: number, N: number): [number, number] {
  return [Math.floor((i * N) / K), Math.floor(((i + 1) * N) / K)];
}

function projectionMatrix(K: number, N: number, o: LinformerOptions, rng: Rng): Float32Array {
  if (o.projection === 'gaussian') return normalArray(rng, K * N, 1 / Math.sqrt(K));
  const p = new Float32Array(K * N);
  for (let i = 0; i < K; i++) {
    if (o.projection === 'identity') { p[i * N + i] = 1; continue; }
    const [from, to] = segmentOf(i, K, N);
    for (let j = from; j < to; j++) p[i * N + j] = 1 / (to - from);
  }
  return p;
}

const PROJECTION_LABEL: Record<LinformerOptions['projection'], string> = {
  'segment-means': 'segment means', gaussian: 'untrained Gaussian projection', identity: 'identity projection',
};

export const linformer: Variant<LinformerOptions> = {
  name: 'linformer',
  role: 'approximation',
  summary: 'keys and values projected along the sequence to k rows (Wang et al. 2020, Linformer)',
  options: linformerOptions,
  describe: (o) => `Linformer k=${o.k} (${PROJECTION_LABEL[o.projection]})`,
  init(s, o, rng, base) {
    const K = projected(s, o), N = s.seqLen;
    return { ...base, E: { data: projectionMatrix(K, N, o, rng), shape: [K, N] },
      F: { data: projectionMatrix(K, N, o, rng), shape: [K, N] } };
  },
  seedKey: (s, o) => `N${s.seqLen}:K${projected(s, o)}:${o.projection}`,
  params(s, o) {
    const n = full.params(s, {}).total + 2 * projected(s, o) * s.seqLen;
    return { total: n, trainable: n, inference: n };
  },
  flops: (s, o) => allProjectionFlops(s) + s.batch * 4 * s.seqLen * projected(s, o) * (s.dModel + kvWidth(s)),
  memory(s, o) {
    const { batch: B, seqLen: N, dModel: D, heads: H } = s, K = projected(s, o), Dkv = kvWidth(s);
    return 4 * (B * N * D + 2 * B * K * Dkv + Math.max(2 * B * N * Dkv, 2 * B * H * N * K));
  },
  forward(ops, x, w, s, o) {
    const K = projected(s, o), E = s.dModel / s.heads, N = s.seqLen, Hkv = kvHeadsOf(s), g = s.heads / Hkv;
    // [B, N, Dkv] → (P·t)ᵀ per K/V head [B, kvHeads, E, K]
    const alongSeq = (t: typeof x, P: typeof x) =>
      ops.reshape(ops.matMul(ops.transpose(t, [0, 2, 1]), P, false, true), [s.batch, Hkv, E, K]);
    const grouped = (t: typeof x, shape: number[]) => (g === 1 ? t : ops.reshape(t, shape));
    const q = grouped(splitHeads(ops, linear(ops, x, w.Wq, w.bq), s), [s.batch, Hkv, g * N, E]);
    const kT = alongSeq(linear(ops, x, w.Wk, w.bk), w.E), vT = alongSeq(linear(ops, x, w.Wv, w.bv), w.F);
    const probs = ops.softmax(ops.scale(ops.matMul(q, kT), 1 / Math.sqrt(E))); // [B, kvHeads, g·N, K]
    const heads = grouped(ops.matMul(probs, vT, false, true), [s.batch, s.heads, N, E]);
    return linear(ops, mergeHeads(ops, heads, s), w.Wo, w.bo);
  },
  unsupported: (s) => (s.causal ? messages.causalLinformer() : undefined),
  reference(s, o, x, w, rows) {
    const K = projected(s, o), N = s.seqLen, D = kvWidth(s);
    return referenceAttention(s, x, referenceWeights(w), { rows,
      transformKV: (k, v) => ({ k: matMul64(w.E.data, k, K, N, D), v: matMul64(w.F.data, v, K, N, D), s: K }) });
  },
};
