/**
 * Decode steps of the sparse variants, causal as decoders are.
 *   sparse-window  a ring buffer of the last C = w − 1 positions (Mistral's rolling buffer cache,
 *                  Jiang et al. 2023): position p lives in slot p mod C, the cache never grows past
 *                  C, so a step costs the same at every context from w on. New token N + t attends
 *                  the slots whose position is ≥ N + t − w + 1 and the new tokens j ≤ t.
 *   sparse-block   the full cache, of which a step gathers only the key blocks its new tokens keep
 *                  (the global tokens, each token's block and the one before, its random blocks):
 *                  contiguous runs sliced from the cache and joined, so the scores cover those keys
 *                  only; the pattern is the causal forward's at length N + s.
 */
import type { Ops } from '../../engine/ops.ts';
import { kvHeadsOf, kvWidth } from '../../results/types.ts';
import { MASKED } from '../block-sparse.ts';
import { full } from '../full.ts';
import { blockSparseKeys, type BlockOptions } from '../sparse-block.ts';
import type { WindowOptions } from '../sparse-window.ts';
import { appendAll, projectToHeads } from './cache.ts';
import { attendBlocks } from './core.ts';
import { fullProjection, projectNew, projectionStepFlops, stepBytes } from './dense.ts';
import type { DecodeShape, Decoder, HostCache } from './types.ts';

const E = (s: DecodeShape) => s.dModel / s.heads;
const cacheOf = (s: DecodeShape, L: number) => [s.batch, kvHeadsOf(s), L, E(s)];

/** Additive mask [s, L]: MASKED where token t may not see key c. */
function maskOf(s: number, L: number, allowed: (t: number, c: number) => boolean): Float32Array {
  const m = new Float32Array(s * L);
  for (let t = 0; t < s; t++) for (let c = 0; c < L; c++) if (!allowed(t, c)) m[t * L + c] = MASKED;
  return m;
}

/** K/V heads [B, kvHeads, N, E] of a context, from the base projections. */
function contextHeads(s: DecodeShape, x: Float32Array, w: Record<string, { data: Float32Array }>, N = s.seqLen): HostCache {
  const heads = (p: 'k' | 'v') => projectToHeads(x, w[`W${p}`].data, w[`b${p}`].data, s.batch, N, s.dModel, kvWidth(s), kvHeadsOf(s));
  return { k: heads('k'), v: heads('v') };
}

// ---- sliding window: ring buffer ----

const capacity = (o: WindowOptions) => o.window - 1;
const slots = (s: DecodeShape, o: WindowOptions) => Math.min(s.seqLen, capacity(o));
/** Position held by slot c at context N: the latest p < N with p ≡ c (mod C). */
const positionOf = (c: number, N: number, C: number) => (N <= C ? c : N - 1 - ((N - 1 - c) % C + C) % C);

export const windowDecoder: Decoder<WindowOptions> = {
  cacheShapes: (s, o) => ({ k: cacheOf(s, slots(s, o)), v: cacheOf(s, slots(s, o)) }),
  prefill(s, o, x, w) {
    const all = contextHeads(s, x, w), L = slots(s, o), C = capacity(o), e = E(s), BH = s.batch * kvHeadsOf(s);
    const ring = (t: Float32Array) => {
      const out = new Float32Array(BH * L * e);
      for (let i = 0; i < BH; i++) {
        for (let c = 0; c < L; c++) {
          const row = i * s.seqLen + positionOf(c, s.seqLen, C);
          out.set(t.subarray(row * e, (row + 1) * e), (i * L + c) * e);
        }
      }
      return out;
    };
    return { k: ring(all.k), v: ring(all.v) };
  },
  step(ops, x, cache, w, s, o) {
    const n = projectNew(ops, x, fullProjection(ops, w), s), N = s.seqLen, L = slots(s, o), C = capacity(o);
    const first = (t: number) => N + t - o.window + 1;
    const blocks = [{ k: n.k, v: n.v, mask: maskOf(s.newTokens, s.newTokens, (t, j) => j <= t && N + j >= first(t)) }];
    if (L > 0) blocks.unshift({ k: cache.k, v: cache.v, mask: maskOf(s.newTokens, L, (t, c) => positionOf(c, N, C) >= first(t)) });
    return { y: n.out(attendBlocks(ops, n.q, blocks)), rows: { k: n.k, v: n.v } };
  },
  append(s, o, cache, rows) {
    const N = s.seqLen, sNew = s.newTokens, C = capacity(o), L = slots(s, o), L2 = Math.min(N + sNew, C), e = E(s);
    const BH = s.batch * kvHeadsOf(s);
    const write = (old: Float32Array, fresh: Float32Array) => {
      const out = new Float32Array(BH * L2 * e);
      for (let i = 0; i < BH; i++) {
        for (let c = 0; c < L; c++) out.set(old.subarray((i * L + c) * e, (i * L + c + 1) * e), (i * L2 + (positionOf(c, N, C) % C)) * e);
        for (let t = Math.max(0, sNew - C); t < sNew; t++) {
          out.set(fresh.subarray((i * sNew + t) * e, (i * sNew + t + 1) * e), (i * L2 + ((N + t) % C)) * e);
        }
      }
      return out;
    };
    return { k: write(cache.k, rows.k), v: write(cache.v, rows.v) };
  },
  flops: (s, o) => projectionStepFlops(full, s, {}) + 4 * s.batch * s.newTokens * (slots(s, o) + s.newTokens) * s.dModel,
  bytes: (s, o) => stepBytes(full.params(s, {}).inference, { k: cacheOf(s, slots(s, o)), v: cacheOf(s, slots(s, o)) }, s),
};

