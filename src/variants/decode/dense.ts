/**
 * Decode steps of the variants whose core is dense attention (full, LoRA merged and unmerged, SVD
 * through its factors) and of flash (split-KV): the new tokens' projections through the variant's
 * own projection, a cache of K and V [B, kvHeads, N, E], or, for SVD with `latentCache`, of the
 * rank-R projections x·U_k, x·U_v [B, 1, N, R] (R/Dkv of the size; K and V are up-projected from them
 * every step, K = C_k·V_k + b_k, and that product is counted in the step's FLOPs).
 */
import type { Ops } from '../../engine/ops.ts';
import { kvHeadsOf, kvWidth } from '../../results/types.ts';
import { full } from '../full.ts';
import { linear, mergeHeads, splitHeads, splitKvHeads, type Projection } from '../mha.ts';
import type { AnyVariant, Shape, Weights } from '../types.ts';
import { appendAll, projectToHeads } from './cache.ts';
import { attendBlocks, freshMask, splitKvAttend } from './core.ts';
import type { DecodeShape, Decoder, HostCache, StepBytes } from './types.ts';

export type Project<T> = (p: Projection, input: T) => T;

/** The shape of a step's new tokens as a forward pass of s tokens (for the projection FLOPs). */
export const newTokensShape = (s: DecodeShape): Shape => ({ ...s, seqLen: s.newTokens });

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Bytes of a step: every weight, every cache tensor read, the new rows written (float32). */
export function stepBytes(weights: number, cache: Record<string, number[]>, s: DecodeShape): StepBytes {
  const read = Object.values(cache).reduce((n, sh) => n + sizeOf(sh), 0);
  const written = Object.values(cache).reduce((n, sh) => n + sizeOf(sh) / sh[2] * s.newTokens, 0);
  return { weights: 4 * weights, cacheRead: 4 * read, cacheWritten: 4 * written };
}

/** FLOPs of the s new tokens' projections: the variant's forward over s tokens less its s×s dense core. */
export function projectionStepFlops(v: AnyVariant, s: DecodeShape, o: object): number {
  const t = newTokensShape(s);
  return v.flops(t, o) - 4 * s.batch * s.newTokens * s.newTokens * s.dModel;
}

/** q [B, H, s, E], the new rows k, v [B, kvHeads, s, E]; the output projection of core heads [B, H, s, E]. */
export function projectNew<T>(ops: Ops<T>, x: T, project: Project<T>, s: Shape) {
  return { q: splitHeads(ops, project('q', x), s), k: splitKvHeads(ops, project('k', x), s), v: splitKvHeads(ops, project('v', x), s),
    out: (heads: T) => project('o', mergeHeads(ops, heads, s)) };
}

export interface DenseDecoderSpec<O> {
  variant: AnyVariant;
  project: <T>(ops: Ops<T>, w: Record<string, T>, o: O) => Project<T>;
  /** The projection matrix p as the variant computes it, float64 [D × D_p]. */
  weight: (s: Shape, o: O, w: Weights, p: Projection) => ArrayLike<number>;
  /** Split-KV tiles of this many keys (flash); absent: one softmax over the whole cache. */
  tile?: (o: O) => number;
}

/** A decoder with a K/V cache [B, kvHeads, N, E] and a dense (or split-KV) core. */
export function denseDecoder<O extends object>(spec: DenseDecoderSpec<O>): Decoder<O> {
  const kv = (s: DecodeShape) => [s.batch, kvHeadsOf(s), s.seqLen, s.dModel / s.heads];
  return {
    cacheShapes: (s) => ({ k: kv(s), v: kv(s) }),
    prefill(s, o, x, w) {
      const heads = (p: 'k' | 'v') => projectToHeads(x, spec.weight(s, o, w, p), w[`b${p}`].data, s.batch, s.seqLen, s.dModel,
        kvWidth(s), kvHeadsOf(s));
      return { k: heads('k'), v: heads('v') };
    },
    step(ops, x, cache, w, s, o) {
      const n = projectNew(ops, x, spec.project(ops, w, o), s);
      const core = spec.tile ? splitKvAttend(ops, n.q, { k: cache.k, v: cache.v }, n, spec.tile(o))
        : attendBlocks(ops, n.q, [{ k: cache.k, v: cache.v }, { k: n.k, v: n.v, mask: freshMask(s.newTokens) }]);
      return { y: n.out(core), rows: { k: n.k, v: n.v } };
    },
    append: (s, _o, cache, rows) => appendAll(cache, rows, () => s.batch * kvHeadsOf(s), s.seqLen, s.newTokens, () => s.dModel / s.heads),
    flops: (s, o) => projectionStepFlops(spec.variant, s, o) + 4 * s.batch * s.newTokens * (s.seqLen + s.newTokens) * s.dModel,
    bytes: (s, o) => stepBytes(spec.variant.params(newTokensShape(s), o).inference, { k: kv(s), v: kv(s) }, s),
  };
}

