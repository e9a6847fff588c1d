/**
 * sparse-block — block-sparse attention as in BigBird (Zaheer et al. 2020, "Big Bird: Transformers
 * for Longer Sequences", §2, blocked form of App. D) with Longformer-style global tokens
 * (Beltagy et al. 2020, §3.1). Positions are cut into nb = ⌈N/W⌉ blocks of W = min(block, N),
 * zero-padded to Np = nb·W. With G = min(globalTokens, N):
 *   global  the first G positions attend to all N keys, and every query attends to them;
 *   window  a query i ≥ G in block b attends every key of blocks b−1, b, b+1 (b alone if nb = 1);
 *   random  and every key of r = randomBlocks blocks drawn for block b without replacement from the
 *           blocks that are neither b−1..b+1 nor wholly global (fewer when fewer exist), fixed by a
 *           generator seeded with the suite seed (option `seed`, filled in when a suite is planned)
 *           and (N, W, G, r), so forward and reference, and every engine, see one pattern.
 * Keys j < G are scored once, as global keys: their copies in window or random slots are masked,
 * as are slots past the ends and padding (additive MASKED, src/variants/block-sparse.ts). Per
 * query block, Q·Kᵀ covers S = (3 + r)·W slots (S = W if nb = 1) plus the G global keys, one
 * softmax over both (the G global keys gathered with each block's slots); the G global rows are
 * computed densely (G×N) and replace theirs. The block path also computes the G global rows and
 * the Np − N padding rows, then drops them: the flops count them.
 * Cost O(N·(S + G)·D): never an N×N matrix. G ≥ N is full attention, computed as such.
 * Causal: every query keeps only keys j ≤ i: window blocks b−1 and b (S = (2 + r)·W), random
 * blocks drawn from those before b−1, the diagonal block masked above the diagonal; the G global
 * rows stay dense G×N with a causal mask (counted in full).
 *
 * Grouped-query shapes: each K/V head is copied for its query heads (repeatKv) before the blocks.
 * products 'batched' | 'per-block' | 'auto' (default), as sparse-window's (block-sparse.ts): the
 *          global keys are then one more slice of each block's keys. On tfjs/wasm at N=1024 (15
 *          interleaved rounds): speed-up vs full 1.30× [1.19, 1.39] batched, 1.43× [1.25, 1.65] per-block
 *
 * params   as full
 * flops    full's projections + B·4·Np·(S + G)·D + B·4·G·N·D     (G ≥ N: full's)
 * memory   4 bytes · (3·B·Np·D + 2·B·nb·(S + G)·D + 2·B·H·Np·(S + G) + 2·B·H·G·N): blocked Q, K, V,
 *          gathered key/value slots and global keys, block scores and probabilities, and the global
 *          rows' scores and probabilities, counted as alive together
 */
import { z } from 'zod';
import { referenceAttention } from '../linalg/reference.ts';
import { createRng } from '../linalg/rng.ts';
import { full } from './full.ts';
import { blockPattern, blockSparseAttend, blockSparseFlops, blockSparseMemory, memoPattern, patternKeys, resolveSlotProducts,
  SLOT_PRODUCTS, slotProducts, type BlockPattern } from './block-sparse.ts';
import { allProjectionFlops, attend, attentionWith, causalMask, referenceWeights, repeatKv } from './mha.ts';
import type { Ops } from '../engine/ops.ts';
import type { Shape, Variant } from './types.ts';

const blockOptions = z.object({
  block: z.number().int().positive().default(64),
  globalTokens: z.number().int().min(0).default(16),
  randomBlocks: z.number().int().min(0).default(0),
  products: z.enum(['auto', ...SLOT_PRODUCTS]).default('auto'),
  /** Seed of the random blocks; a suite fills in its own seed when it plans the case (seeded). */
  seed: z.number().int().optional(),
}).strict();
export type BlockOptions = z.output<typeof blockOptions>;

const globalsOf = (s: Shape, o: BlockOptions) => Math.min(o.globalTokens, s.seqLen);

