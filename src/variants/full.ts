/**
 * full — exact multi-head self-attention (Vaswani et al. 2017, "Attention Is All You Need"):
 *   y = concat_h softmax(Q_h K_hᵀ / √E) V_h · Wo + bo,  Q = x·Wq + bq, K = x·Wk + bk, V = x·Wv + bv.
 * The baseline every other variant is compared with.
 *
 * With kvHeads < H (grouped-query attention, Ainslie et al. 2023) K and V are D × Dkv, Dkv = kvHeads·E,
 * and each group of H / kvHeads query heads shares one K/V head (Dkv = D: the formulas below are MHA's).
 *
 * params   2·D² + 2·D·Dkv + 2·D + 2·Dkv (Q, O D×D; K, V D×Dkv; with biases); MHA: 4·D² + 4·D
 * flops    B·(2·N·D·(2·D + 2·Dkv) + 4·N²·D): the projections, Q·Kᵀ and P·V 2·N²·D each
 * memory   4 bytes · (B·N·(D + 2·Dkv) + 2·B·H·N²): Q, K, V alive while the scores and their softmax both exist
 * causal   query i attends keys j ≤ i: an additive mask over the dense score matrix (a constant, like a
 *          weight), so flops still count all N² scores: they are all computed
 */
import { z } from 'zod';
import { allProjectionFlops, attend, attendFlops, linear, mergeHeads, projectionParams, referenceWeights, splitHeads,
  splitKvHeads } from './mha.ts';
import { kvWidth } from '../results/types.ts';
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
  params: (s) => ({ total: projectionParams(s), trainable: projectionParams(s), inference: projectionParams(s) }),
  flops: (s) => allProjectionFlops(s) + attendFlops(s, s.seqLen),
  memory: (s) => 4 * (s.batch * s.seqLen * (s.dModel + 2 * kvWidth(s)) + 2 * s.batch * s.heads * s.seqLen ** 2),
  forward(ops, x, w, s) {
    const q = splitHeads(ops, linear(ops, x, w.Wq, w.bq), s);
    const k = splitKvHeads(ops, linear(ops, x, w.Wk, w.bk), s);
    const v = splitKvHeads(ops, linear(ops, x, w.Wv, w.bv), s);
    return linear(ops, mergeHeads(ops, attend(ops, q, k, v, s), s), w.Wo, w.bo);
  },
  reference: (s, _o, x, w, rows) => referenceAttention(s, x, referenceWeights(w), { rows }),
};
