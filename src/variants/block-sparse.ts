/**
 * The block-sparse attention core shared by the sparse variants (sparse-window, sparse-block), as
 * in BigBird (Zaheer et al. 2020, blocked form of App. D) and Longformer's sliding chunks (Beltagy
 * et al. 2020, §3.1): a pattern of key blocks per query block, the keys it keeps (for the float64
 * reference), and Q·Kᵀ, softmax and P·V over only those blocks, with their FLOPs and peak memory.
 * A helper, not a variant. Heads q, k, v: [B, H, N, E] with E = D / H; W is the block length.
 */
import type { Ops } from '../engine/ops.ts';
import { kvHeadsOf, kvWidth } from '../results/types.ts';
import { blockGroups, gcd, keyBlock, slotChunks, type BlockGroup } from './block-slots.ts';
import { perBlockAttend } from './block-entries.ts';
import type { Capabilities, Shape } from './types.ts';

export { MASKED } from './block-slots.ts';

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

/** [B, H, N, E] → [B·H, nb, W, E], zero-padded. */
function toBlocks<T>(ops: Ops<T>, t: T, s: Shape, p: BlockPattern): T {
  const pad = p.nb * p.W - p.seqLen;
  const padded = pad > 0 ? ops.pad(t, [[0, 0], [0, 0], [0, pad], [0, 0]]) : t;
  return ops.reshape(padded, [s.batch * s.heads, p.nb, p.W, s.dModel / s.heads]);
}

/**
 * Blocks [B·H, nb, W, E] → the key slots of `blocks` [B·H, blocks, S + G, E], G global keys last:
 * one gather of chunks of c = gcd(W, G) rows (whole blocks when G = 0). Measured on onnx/cpu
 * (window, N=4096): shifted copies by slice and pad, then a concat, wrote each key 7 times (17 ms
 * of Pad, Concat, Slice); the gather writes it 3 times (9 ms). The global keys in the same gather
 * let one product, one mask and one softmax cover slots and global keys alike (a softmax of its own
 * over the global keys, joined by hand, took 11 ms of elementwise passes at N=4096).
 */
function gatherSlots<T>(ops: Ops<T>, t: T, p: BlockPattern, G: number, blocks: number[]): T {
  const [bh, nb, W, E] = ops.shape(t), c = gcd(W, G);
  if (p.S === p.W && p.nb === 1 && G === 0) return t;
  const chunks = ops.gather(ops.reshape(t, [bh, nb * (W / c), c, E]), 1, slotChunks(p, G, blocks, c));
  return ops.reshape(chunks, [bh, blocks.length, p.S + G, E]);
}

/** One group of query blocks (block-slots.ts): softmax(Q·Kᵀ/√E + mask)·V over their slots → [B·H, blocks·W, E]. */
function attendGroup<T>(ops: Ops<T>, blocked: { q: T; k: T; v: T }, p: BlockPattern, G: number, group: BlockGroup): T {
  const [bh, nb, W, E] = ops.shape(blocked.q), n = group.blocks.length;
  const q = n === nb ? blocked.q : ops.gather(blocked.q, 1, group.blocks);
  const k = gatherSlots(ops, blocked.k, p, G, group.blocks), v = gatherSlots(ops, blocked.v, p, G, group.blocks);
  // The scale on q (N·D elements, not the scores'), next to the product: ORT folds it into the product.
  let scores = ops.matMul(ops.scale(q, 1 / Math.sqrt(E)), k, false, true); // [B·H, n, W, S + G]
  if (group.mask) scores = ops.add(scores, ops.constant(group.mask, [n, W, p.S + G]));
  return ops.reshape(ops.matMul(ops.softmax(scores), v), [bh, n * W, E]);
}

/** How blockSparseAttend issues its products: batched over every (head, block), or one block at a time (block-entries.ts). */
export const SLOT_PRODUCTS = ['batched', 'per-block'] as const;
export type SlotProducts = (typeof SLOT_PRODUCTS)[number];

/**
 * The products option of the sparse variants: 'auto' (default) is fixed by resolveSlotProducts
 * before the case runs, and recorded in the line's options.
 */
export function resolveSlotProducts<O extends { products: SlotProducts | 'auto' }>(o: O, engine?: Capabilities): O {
  if (o.products !== 'auto') return o;
  return { ...o, products: engine?.loopedProducts === true ? 'per-block' : 'batched' };
}

