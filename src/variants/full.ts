/**
 * full — exact multi-head self-attention (Vaswani et al. 2017, "Attention Is All You Need"):
 *   y = concat_h softmax(Q_h K_hᵀ / √E) V_h · Wo + bo,  Q = x·Wq + bq, K = x·Wk + bk, V = x·Wv + bv.
 * The baseline every other variant is compared with.
 *
 * params   4·D² + 4·D (four D×D projections with bias)
 * flops    B·(8·N·D² + 4·N²·D): four projections 2·N·D² each, Q·Kᵀ and P·V 2·N²·D each
 * memory   4 bytes · (3·B·N·D + 2·B·H·N²): Q, K, V alive while the scores and their softmax both exist
 * causal   query i attends keys j ≤ i: an additive mask over the dense score matrix (a constant, like a
 *          weight), so flops still count all N² scores: they are all computed
 */
import { z } from 'zod';
import { attend, attendFlops, linear, mergeHeads, projectionFlops, referenceWeights, splitHeads } from './mha.ts';
import { referenceAttention } from '../linalg/reference.ts';
import type { Variant } from './types.ts';

export type FullOptions = Record<string, never>;

export const full: Variant<FullOptions> = {
  name: 'full',
  role: 'baseline',
  summary: 'exact multi-head self-attention, the baseline (Vaswani et al. 2017)',
  options: z.object({}).strict() as unknown as z.ZodType<FullOptions>,
  describe: () => 'full attention',
  init: (_shape, _o, _rng, base) => ({ ...base }),
  params: (s) => ({ total: 4 * s.dModel ** 2 + 4 * s.dModel, trainable: 4 * s.dModel ** 2 + 4 * s.dModel,
    inference: 4 * s.dModel ** 2 + 4 * s.dModel }),
  flops: (s) => 4 * projectionFlops(s) + attendFlops(s, s.seqLen),
  memory: (s) => 4 * (3 * s.batch * s.seqLen * s.dModel + 2 * s.batch * s.heads * s.seqLen ** 2),
  forward(ops, x, w, s) {
    const q = splitHeads(ops, linear(ops, x, w.Wq, w.bq), s);
    const k = splitHeads(ops, linear(ops, x, w.Wk, w.bk), s);
    const v = splitHeads(ops, linear(ops, x, w.Wv, w.bv), s);
    return linear(ops, mergeHeads(ops, attend(ops, q, k, v, s), s), w.Wo, w.bo);
  },
  reference: (s, _o, x, w, rows) => referenceAttention(s, x, referenceWeights(w), { rows }),
};
