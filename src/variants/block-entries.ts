/**
 * blockSparseAttend's per-block formulation (block-sparse.ts, products 'per-block'): for each head
 * and query block, one 2-D product Q_b·K_slotsᵀ, its mask, its softmax and one 2-D product with
 * V_slots — the same products, masks and FLOPs as the batched formulation, issued one block at a
 * time. Each block's key slots are slices of K (slotRuns, block-slots.ts): a run of consecutive key
 * rows is one slice, so a window's keys are never gathered; Kᵀ is transposed once for all blocks.
 *
 * Why: on an engine that runs a batched product as a loop of 2-D products anyway (tfjs/wasm,
 * tfjs-kernels.ts), the batched form adds copies the loop does not need: the gathered slots, each
 * entry sliced out again and transposed, the scores stacked and sliced again around the softmax.
 * Each block runs in a scope of its own (Ops.scope): measured on tfjs/wasm (window w=256, N=1024,
 * d=512, 8 heads, 12 interleaved rounds, scripts/variant-speed.ts), speed-up vs full 1.29× batched,
 * 1.29× per block without scopes, 1.42× [1.29, 1.56] with them: a block's temporaries, freed, are
 * the next block's memory, still in cache. Without scopes the pass peaked at 137 MB (tf.profile),
 * batched at 262 MB.
 */
import type { Ops } from '../engine/ops.ts';
import { maskOfBlock, slotRuns } from './block-slots.ts';
import type { BlockPattern } from './block-sparse.ts';

/**
 * q (scaled), k, v [B·H, Np, E] (zero-padded blocks) → softmax(q_b·K_slotsᵀ + mask_b)·V_slots for
 * every query block b, [B·H, Np, E]: the G global keys (rows 0…G−1) are the last slots of every block.
 */
export function perBlockAttend<T>(ops: Ops<T>, q: T, k: T, v: T, p: BlockPattern, G: number): T {
  const [bh, Np, E] = ops.shape(q), W = p.W, cols = p.S + G, masks = maskOfBlock(p, G);
  // 2-D sources, so that every slice is an operand as it is: Q and V rows [B·H·Np, E], Kᵀ [B·H·E, Np].
  const q2 = ops.reshape(q, [bh * Np, E]), v2 = ops.reshape(v, [bh * Np, E]);
  const kT = ops.reshape(ops.transpose(k, [0, 2, 1]), [bh * E, Np]);
  const joined = (ts: T[], axis: number) => (ts.length === 1 ? ts[0] : ops.concat(ts, axis));
  const outs: T[] = [];
  for (let i = 0; i < bh; i++) {
    // A scope per block: an eager engine frees its slices, scores and probabilities when it ends,
    // and the next block's reuse the same memory, still in cache (tfjs/wasm: see the file's doc).
    for (let b = 0; b < p.nb; b++) outs.push(ops.scope(() => {
      const runs = slotRuns(p, G, b);
      const keysT = joined(runs.map((r) => ops.slice(kT, [i * E, r.start], [E, r.length])), 1); // [E, S + G]
      const values = joined(runs.map((r) => ops.slice(v2, [i * Np + r.start, 0], [r.length, E])), 0); // [S + G, E]
      let scores = ops.matMul(ops.slice(q2, [i * Np + b * W, 0], [W, E]), keysT); // [W, S + G]
      if (masks[b]) scores = ops.add(scores, ops.constant(masks[b]!, [W, cols]));
      return ops.matMul(ops.softmax(scores), values);
    }));
  }
  return ops.reshape(ops.concat(outs, 0), [bh, Np, E]);
}
