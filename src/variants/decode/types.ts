/**
 * The decode contract: one step of autoregressive generation against a KV cache, per variant.
 * A step takes the s new tokens x [B, s, D] and the cache of the N context tokens, projects the new
 * tokens only (never the context), attends causally over N + s keys, projects the output [B, s, D],
 * and returns the new tokens' cache rows for the caller to write into its preallocated cache (the
 * engine session's persistent state; `append` is that write on the host).
 * Caches are laid out per K/V head, [B, kvHeads, L, E] (BNSH, as ORT's GroupQueryAttention holds
 * its past key and value), so a step reads them without a transpose.
 * Shape letters as in src/engine/ops.ts; N = shape.seqLen is the context already in the cache,
 * s = newTokens.
 */
import type { Ops } from '../../engine/ops.ts';
import type { Shape, Weights } from '../types.ts';

export interface DecodeShape extends Shape {
  /** New tokens per step, s ≥ 1 (s > 1: chunked prefill or speculative decoding's verification). */
  newTokens: number;
}

/** Host tensors of a cache by name, float32, row-major, in the shapes `cacheShapes` gives. */
export type HostCache = Record<string, Float32Array>;

/** Bytes one step moves: weights read, cache read, cache written (float32). */
export interface StepBytes {
  weights: number;
  cacheRead: number;
  cacheWritten: number;
}

export interface Decoder<O extends object = object> {
  /** The cache tensors a step reads, by name, at context N: [B, kvHeads, L, E] or a latent [B, 1, L, R]. */
  cacheShapes(s: DecodeShape, o: O): Record<string, number[]>;
  /** The cache of the context x [B, N, D] (float64 projections of the held weights, rounded to float32). */
  prefill(s: DecodeShape, o: O, x: Float32Array, w: Weights): HostCache;
  /** One step (see the file's doc): y [B, s, D] and the new rows of each cache tensor [B, ·, s, ·]. */
  step<T>(ops: Ops<T>, x: T, cache: Record<string, T>, w: Record<string, T>, s: DecodeShape, o: O): { y: T; rows: Record<string, T> };
  /** The cache at context N + s: the step's rows written after (or, in a ring buffer, over) the context's. */
  append(s: DecodeShape, o: O, cache: HostCache, rows: HostCache): HostCache;
  /** Multiply-adds × 2 of one step's matrix products. */
  flops(s: DecodeShape, o: O): number;
  bytes(s: DecodeShape, o: O): StepBytes;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDecoder = Decoder<any>;
