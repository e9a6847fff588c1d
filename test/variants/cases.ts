/**
 * Shared fixtures of the variant tests: small shapes and, per variant, option sets that exercise
 * its pattern at those sizes. Every test loops over VARIANTS: a variant not named in SMALL_OPTIONS
 * is still tested, with its defaults.
 */
import { forwardProgram } from '../../src/engine/types.ts';
import { dtypeOf } from '../../src/results/dtype.ts';
import type { EngineInfo } from '../../src/engine/types.ts';
import { recordMatMuls } from '../../src/engine/flop-recorder.ts';
import { createEngine, listEngines } from '../../src/engine/resolve.ts';
import { relativeError } from '../../src/linalg/dense.ts';
import { createRng } from '../../src/linalg/rng.ts';
import { baseWeights, makeInput } from '../../src/linalg/weights.ts';
import { full } from '../../src/variants/full.ts';
import { VARIANTS, type VariantName } from '../../src/variants/index.ts';
import type { AnyVariant, BaseWeights, Capabilities, Shape, Weights } from '../../src/variants/types.ts';
import type { HostTensor } from '../../src/engine/ops.ts';

/**
 * Batch 2, D not a power of two (48, 24), N not a multiple of the blocks below (13, 37); causal
 * shapes too: a variant that cannot be causal says so through `unsupported`, and is skipped there.
 */
export const SHAPES: Shape[] = [
  { batch: 1, seqLen: 16, dModel: 32, heads: 2 },
  { batch: 2, seqLen: 13, dModel: 48, heads: 4 },
  { batch: 2, seqLen: 37, dModel: 24, heads: 3 },
  { batch: 1, seqLen: 16, dModel: 32, heads: 2, causal: true },
  { batch: 2, seqLen: 37, dModel: 24, heads: 3, causal: true },
  { batch: 2, seqLen: 13, dModel: 48, heads: 4, kvHeads: 2 },
  { batch: 2, seqLen: 37, dModel: 24, heads: 3, kvHeads: 1, causal: true },
];

export const SMALL_OPTIONS: Partial<Record<VariantName, object[]>> = {
  lora: [{ rank: 4, targets: ['q', 'k', 'v', 'o'], merged: true }, { rank: 3, alpha: 6, targets: ['o', 'k'] }],
  svd: [{ rank: 5, method: 'exact' }, { rank: 7, targets: ['q', 'o'] }],
  'sparse-window': [{ window: 8 }, { window: 3 }],
  'sparse-block': [
    { block: 4, globalTokens: 2 }, { block: 5, globalTokens: 0, randomBlocks: 2 }, { block: 4, globalTokens: 3, randomBlocks: 1 },
    // Per block on every engine (tfjs/wasm runs every sparse case so by default): runs of slots, global keys, masks, first rows.
    { block: 4, globalTokens: 3, randomBlocks: 1, products: 'per-block' },
  ],
  linformer: [{ k: 5 }, { k: 5, projection: 'gaussian' }, { k: 64, projection: 'identity' }],
  flash: [{ tile: 5, kernel: 'tiled' }, { tile: 16, kernel: 'tiled' }, { kernel: 'fused' }],
  yardstick: [{ module: 'sdpa' }],
};

export interface VariantCase {
  name: string;
  variant: AnyVariant;
  options: object;
}

/** Every variant with its defaults and its small option sets, parsed. */
export function variantCases(): VariantCase[] {
  return Object.entries(VARIANTS).flatMap(([name, variant]) => {
    const extra = SMALL_OPTIONS[name as VariantName] ?? [];
    const v = variant as AnyVariant;
    return [{}, ...extra].map((o) => ({ name, variant: v, options: v.options.parse(o) as object }));
  });
}

export function label(c: VariantCase, s: Shape): string {
  return `${c.name} ${JSON.stringify(c.options)} B${s.batch} N${s.seqLen} D${s.dModel} H${s.heads}`
    + `${s.kvHeads === undefined ? '' : ` KV${s.kvHeads}`}${s.causal ? ' causal' : ''}`;
}

/**
 * The case's options as the harness runs them on an engine with `engine`'s capabilities
 * (src/measure/case.ts), or why it cannot run there (Variant.unsupported).
 */
export function onEngine(c: VariantCase, s: Shape, base: BaseWeights, engine?: Capabilities):
  { options: object } | { skipped: string } {
  const options = c.variant.resolve ? c.variant.resolve(s, c.options, base, engine) as object : c.options;
  const skipped = c.variant.unsupported?.(s, options, engine);
  return skipped !== undefined ? { skipped } : { options };
}

/** What the shape-only recorder runs: a fused attention kernel (recorded as its two products) and attention modules (their six). */
export const RECORDER_CAPABILITIES: Capabilities = { gradients: false, memorySource: 'none', fusedAttention: true,
  attentionModules: ['mha', 'sdpa'] };

/** Base weights and a fresh input of a shape, from `seed`. */
export function data(s: Shape, seed: string): { base: BaseWeights; x: HostTensor } {
  const rng = createRng(seed);
  return { base: baseWeights(s, { init: 'gaussian' }, rng), x: makeInput(s, rng) };
}

/** One forward pass of a variant on an engine (created anew: tfjs backends share one global state). */
export async function runForward(info: EngineInfo, v: AnyVariant, s: Shape, o: object, w: Weights, x: HostTensor): Promise<Float32Array> {
  const engine = await createEngine(info);
  const p = await engine.prepare(forwardProgram((ops, xx, ww) => v.forward(ops, xx, ww, s, o), x, dtypeOf(s)), w);
  try {
    return (await p.run()).y;
  } finally {
    await p.dispose();
  }
}

/** The first engine present here (the fastest), for tests that need one engine, not all. */
export async function firstEngine(): Promise<EngineInfo> {
  const info = (await listEngines()).find((e) => e.available);
  if (!info) throw new Error('no engine available');
  return info;
}

/** Relative error of a variant's engine output against exact full attention with the base weights. */
export async function errorVsFull(v: AnyVariant, s: Shape, options: object, seed = 'vs-full'): Promise<number> {
  const { base, x } = data(s, seed);
  const o = v.options.parse(options) as object;
  const y = await runForward(await firstEngine(), v, s, o, v.init(s, o, createRng('init'), base), x);
  return relativeError(y, full.reference(s, {}, x.data, base, [...Array(s.seqLen).keys()]));
}

/** Whether the forward issues a product with an N×N (or larger) result: dense attention. */
export function hasSquareProduct(v: AnyVariant, s: Shape, o: object): boolean {
  const w = v.init(s, o, createRng('init'), data(s, 'trace').base);
  const { matMuls } = recordMatMuls((ops, x, ww) => v.forward(ops, x, ww, s, o), w, [s.batch, s.seqLen, s.dModel]);
  return matMuls.some((r) => r.m >= s.seqLen && r.n >= s.seqLen);
}
