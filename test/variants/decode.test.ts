/**
 * Decode steps over the registry (src/variants/decode/): on every engine present and at kvHeads = H,
 * grouped and multi-query, a step's outputs equal rows N … N+s−1 of the causal forward's float64
 * reference over N + s tokens; several steps from a prefilled cache equal the causal prefill; a step's
 * FLOP and byte formulas equal its traced products and tensors; a step projects only the new tokens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matMulFlops, recordMatMuls } from '../../src/engine/flop-recorder.ts';
import type { Ops } from '../../src/engine/ops.ts';
import { createEngine, listEngines } from '../../src/engine/resolve.ts';
import type { EngineInfo, Program } from '../../src/engine/types.ts';
import { relativeError } from '../../src/linalg/dense.ts';
import { createRng } from '../../src/linalg/rng.ts';
import { baseWeights, makeInput } from '../../src/linalg/weights.ts';
import { messages } from '../../src/messages.ts';
import { VARIANTS, VARIANT_NAMES, type VariantName } from '../../src/variants/index.ts';
import { DECODERS, decoderOf } from '../../src/variants/decode/index.ts';
import type { AnyDecoder, DecodeShape, HostCache } from '../../src/variants/decode/types.ts';
import type { AnyVariant, Capabilities, Weights } from '../../src/variants/types.ts';

const TOLERANCE = 1e-4;
const engines = (await listEngines()).filter((e) => e.available);

const CONFIGS: Array<[VariantName, object]> = [
  ['full', {}], ['lora', { rank: 4, targets: ['q', 'k', 'v', 'o'] }], ['lora', { rank: 4, merged: true }],
  ['svd', { rank: 5, method: 'exact' }], ['svd', { rank: 5, method: 'exact', latentCache: true }],
  ['sparse-window', { window: 6 }], ['sparse-block', { block: 4, globalTokens: 2 }],
  ['sparse-block', { block: 4, globalTokens: 3, randomBlocks: 1 }], ['flash', { kernel: 'tiled', tile: 4 }],
];

/** Context N, new tokens s; MHA, grouped (g = 2) and multi-query; batch 1 and 2. */
const SHAPES: DecodeShape[] = [
  { batch: 2, seqLen: 13, dModel: 24, heads: 4, kvHeads: 2, causal: true, newTokens: 1 },
  { batch: 1, seqLen: 16, dModel: 16, heads: 2, causal: true, newTokens: 3 },
  { batch: 2, seqLen: 9, dModel: 24, heads: 3, kvHeads: 1, causal: true, newTokens: 2 },
];

const total = (s: DecodeShape) => ({ ...s, seqLen: s.seqLen + s.newTokens, causal: true });
const label = (name: string, o: object, s: DecodeShape) => `${name} ${JSON.stringify(o)} B${s.batch} N${s.seqLen} s${s.newTokens} `
  + `D${s.dModel} H${s.heads} KV${s.kvHeads ?? s.heads}`;

interface Setup { v: AnyVariant; o: object; decoder: AnyDecoder; w: Weights; x: Float32Array }

/** Weights and a whole sequence x [B, N_total, D] for a configuration at the total length. */
function setup(name: VariantName, options: object, s: DecodeShape, extra = 0, engine?: Capabilities): Setup {
  const v = VARIANTS[name] as AnyVariant, o = v.options.parse(options) as object;
  const t = { ...total(s), seqLen: s.seqLen + s.newTokens + extra };
  const rng = createRng(`decode:${label(name, options, s)}`), base = baseWeights(t, { init: 'gaussian' }, rng);
  const found = decoderOf(name, s, o, engine);
  if ('skipped' in found) throw new Error(found.skipped);
  return { v, o, decoder: found.decoder, w: v.init(t, o, createRng('init'), base), x: makeInput(t, rng).data };
}

/** Rows [from, from + n) of every batch entry of x [B, L, D]. */
function rowsOf(x: Float32Array, B: number, L: number, D: number, from: number, n: number): Float32Array {
  const out = new Float32Array(B * n * D);
  for (let b = 0; b < B; b++) out.set(x.subarray((b * L + from) * D, (b * L + from + n) * D), b * n * D);
  return out;
}

const cacheName = (k: string) => `cache.${k}`;

/** The step as one traced/eager forward: y and the new cache rows, flattened and joined. */
function stepForward(d: AnyDecoder, s: DecodeShape, o: object, names: string[]) {
  return <T>(ops: Ops<T>, x: T, w: Record<string, T>): T => {
    const cache = Object.fromEntries(names.map((k) => [k, w[cacheName(k)]]));
    const { y, rows } = d.step(ops, x, cache, w, s, o);
    const flat = (t: T) => ops.reshape(t, [1, ops.shape(t).reduce((a, b) => a * b, 1)]);
    return ops.concat([y, ...names.map((k) => rows[k])].map(flat), 1);
  };
}