// ---- block-sparse: gathered key blocks ----

const total = (s: DecodeShape): DecodeShape => ({ ...s, seqLen: s.seqLen + s.newTokens, causal: true });

/** The context positions any new token keeps, ascending, and each new token's keys. */
function keptKeys(s: DecodeShape, o: BlockOptions): { positions: number[]; keys: Array<Set<number>> } {
  const keys = Array.from({ length: s.newTokens }, (_, t) => new Set(blockSparseKeys(total(s), o, s.seqLen + t)));
  const positions = [...new Set(keys.flatMap((k) => [...k]))].filter((j) => j < s.seqLen).sort((a, b) => a - b);
  return { positions, keys };
}

/** Contiguous runs [from, length] of ascending positions. */
function runsOf(positions: number[]): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  for (const p of positions) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === p) last[1]++; else runs.push([p, 1]);
  }
  return runs;
}

function gather<T>(ops: Ops<T>, t: T, runs: Array<[number, number]>): T {
  const [B, H, , e] = ops.shape(t);
  const parts = runs.map(([from, n]) => ops.slice(t, [0, 0, from, 0], [B, H, n, e]));
  return parts.length === 1 ? parts[0] : ops.concat(parts, 2);
}

export const blockDecoder: Decoder<BlockOptions> = {
  cacheShapes: (s) => ({ k: cacheOf(s, s.seqLen), v: cacheOf(s, s.seqLen) }),
  prefill: (s, _o, x, w) => contextHeads(s, x, w),
  step(ops, x, cache, w, s, o) {
    const n = projectNew(ops, x, fullProjection(ops, w), s), { positions, keys } = keptKeys(s, o), N = s.seqLen, runs = runsOf(positions);
    const blocks = [{ k: n.k, v: n.v, mask: maskOf(s.newTokens, s.newTokens, (t, j) => keys[t].has(N + j)) }];
    if (runs.length > 0) {
      blocks.unshift({ k: gather(ops, cache.k, runs), v: gather(ops, cache.v, runs),
        mask: maskOf(s.newTokens, positions.length, (t, c) => keys[t].has(positions[c])) });
    }
    return { y: n.out(attendBlocks(ops, n.q, blocks)), rows: { k: n.k, v: n.v } };
  },
  append: (s, _o, cache, rows) => appendAll(cache, rows, () => s.batch * kvHeadsOf(s), s.seqLen, s.newTokens, () => E(s)),
  flops: (s, o) => projectionStepFlops(full, s, {})
    + 4 * s.batch * s.newTokens * (keptKeys(s, o).positions.length + s.newTokens) * s.dModel,
  /** Only the gathered blocks of the cache are read. */
  bytes(s, o) {
    const b = stepBytes(full.params(s, {}).inference, { k: cacheOf(s, s.seqLen), v: cacheOf(s, s.seqLen) }, s);
    return { ...b, cacheRead: 4 * 2 * s.batch * kvHeadsOf(s) * keptKeys(s, o).positions.length * E(s) };
  },
};