/** SVD's latent cache: C_k = x·U_k, C_v = x·U_v [B, 1, N, R]; K, V up-projected from it each step. */
export function latentDecoder<O extends { rank?: number }>(
  spec: DenseDecoderSpec<O> & { rank: (s: Shape, o: O, p: Projection) => number }): Decoder<O> {
  const latent = (s: DecodeShape, o: O, p: 'k' | 'v') => [s.batch, 1, s.seqLen, spec.rank(s, o, p)];
  const shapes = (s: DecodeShape, o: O) => ({ k: latent(s, o, 'k'), v: latent(s, o, 'v') });
  return {
    cacheShapes: shapes,
    prefill(s, o, x, w) {
      const c = (p: 'k' | 'v') => projectToHeads(x, w[`U${p}`].data, undefined, s.batch, s.seqLen, s.dModel, spec.rank(s, o, p), 1);
      return { k: c('k'), v: c('v') };
    },
    step(ops, x, cache, w, s, o) {
      const project = spec.project(ops, w, o), B = s.batch, N = s.seqLen;
      const latentRows = (p: 'k' | 'v') => ops.matMul(x, w[`U${p}`]); // [B, s, R]
      const up = (p: 'k' | 'v', c: typeof x) => splitKvHeads(ops, ops.add(ops.matMul(c, w[`V${p}`]), w[`b${p}`]), s);
      const ck = latentRows('k'), cv = latentRows('v');
      const flat = (t: typeof x, p: 'k' | 'v', n: number) => ops.reshape(t, [B, n, spec.rank(s, o, p)]);
      const q = splitHeads(ops, project('q', x), s), kNew = up('k', ck), vNew = up('v', cv);
      const kCache = up('k', flat(cache.k, 'k', N)), vCache = up('v', flat(cache.v, 'v', N));
      const core = attendBlocks(ops, q, [{ k: kCache, v: vCache }, { k: kNew, v: vNew, mask: freshMask(s.newTokens) }]);
      const rows = (t: typeof x, p: 'k' | 'v') => ops.reshape(t, [B, 1, s.newTokens, spec.rank(s, o, p)]);
      return { y: project('o', mergeHeads(ops, core, s)), rows: { k: rows(ck, 'k'), v: rows(cv, 'v') } };
    },
    append: (s, o, cache, rows) => appendAll(cache, rows, () => s.batch, s.seqLen, s.newTokens, (k) => spec.rank(s, o, k as 'k' | 'v')),
    flops: (s, o) => projectionStepFlops(spec.variant, s, o) + 4 * s.batch * s.newTokens * (s.seqLen + s.newTokens) * s.dModel
      + (['k', 'v'] as const).reduce((n, p) => n + 2 * s.batch * s.seqLen * spec.rank(s, o, p) * kvWidth(s), 0),
    bytes: (s, o) => stepBytes(spec.variant.params(newTokensShape(s), o).inference, shapes(s, o), s),
  };
}

export const fullProjection = <T>(ops: Ops<T>, w: Record<string, T>): Project<T> =>
  (p, input) => linear(ops, input, w[`W${p}`], w[`b${p}`]);

export const fullDecoder = denseDecoder({ variant: full, project: fullProjection, weight: (_s, _o, w, p) => w[`W${p}`].data });

export type { HostCache };