/** r random key blocks per query block; −1 where a block has fewer candidates. */
function randomBlocks(nb: number, W: number, G: number, r: number, N: number, causal: boolean, seed = 1): number[][] {
  const rng = createRng(`${seed}:sparse-block:N${N}:W${W}:G${G}:r${r}`);
  const table = Array.from({ length: nb }, (_, b) => {
    const pool = [...Array(nb).keys()].filter((c) => (causal ? c < b - 1 : Math.abs(c - b) > 1) && (c + 1) * W > G);
    for (let t = 0; t < Math.min(r, pool.length); t++) {
      const j = t + Math.floor(rng.uniform() * (pool.length - t));
      [pool[t], pool[j]] = [pool[j], pool[t]];
    }
    return Array.from({ length: r }, (_, t) => (t < pool.length ? pool[t] : -1));
  });
  // Slot columns no block can fill would be computed only to be masked: drop them.
  const used = Math.max(0, ...table.map((row) => row.filter((c) => c >= 0).length));
  return table.map((row) => row.slice(0, used));
}

export const blockSparsePattern = memoPattern((s: Shape, o: BlockOptions): BlockPattern => {
  const G = globalsOf(s, o);
  const causal = s.causal === true;
  return blockPattern(s.seqLen, o.block, (i, j) => j >= G && (!causal || j <= i),
    (nb, W) => randomBlocks(nb, W, G, o.randomBlocks, s.seqLen, causal, o.seed), causal);
});

/** Keys of query i (for the reference and the tests). */
export function blockSparseKeys(s: Shape, o: BlockOptions, i: number): number[] {
  const G = globalsOf(s, o), N = s.seqLen;
  if (i < G || G >= N) return [...Array(N).keys()];
  return [...Array(G).keys(), ...patternKeys(blockSparsePattern(s, o), i)];
}

/**
 * The G global query rows, dense over all N keys: their scores computed as K·q_Gᵀ and transposed
 * (G·N elements), so that K is read as it lies; Q·Kᵀ made ORT copy all of K transposed (1 ms at N=4096).
 */
function globalRows<T>(ops: Ops<T>, q: T, k: T, v: T, s: Shape, G: number): T {
  const E = s.dModel / s.heads, N = s.seqLen;
  const qg = ops.scale(ops.slice(q, [0, 0, 0, 0], [s.batch, s.heads, G, E]), 1 / Math.sqrt(E));
  let scores = ops.transpose(ops.matMul(k, qg, false, true), [0, 1, 3, 2]); // [B, H, G, N]
  if (s.causal) scores = ops.add(scores, ops.constant(causalMask(G, N), [G, N]));
  return ops.matMul(ops.softmax(scores), v);
}

export const sparseBlock: Variant<BlockOptions> = {
  name: 'sparse-block',
  role: 'approximation',
  summary: 'block-local + global tokens (+ random blocks) attention (Zaheer et al. 2020, BigBird; Beltagy et al. 2020)',
  options: blockOptions,
  describe: (o) => `block-sparse W=${o.block} g=${o.globalTokens} r=${o.randomBlocks}`,
  init: (_s, _o, _rng, base) => ({ ...base }),
  checkedRows: (s, o) => [...Array(globalsOf(s, o)).keys()],
  resolve: (_s, o, _base, engine) => resolveSlotProducts(o, engine),
  seeded: (o, seed) => (o.seed === undefined && o.randomBlocks > 0 ? { ...o, seed } : o),
  params: (s) => full.params(s, {}),
  flops(s, o) {
    const G = globalsOf(s, o);
    if (G >= s.seqLen) return full.flops(s, {});
    return allProjectionFlops(s) + blockSparseFlops(s, blockSparsePattern(s, o), G) + s.batch * 4 * G * s.seqLen * s.dModel;
  },
  memory(s, o) {
    const G = globalsOf(s, o);
    if (G >= s.seqLen) return full.memory(s, {});
    return blockSparseMemory(s, blockSparsePattern(s, o), G) + 4 * 2 * s.batch * s.heads * G * s.seqLen;
  },
  forward(ops, x, w, s, o) {
    const G = globalsOf(s, o), N = s.seqLen;
    return attentionWith(ops, x, w, s, undefined, (q, kvK, kvV) => {
      if (G >= N) return attend(ops, q, kvK, kvV, s);
      const k = repeatKv(ops, kvK, s), v = repeatKv(ops, kvV, s);
      const products = slotProducts(o);
      if (G === 0) return blockSparseAttend(ops, q, k, v, s, blockSparsePattern(s, o), { products });
      const firstRows = globalRows(ops, q, k, v, s, G);
      return blockSparseAttend(ops, q, k, v, s, blockSparsePattern(s, o), { globals: G, firstRows, products });
    });
  },
  reference: (s, o, x, w, rows) => referenceAttention(s, x, referenceWeights(w), { rows, keys: (i) => blockSparseKeys(s, o, i) }),
};