/** One step on an engine, as a session program: inputs x and the cache, outputs y and the new rows. */
async function runStep(info: EngineInfo, su: Setup, s: DecodeShape, cache: HostCache, xNew: Float32Array):
  Promise<{ y: Float32Array; rows: HostCache }> {
  const shapes = su.decoder.cacheShapes(s, su.o), names = Object.keys(shapes);
  const inputs = { x: { data: xNew, shape: [s.batch, s.newTokens, s.dModel] },
    ...Object.fromEntries(names.map((k) => [cacheName(k), { data: cache[k], shape: shapes[k] }])) };
  const program: Program = { inputs, fn: (ops, ins, w) => {
    const { y, rows } = su.decoder.step(ops, ins.x, Object.fromEntries(names.map((k) => [k, ins[cacheName(k)]])), w, s, su.o);
    return { outputs: { y, ...Object.fromEntries(names.map((k) => [`rows.${k}`, rows[k]])) } };
  } };
  const p = await (await createEngine(info)).prepare(program, su.w);
  try {
    const out = await p.run();
    return { y: out.y, rows: Object.fromEntries(names.map((k) => [k, out[`rows.${k}`]])) };
  } finally {
    await p.dispose();
  }
}

test('every variant has a decode entry or says why not (Linformer)', () => {
  assert.deepEqual(Object.keys(DECODERS).sort(), [...VARIANT_NAMES].sort());
  assert.match((DECODERS.linformer as { skipped: string }).skipped, /mixes every position/);
});

for (const info of engines) {
  test(`a decode step equals rows N…N+s−1 of the causal forward over N + s tokens on ${info.id}`, async () => {
    for (const [name, options] of CONFIGS) {
      for (const s of SHAPES) {
        const su = setup(name, options, s), L = s.seqLen + s.newTokens;
        const cache = su.decoder.prefill(s, su.o, rowsOf(su.x, s.batch, L, s.dModel, 0, s.seqLen), su.w);
        const { y } = await runStep(info, su, s, cache, rowsOf(su.x, s.batch, L, s.dModel, s.seqLen, s.newTokens));
        const rows = Array.from({ length: s.newTokens }, (_, t) => s.seqLen + t);
        const err = relativeError(y, su.v.reference(total(s), su.o, su.x, su.w, rows));
        assert.ok(err < TOLERANCE, `${label(name, options, s)} on ${info.id}: relative error ${err}`);
      }
    }
  });
}

/** Three steps of a configuration from a prefilled cache against the causal float64 forward over the whole sequence. */
async function threeSteps(info: EngineInfo, name: VariantName, options: object, s0: DecodeShape): Promise<void> {
  const steps = 3;
  const su = setup(name, options, s0, (steps - 1) * s0.newTokens, info.capabilities), L = s0.seqLen + steps * s0.newTokens;
  let cache = su.decoder.prefill(s0, su.o, rowsOf(su.x, s0.batch, L, s0.dModel, 0, s0.seqLen), su.w);
  const ys: Float32Array[] = [];
  for (let i = 0; i < steps; i++) {
    const s = { ...s0, seqLen: s0.seqLen + i * s0.newTokens };
    const { y, rows } = await runStep(info, su, s, cache, rowsOf(su.x, s.batch, L, s.dModel, s.seqLen, s.newTokens));
    ys.push(y);
    cache = su.decoder.append(s, su.o, cache, rows);
  }
  // Step outputs are [B, s, D] each; the reference's rows [B, steps·s, D].
  const B = s0.batch, n = s0.newTokens, D = s0.dModel, joined = new Float32Array(B * steps * n * D);
  ys.forEach((y, i) => {
    for (let b = 0; b < B; b++) joined.set(y.subarray(b * n * D, (b + 1) * n * D), (b * steps * n + i * n) * D);
  });
  const rows = Array.from({ length: steps * n }, (_, t) => s0.seqLen + t);
  const err = relativeError(joined, su.v.reference({ ...total(s0), seqLen: L }, su.o, su.x, su.w, rows));
  assert.ok(err < TOLERANCE, `${label(name, options, s0)} × ${steps} steps on ${info.id}: relative error ${err}`);
}

test('three steps from a prefilled cache equal the causal prefill of the whole sequence (first engine)', async () => {
  for (const [name, options] of CONFIGS.filter(([, o]) => !('randomBlocks' in o))) { // random blocks are drawn per length
    for (const s0 of SHAPES) await threeSteps(engines[0], name, options, s0);
  }
});

