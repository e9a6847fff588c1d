/**
 * The block-sparse attention core shared by the sparse variants (sparse-window, sparse-block), as
 * in BigBird (Zaheer et al. 2020, blocked form of App. D) and Longformer's sliding chunks (Beltagy
 * et al. 2020, §3.1): a pattern of key blocks per query block, the keys it keeps (for the float64
 * reference), and Q·Kᵀ, softmax and P·V over only those blocks, with their FLOPs and peak memory.
 * A helper, not a variant. Heads q, k, v: [B, H, N, E] with E = D / H; W is the block length.
 */
import type { Ops } from '../engine/ops.ts';
import { kvHeadsOf, kvWidth } from '../results/types.ts';
import type { Shape } from './types.ts';

/** Additive score for a key outside a pattern: exp(−1e9 − max) is 0 in float32, and, unlike −∞, no row can turn NaN. */
export const MASKED = -1e9;

/**
 * A block-sparse pattern (Zaheer et al. 2020, BigBird; Beltagy et al. 2020, Longformer): positions
 * are cut into nb blocks of W (zero-padded to nb·W), and query block b scores the key blocks
 * b + shift for each shift, then random[b] (−1: an unused slot). A key slot is kept when its block
 * exists, its position j < N, and allowed(i, j); the rest is masked with MASKED. Only those
 * nb·W·S scores (S = slots per block) are computed: never an N×N matrix.
 */
export interface BlockPattern {
  seqLen: number; W: number; nb: number;
  shifts: number[];
  random: number[][];
  /** Key slots per query block: (shifts + random blocks)·W. */
  S: number;
  allowed(i: number, j: number): boolean;
}

/**
 * Blocks of min(block, N); each block scores itself and its two neighbours (itself only if nb = 1),
 * or, `causal`, itself and the block before it: no key after a query's block is ever scored.
 */
export function blockPattern(seqLen: number, block: number, allowed: BlockPattern['allowed'],
  random: (nb: number, W: number) => number[][] = () => [], causal = false): BlockPattern {
  const W = Math.min(block, seqLen), nb = Math.ceil(seqLen / W), shifts = nb === 1 ? [0] : causal ? [-1, 0] : [-1, 0, 1];
  const table = random(nb, W);
  return { seqLen, W, nb, shifts, random: table, S: (shifts.length + (table[0]?.length ?? 0)) * W, allowed };
}

/** Key block held by slot group g of query block b, or −1. */
function keyBlock(p: BlockPattern, b: number, g: number): number {
  const kb = g < p.shifts.length ? b + p.shifts[g] : p.random[b][g - p.shifts.length];
  return kb >= 0 && kb < p.nb ? kb : -1;
}

/** The keys query i attends to under the pattern (for the float64 reference). */
export function patternKeys(p: BlockPattern, i: number): number[] {
  const b = Math.floor(i / p.W), keys: number[] = [];
  for (let g = 0; g < p.S / p.W; g++) {
    const kb = keyBlock(p, b, g);
    if (kb < 0) continue;
    for (let j = kb * p.W; j < Math.min((kb + 1) * p.W, p.seqLen); j++) if (p.allowed(i, j)) keys.push(j);
  }
  return keys;
}

/** Builds a pattern once per (N, options): eager engines run forward every pass, inside the timing. */
export function memoPattern<O>(build: (s: Shape, o: O) => BlockPattern): (s: Shape, o: O) => BlockPattern {
  const patterns = new Map<string, BlockPattern>();
  return (s, o) => {
    const key = `${s.seqLen}:${s.causal === true}:${JSON.stringify(o)}`;
    return patterns.get(key) ?? patterns.set(key, build(s, o)).get(key)!;
  };
}

const masks = new WeakMap<BlockPattern, Float32Array | undefined>();

/** Additive mask [nb, W, S] (built once per pattern), or undefined when every slot is kept. */
function patternMask(p: BlockPattern): Float32Array | undefined {
  if (masks.has(p)) return masks.get(p);
  const S = p.S, mask = new Float32Array(p.nb * p.W * S);
  for (let b = 0; b < p.nb; b++) {
    for (let c = 0; c < S; c++) {
      const kb = keyBlock(p, b, Math.floor(c / p.W)), j = kb * p.W + (c % p.W);
      for (let r = 0; r < p.W; r++) {
        if (kb < 0 || j >= p.seqLen || !p.allowed(b * p.W + r, j)) mask[(b * p.W + r) * S + c] = MASKED;
      }
    }
  }
  masks.set(p, mask.includes(MASKED) ? mask : undefined);
  return masks.get(p);
}

/** [B, H, N, E] → [B·H, nb, W, E], zero-padded. */
function toBlocks<T>(ops: Ops<T>, t: T, s: Shape, p: BlockPattern): T {
  const pad = p.nb * p.W - p.seqLen;
  const padded = pad > 0 ? ops.pad(t, [[0, 0], [0, 0], [0, pad], [0, 0]]) : t;
  return ops.reshape(padded, [s.batch * s.heads, p.nb, p.W, s.dModel / s.heads]);
}

