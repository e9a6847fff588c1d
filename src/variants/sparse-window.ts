/**
 * sparse-window — sliding-window attention (Beltagy et al. 2020, "Longformer", §3.1): with window
 * w, each token attends to ½w tokens on each side. Exactly: query i attends the keys j with
 *   |i − j| ≤ a,   a = ⌊w/2⌋,
 * clipped at the sequence ends (2a + 1 keys in the middle, a + 1 at either end); w ≥ 2(N − 1)
 * is full attention.
 *
 * Computed in blocks (Longformer's "sliding chunks"): positions are cut into nb = ⌈N/W⌉ blocks
 * of W = min(a, N) (zero-padded to Np = nb·W), and query block b scores key blocks b−1, b, b+1,
 * S = 3W slots (S = W = N when nb = 1), which cover the band; an additive mask (MASKED, in
 * src/variants/block-sparse.ts) removes the slots outside the band, past the ends and in the
 * padding. So 3·a scores are computed per query for 2a + 1 kept: O(N·w), never an N×N matrix.
 * Causal (the Longformer / Mistral sliding window): query i attends j ∈ [i − w + 1, i]; blocks of
 * W = min(w − 1, N), query block b scores key blocks b−1 and b only (S = 2W), the diagonal block
 * masked above the diagonal: 2(w − 1) scores computed per query for w kept.
 *
 * Grouped-query shapes: each K/V head is copied for its query heads (repeatKv) before the blocks.
 * products how the slot products are issued (block-sparse.ts, SLOT_PRODUCTS; same products, same
 *          FLOPs): 'batched', one batched product over every (head, block), key slots gathered;
 *          'per-block', one 2-D product per (head, block), each block's keys one slice
 *          (block-entries.ts); 'auto' (default): per-block where the engine runs batched products
 *          as loops of 2-D products anyway (Capabilities.loopedProducts: tfjs/wasm), else batched.
 *          Measured on tfjs/wasm, N=1024, d=512, 8 heads, 15 interleaved rounds
 *          (scripts/variant-speed.ts --variants sparse-window:products=batched,…=per-block):
 *          speed-up vs full 1.26× [1.15, 1.37] batched, 1.36× [1.26, 1.50] per-block
 *
 * params   as full
 * flops    full's projections + B·4·Np·S·D (Q·Kᵀ and P·V over the slots, padded rows included)
 * memory   4 bytes · (3·B·Np·D + 2·B·Np·3·D [gathered K, V slots; none when nb = 1] + 2·B·H·Np·S
 *          [+ 2·B·N·Dkv: the K/V heads beside their copies, grouped-query shapes only])
 */
import { z } from 'zod';
import { referenceAttention } from '../linalg/reference.ts';
import { full } from './full.ts';
import { blockPattern, blockSparseAttend, blockSparseFlops, blockSparseMemory, memoPattern, patternKeys, resolveSlotProducts,
  SLOT_PRODUCTS, slotProducts, type BlockPattern } from './block-sparse.ts';
import { allProjectionFlops, attentionWith, referenceWeights, repeatKv } from './mha.ts';
import type { Shape, Variant } from './types.ts';

const windowOptions = z.object({
  window: z.number().int().min(2).default(256),
  products: z.enum(['auto', ...SLOT_PRODUCTS]).default('auto'),
}).strict();
export type WindowOptions = z.output<typeof windowOptions>;

export const windowPattern = memoPattern((s: Shape, o: Pick<WindowOptions, 'window'>): BlockPattern => {
  if (s.causal) return blockPattern(s.seqLen, o.window - 1, (i, j) => j <= i && j > i - o.window, undefined, true);
  const a = Math.floor(o.window / 2);
  return blockPattern(s.seqLen, a, (i, j) => Math.abs(i - j) <= a);
});

export const sparseWindow: Variant<WindowOptions> = {
  name: 'sparse-window',
  role: 'approximation',
  summary: 'sliding window: each token attends w/2 neighbours on each side (Beltagy et al. 2020, Longformer)',
  options: windowOptions,
  describe: (o) => `sliding window w=${o.window}`,
  init: (_s, _o, _rng, base) => ({ ...base }),
  resolve: (_s, o, _base, engine) => resolveSlotProducts(o, engine),
  params: (s) => full.params(s, {}),
  flops: (s, o) => allProjectionFlops(s) + blockSparseFlops(s, windowPattern(s, o), 0),
  memory: (s, o) => blockSparseMemory(s, windowPattern(s, o), 0),
  forward(ops, x, w, s, o) {
    return attentionWith(ops, x, w, s, undefined, (q, k, v) => blockSparseAttend(ops, q, repeatKv(ops, k, s), repeatKv(ops, v, s), s,
      windowPattern(s, o), { products: slotProducts(o) }));
  },
  reference(s, o, x, w, rows) {
    const p = windowPattern(s, o);
    return referenceAttention(s, x, referenceWeights(w), { rows, keys: (i) => patternKeys(p, i) });
  },
};