/** Shapes ORT's GroupQueryAttention takes: E a multiple of 8; s > 1 with a past at B = 1 only. Grouped, MHA with s = 3, multi-query. */
const FUSED_SHAPES: DecodeShape[] = [
  { batch: 2, seqLen: 13, dModel: 32, heads: 4, kvHeads: 2, causal: true, newTokens: 1 },
  { batch: 1, seqLen: 16, dModel: 32, heads: 2, causal: true, newTokens: 3 },
  { batch: 1, seqLen: 9, dModel: 48, heads: 3, kvHeads: 1, causal: true, newTokens: 1 },
];
const FUSED = { kernel: 'fused' } as const;

for (const info of engines.filter((e) => e.capabilities?.fusedDecode === true)) {
  test(`flash's fused decode kernel on ${info.id}: a step and three steps equal the causal float64 forward; its FLOPs its products`,
    async () => {
      for (const s of FUSED_SHAPES) {
        const su = setup('flash', FUSED, s, 0, info.capabilities), L = s.seqLen + s.newTokens;
        const cache = su.decoder.prefill(s, su.o, rowsOf(su.x, s.batch, L, s.dModel, 0, s.seqLen), su.w);
        const { y } = await runStep(info, su, s, cache, rowsOf(su.x, s.batch, L, s.dModel, s.seqLen, s.newTokens));
        const rows = Array.from({ length: s.newTokens }, (_, t) => s.seqLen + t);
        const err = relativeError(y, su.v.reference(total(s), su.o, su.x, su.w, rows));
        assert.ok(err < TOLERANCE, `${label('flash', FUSED, s)} on ${info.id}: relative error ${err}`);
        assert.equal(su.decoder.flops(s, su.o), matMulFlops(traced(su, s)), label('flash', FUSED, s));
        await threeSteps(info, 'flash', FUSED, s);
      }
    });
}

test('flash\'s fused kernel on an engine without a fused decode kernel is skipped with the reason', () => {
  assert.deepEqual(decoderOf('flash', FUSED_SHAPES[0], { kernel: 'fused' }, { gradients: true, memorySource: '' }),
    { skipped: messages.noFusedDecode() });
});

/** The step's traced products at context N. */
function traced(su: Setup, s: DecodeShape) {
  const shapes = su.decoder.cacheShapes(s, su.o), names = Object.keys(shapes);
  const weights = { ...su.w, ...Object.fromEntries(names.map((k) => [cacheName(k), { shape: shapes[k] }])) };
  return recordMatMuls(stepForward(su.decoder, s, su.o, names), weights, [s.batch, s.newTokens, s.dModel]).matMuls;
}

test('a step\'s flops() equal its traced products; bytes() its weights, cache tensors and new rows', () => {
  for (const [name, options] of CONFIGS) {
    for (const s of SHAPES) {
      const su = setup(name, options, s), b = su.decoder.bytes(s, su.o);
      assert.equal(su.decoder.flops(s, su.o), matMulFlops(traced(su, s)), label(name, options, s));
      const weights = Object.values(su.w).reduce((n, t) => n + t.data.length, 0);
      assert.equal(b.weights, 4 * weights, label(name, options, s));
      const shapes = Object.values(su.decoder.cacheShapes(s, su.o));
      assert.equal(b.cacheWritten, 4 * shapes.reduce((n, sh) => n + (sh[0] * sh[1] * sh[3]) * s.newTokens, 0), label(name, options, s));
      const held = 4 * shapes.reduce((n, sh) => n + sh[0] * sh[1] * sh[2] * sh[3], 0);
      if (name === 'sparse-block') assert.ok(b.cacheRead > 0 && b.cacheRead <= held, label(name, options, s));
      else assert.equal(b.cacheRead, held, label(name, options, s));
    }
  }
});

test('a step projects only its new tokens: its products do not change with N, but for the attention core', () => {
  const s1: DecodeShape = { batch: 2, seqLen: 40, dModel: 16, heads: 4, kvHeads: 2, causal: true, newTokens: 2 };
  const s2 = { ...s1, seqLen: 80 };
  for (const [name, options] of CONFIGS) {
    const su = setup(name, options, s2);
    // Products with an inner dimension of D, or producing D-wide rows, are projections: B·s rows each, at any N.
    const projections = (s: DecodeShape) => traced(su, s).filter((r) => r.k === s.dModel || r.n === s.dModel)
      .map((r) => `${r.batch}×${r.m}×${r.k}×${r.n}`).sort();
    assert.deepEqual(projections(s1), projections(s2), label(name, options, s1));
    for (const r of traced(su, s2).filter((p) => p.k === s2.dModel)) {
      assert.equal(r.batch * r.m, s2.batch * s2.newTokens, label(name, options, s2));
    }
  }
});
