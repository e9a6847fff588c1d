/**
 * The tables blockSparseAttend (block-sparse.ts) builds its graph from, once per pattern: which key
 * block or key row fills each slot, the additive mask over the slots, and the query blocks grouped
 * by whether they need that mask. A block pattern's query block b has S = (S/W)·W key slots, then
 * G global key columns (keys 0…G−1, which every kept query attends).
 */
import type { BlockPattern } from './block-sparse.ts';

/** Additive score for a key outside a pattern: exp(−1e9 − max) is 0 in float32, and, unlike −∞, no row can turn NaN. */
export const MASKED = -1e9;

/** Key block held by slot group g of query block b, or −1. */
export function keyBlock(p: BlockPattern, b: number, g: number): number {
  const kb = g < p.shifts.length ? b + p.shifts[g] : p.random[b][g - p.shifts.length];
  return kb >= 0 && kb < p.nb ? kb : -1;
}

const tables = new WeakMap<BlockPattern, Map<string, unknown>>();

/** `build()` once per pattern and key: eager engines run forward every pass, inside the timing. */
function perPattern<V>(p: BlockPattern, key: string, build: () => V): V {
  const held = tables.get(p) ?? tables.set(p, new Map()).get(p)!;
  if (!held.has(key)) held.set(key, build());
  return held.get(key) as V;
}

/** The key block of each slot group of query block b; an unused slot holds b itself, fully masked. */
function slotGroups(p: BlockPattern, b: number): number[] {
  return Array.from({ length: p.S / p.W }, (_, g) => {
    const kb = keyBlock(p, b, g);
    return kb >= 0 ? kb : b;
  });
}

/** Greatest common divisor (gcd(W, 0) = W). */
export const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * The key chunk of every slot of `blocks`, keys cut in chunks of c rows (c divides W and G), block
 * by block ((S + G)/c entries each): the slot groups' chunks, then the chunks of rows 0…G−1.
 */
export function slotChunks(p: BlockPattern, G: number, blocks: number[], c: number): number[] {
  const per = p.W / c;
  return perPattern(p, `chunks:${G}:${c}:${blocks}`, () => blocks.flatMap((b) => [
    ...slotGroups(p, b).flatMap((kb) => Array.from({ length: per }, (_, r) => kb * per + r)),
    ...Array.from({ length: G / c }, (_, j) => j)]));
}

/**
 * Additive mask of query block b, [W, S + G]: MASKED on an unused slot, a key past the end or in
 * the padding, and a key the pattern does not allow. The G global columns are never masked: every
 * kept query attends them (a causal query i ≥ G sees j < G ≤ i; the rows i < G are computed densely).
 */
function blockMask(p: BlockPattern, G: number, b: number): Float32Array {
  const cols = p.S + G, mask = new Float32Array(p.W * cols);
  for (let c = 0; c < p.S; c++) {
    const kb = keyBlock(p, b, Math.floor(c / p.W)), j = kb * p.W + (c % p.W);
    for (let r = 0; r < p.W; r++) {
      if (kb < 0 || j >= p.seqLen || !p.allowed(b * p.W + r, j)) mask[r * cols + c] = MASKED;
    }
  }
  return mask;
}

/** Query blocks computed together, and their additive mask [blocks, W, S + G] (absent: no slot masked). */
export interface BlockGroup {
  blocks: number[];
  mask?: Float32Array;
}

function joined(masks: Float32Array[]): Float32Array {
  const all = new Float32Array(masks.reduce((n, m) => n + m.length, 0));
  masks.forEach((m, i) => all.set(m, i * m.length));
  return all;
}

/**
 * The query blocks in groups: those with a masked slot, and those without, whose scores then take
 * no mask (an add over all of them saved). Measured on onnx/cpu (block-sparse, N=4096, W=64: only
 * blocks 0, 1 and nb−1 hold masked slots): the mask's add took 3.9 ms of a 100 ms pass. One group
 * of all blocks when fewer blocks would go without a mask than with one: the split adds ops.
 */
export function blockGroups(p: BlockPattern, G: number): BlockGroup[] {
  return perPattern(p, `groups:${G}`, () => {
    const masks = Array.from({ length: p.nb }, (_, b) => blockMask(p, G, b));
    const all = [...masks.keys()], masked = all.filter((b) => masks[b].includes(MASKED));
    const clean = all.filter((b) => !masked.includes(b));
    if (masked.length === 0) return [{ blocks: all }];
    if (clean.length < masked.length) return [{ blocks: all, mask: joined(masks) }];
    return [{ blocks: masked, mask: joined(masked.map((b) => masks[b])) }, { blocks: clean }];
  });
}

/** A run of consecutive key rows, [start, start + length), of the zero-padded keys. */
export interface KeyRun {
  start: number;
  length: number;
}

/**
 * The key rows of query block b's S + G slots, in slot order, as runs of consecutive rows: its slot
 * groups' blocks, merged where one follows the other, then rows 0…G−1. A window's middle block is
 * one run (blocks b−1, b, b+1), so its keys are one slice, no gather.
 */
export function slotRuns(p: BlockPattern, G: number, b: number): KeyRun[] {
  return perPattern(p, `runs:${G}:${b}`, () => {
    const runs: KeyRun[] = [];
    for (const kb of slotGroups(p, b)) {
      const last = runs[runs.length - 1];
      if (last && last.start + last.length === kb * p.W) last.length += p.W;
      else runs.push({ start: kb * p.W, length: p.W });
    }
    return G > 0 ? [...runs, { start: 0, length: G }] : runs;
  });
}

/**
 * Each query block's additive mask [W, S + G] (blockGroups' masks, one array per block, made once:
 * an eager engine uploads a constant once per array), or undefined where none of its slots is masked.
 */
export function maskOfBlock(p: BlockPattern, G: number): Array<Float32Array | undefined> {
  return perPattern(p, `block-masks:${G}`, () => {
    const size = p.W * (p.S + G), byBlock: Array<Float32Array | undefined> = Array(p.nb).fill(undefined);
    for (const g of blockGroups(p, G)) {
      g.blocks.forEach((b, t) => {
        const mask = g.mask?.subarray(t * size, (t + 1) * size);
        if (mask?.includes(MASKED)) byBlock[b] = mask;
      });
    }
    return byBlock;
  });
}
