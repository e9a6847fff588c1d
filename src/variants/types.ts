/**
 * The Variant contract. A variant is one file: options with defaults (a zod schema, validated
 * at the CLI and suite boundary), exact parameter/FLOP/memory formulas, weight derivation from
 * the shared base weights, a forward pass written against `Ops`, and a float64 reference of the
 * same computation. Shape letters as in src/engine/ops.ts.
 */
import type { z } from 'zod';
import type { HostTensor, Ops } from '../engine/ops.ts';
import type { Capabilities, ForwardFn } from '../engine/types.ts';
import type { BaseWeights } from '../linalg/weights.ts';
import type { Rng } from '../linalg/rng.ts';
import type { ParamCount, Shape, VariantRole } from '../results/types.ts';

export type { BaseWeights, Capabilities, ParamCount, Shape };

/** Weights by name, host float32, row-major. */
export type Weights = Record<string, HostTensor>;

/** What a variant is to a reader, so that the report never tests names (recorded on each line: src/results/types.ts). */
export type { VariantRole };

export interface Variant<O extends object = object> {
  name: string;
  role: VariantRole;
  /** One line for `--list`, citing the paper. */
  summary: string;
  /** Options schema; every field has a default. */
  options: z.ZodType<O>;
  describe(o: O): string;
  /** Derives this variant's weights from the base weights (deterministic given rng). */
  init(shape: Shape, o: O, rng: Rng, base: BaseWeights): Weights;
  /**
   * What defines the weights `init` draws at random, beside the suite seed and the variant's name:
   * configurations with equal keys get equal random weights (merged and unmerged LoRA share A and B;
   * every engine and batch size shares them). It names the options that shape or scale those weights,
   * and N or D only where their shapes depend on it. Absent: `init` draws nothing at random.
   */
  seedKey?(shape: Shape, o: O): string;
  /**
   * The options with the suite seed filled in where a configuration draws a random structure that
   * is not a weight (block-sparse's random blocks); applied when a suite is planned.
   */
  seeded?(o: O, seed: number): O;
  /**
   * Why `params`, `flops` and `memory` cannot be evaluated for these options until `resolve` has
   * seen the weights or the engine (SVD by energy: the rank comes from the spectrum); undefined
   * when they can. Callers ask through analyticCounts (analytic.ts), never by catching a throw.
   */
  unresolved?(shape: Shape, o: O): string | undefined;
  /** Exact parameter counts (tests compare them with the weights `init` returns). */
  params(shape: Shape, o: O): ParamCount;
  /** Multiply-adds × 2 of the matrix products of one forward pass (softmax, adds not counted). */
  flops(shape: Shape, o: O): number;
  /** Analytic peak activation memory of one forward pass, bytes of float32 elements (analytic.ts: memoryInDtype scales to the dtype). */
  memory(shape: Shape, o: O): number;
  /** The forward pass: the only code that does math. x is [B, N, D], the result [B, N, D]. */
  forward<T>(ops: Ops<T>, x: T, w: Record<string, T>, shape: Shape, o: O): T;
  /**
   * Float64 reference of exactly what `forward` computes, for the output rows `rows` of every
   * batch entry: [B, rows.length, D].
   */
  reference(shape: Shape, o: O, x: Float32Array, w: Weights, rows: number[]): Float64Array;
  /**
   * Output rows computed by a path of their own (block-sparse's global tokens), which the accuracy
   * check compares at every N even when it samples rows.
   */
  checkedRows?(shape: Shape, o: O): number[];
  /**
   * Options that depend on the base weights (e.g. an SVD rank from an energy target) or on the
   * engine's capabilities (flash's kernel), fixed before anything runs.
   */
  resolve?(shape: Shape, o: O, base: BaseWeights, engine?: Capabilities): O;
  /**
   * Why this configuration cannot run in this shape or on an engine with these capabilities (a
   * causal Linformer; a fused kernel the engine lacks), one line; undefined when it can. The
   * harness records a `skipped` line with the reason instead of running it.
   */
  unsupported?(shape: Shape, o: O, engine?: Capabilities): string | undefined;
  /** Facts about this configuration worth recording beside the measurement (e.g. SVD's retained energy). */
  details?(shape: Shape, o: O, base: BaseWeights): Record<string, unknown>;
  /**
   * Names of the weights (keys of `init`'s result) a fine-tuning run updates; the rest stay frozen.
   * Absent: every weight. Their elements add up to `params().trainable`; none means nothing to train.
   */
  trainable?(shape: Shape, o: O): string[];
  /**
   * The variant whose forward graph this configuration runs unchanged (same ops, same shapes:
   * merged LoRA runs full's), if any. The report checks that their timings agree on every run.
   */
  sameGraphAs?(o: O): string | undefined;
}

/** Number of elements of all weights: what a variant holds. */
export function countParams(w: Weights): number {
  return Object.values(w).reduce((s, t) => s + t.data.length, 0);
}

/** A variant with its options type erased, as the registry and the harness hold it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyVariant = Variant<any>;

/** The variant's forward pass at one shape and resolved options, as an engine compiles it: (ops, x, weights) → output. */
export function forwardAt<O extends object>(v: Variant<O>, shape: Shape, o: O): ForwardFn {
  return (ops, x, w) => v.forward(ops, x, w, shape, o);
}