const slotIndices = new WeakMap<BlockPattern, number[]>();

/** The key block of every slot group, block by block (nb · S/W entries); an unused slot holds the query's own block, fully masked. */
function slotBlocks(p: BlockPattern): number[] {
  let blocks = slotIndices.get(p);
  if (!blocks) {
    blocks = Array.from({ length: p.nb }, (_, b) => Array.from({ length: p.S / p.W }, (_, g) => {
      const kb = keyBlock(p, b, g);
      return kb >= 0 ? kb : b;
    })).flat();
    slotIndices.set(p, blocks);
  }
  return blocks;
}

/**
 * Blocks [B·H, nb, W, E] → each block's key slots [B·H, nb, S, E]: one gather of whole blocks.
 * Measured on onnx/cpu (window, N=4096): shifted copies by slice and pad, then a concat, wrote
 * each key 7 times (17 ms of Pad, Concat, Slice); the gather writes it 3 times (9 ms).
 */
function gatherSlots<T>(ops: Ops<T>, t: T, p: BlockPattern): T {
  if (p.S === p.W && p.nb === 1) return t;
  const [bh, nb, , E] = ops.shape(t);
  return ops.reshape(ops.gather(t, 1, slotBlocks(p)), [bh, nb, p.S, E]);
}

/** softmax(Q·Kᵀ/√E)·V over the pattern's slots and `globals` [B, H, G, E]; q, k, v [B, H, N, E]. */
export function blockSparseAttend<T>(ops: Ops<T>, q: T, k: T, v: T, s: Shape, p: BlockPattern, globals?: { k: T; v: T }): T {
  const E = s.dModel / s.heads, bh = s.batch * s.heads, rows = p.nb * p.W;
  const unblock = (t: T) => {
    const all = ops.reshape(t, [s.batch, s.heads, rows, E]);
    return rows > p.seqLen ? ops.slice(all, [0, 0, 0, 0], [s.batch, s.heads, p.seqLen, E]) : all;
  };
  const qb = toBlocks(ops, ops.scale(q, 1 / Math.sqrt(E)), s, p); // the scale on q: N·D elements, not the scores'
  const kw = gatherSlots(ops, toBlocks(ops, k, s, p), p), vw = gatherSlots(ops, toBlocks(ops, v, s, p), p);
  let scores = ops.matMul(qb, kw, false, true); // [B·H, nb, W, S]
  const mask = patternMask(p);
  if (mask) scores = ops.add(scores, ops.constant(mask, [p.nb, p.W, p.S]));
  if (!globals) return unblock(ops.matMul(ops.softmax(scores), vw));
  // One softmax over the global keys and the slots, without joining the two score blocks (a concat,
  // then two slices of the probabilities, copied scores three times): one max and one sum over
  // both, each part's exponentials times its values, divided once: Σ e·v / Σ e.
  const G = ops.shape(globals.k)[2];
  const gk = ops.reshape(globals.k, [bh, G, E]), gv = ops.reshape(globals.v, [bh, G, E]);
  const gScores = ops.reshape(ops.matMul(ops.reshape(qb, [bh, rows, E]), gk, false, true), [bh, p.nb, p.W, G]);
  const max = ops.maximum(ops.reduceMax(gScores), ops.reduceMax(scores));
  const gExp = ops.exp(ops.sub(gScores, max)), exp = ops.exp(ops.sub(scores, max));
  const local = ops.matMul(exp, vw);
  const global = ops.reshape(ops.matMul(ops.reshape(gExp, [bh, rows, G]), gv), [bh, p.nb, p.W, E]);
  return unblock(ops.div(ops.add(local, global), ops.add(ops.reduceSum(gExp), ops.reduceSum(exp))));
}

/** FLOPs of blockSparseAttend: Q·Kᵀ and P·V over S slots and G global keys for all nb·W (padded) rows. */
export function blockSparseFlops(s: Shape, p: BlockPattern, globals: number): number {
  return s.batch * 4 * p.nb * p.W * (p.S + globals) * s.dModel;
}

/**
 * Peak bytes of blockSparseAttend, tensors alive at the softmax: blocked Q, K, V; gathered key and
 * value slots (none if nb = 1); scores and probabilities; in a grouped-query shape the K/V heads
 * their copies were made from. The mask is a constant, like a weight.
 */
export function blockSparseMemory(s: Shape, p: BlockPattern, globals: number): number {
  const rows = s.batch * p.nb * p.W, S = p.S, kvHeads = kvHeadsOf(s) < s.heads ? 2 * s.batch * s.seqLen * kvWidth(s) : 0;
  return 4 * (3 * rows * s.dModel + (p.nb > 1 ? 2 * rows * (S / p.W) * s.dModel : 0) + 2 * s.heads * rows * (S + globals) + kvHeads);
}