/** A resolved products option ('auto' unresolved: batched, as on an engine that declares nothing). */
export const slotProducts = (o: { products: SlotProducts | 'auto' }): SlotProducts => (o.products === 'auto' ? 'batched' : o.products);

export interface BlockSparseExtras<T> {
  /** Global keys: the first G keys, which every query attends besides its slots. */
  globals?: number;
  /** [B, H, R, E]: the result's first R rows (sparse-block's dense global rows). */
  firstRows?: T;
  products?: SlotProducts;
}

/**
 * softmax(Q·Kᵀ/√E)·V over the pattern's slots and the first G keys (global keys, which every
 * query attends besides its slots); q, k, v [B, H, N, E] → [B, H, N, E]. `firstRows` [B, H, R, E],
 * where given, are the result's first R rows (sparse-block's dense global rows): joined in the one
 * copy that puts the groups' rows in order, instead of a slice and a concat of their own.
 */
export function blockSparseAttend<T>(ops: Ops<T>, q: T, k: T, v: T, s: Shape, p: BlockPattern,
  { globals: G = 0, firstRows, products = 'batched' }: BlockSparseExtras<T> = {}): T {
  const E = s.dModel / s.heads, bh = s.batch * s.heads;
  const blocked = { q: toBlocks(ops, q, s, p), k: toBlocks(ops, k, s, p), v: toBlocks(ops, v, s, p) };
  const R = firstRows ? ops.shape(firstRows)[2] : 0;
  const pieces = firstRows ? [ops.reshape(firstRows, [bh, R, E])] : [];
  if (products === 'per-block') {
    const rows = (t: T) => ops.reshape(t, [bh, p.nb * p.W, E]);
    const out = perBlockAttend(ops, ops.scale(rows(blocked.q), 1 / Math.sqrt(E)), rows(blocked.k), rows(blocked.v), p, G);
    pieces.push(R === 0 && p.nb * p.W === p.seqLen ? out : ops.slice(out, [0, R, 0], [bh, p.seqLen - R, E]));
  } else {
    pieces.push(...groupRows(ops, blocked, p, G, R));
  }
  return ops.reshape(pieces.length === 1 ? pieces[0] : ops.concat(pieces, 1), [s.batch, s.heads, p.seqLen, E]);
}

/** The batched formulation: each group's rows (block-slots.ts), as runs of consecutive blocks, rows < R and ≥ N dropped. */
function groupRows<T>(ops: Ops<T>, blocked: { q: T; k: T; v: T }, p: BlockPattern, G: number, R: number): T[] {
  const [bh, , , E] = ops.shape(blocked.q);
  const groups = blockGroups(p, G), outs = groups.map((g) => attendGroup(ops, blocked, p, G, g)), pieces: T[] = [];
  for (let b = 0; b < p.nb;) {
    const gi = groups.findIndex((g) => g.blocks.includes(b)), at = groups[gi].blocks.indexOf(b);
    let end = b + 1;
    while (end < p.nb && groups[gi].blocks[at + end - b] === end) end++;
    const from = Math.max(b * p.W, R), to = Math.min(end * p.W, p.seqLen);
    if (from < to) {
      const out = outs[gi], [, rows] = ops.shape(out), start = from - b * p.W + at * p.W;
      pieces.push(start === 0 && to - from === rows ? out : ops.slice(out, [0, start, 0], [bh, to - from, E]));
    }
    b = end;
  }
  return pieces;
}

/** FLOPs of blockSparseAttend: Q·Kᵀ and P·V over S slots and G global keys for all nb·W (padded) rows. */
export function blockSparseFlops(s: Shape, p: BlockPattern, globals: number): number {
  return s.batch * 4 * p.nb * p.W * (p.S + globals) * s.dModel;
}

/**
 * Peak bytes of blockSparseAttend, tensors alive at the softmax: blocked Q, K, V; gathered key and
 * value slots, global keys included (none if nb = 1 and there are no global keys); scores and
 * probabilities; in a grouped-query shape the K/V heads their copies were made from. The mask is a
 * constant, like a weight.
 */
export function blockSparseMemory(s: Shape, p: BlockPattern, globals: number): number {
  const rows = s.batch * p.nb * p.W, S = p.S, kvHeads = kvHeadsOf(s) < s.heads ? 2 * s.batch * s.seqLen * kvWidth(s) : 0;
  const slots = p.nb > 1 || globals > 0 ? 2 * s.batch * p.nb * (S + globals) * s.dModel : 0;
  return 4 * (3 * rows * s.dModel + slots + 2 * s.heads * rows * (S + globals) + kvHeads);
}
