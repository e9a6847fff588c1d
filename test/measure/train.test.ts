/**
 * Training steps on every engine with gradients, over the whole variant registry: each trainable
 * weight's gradient against a central finite difference of the float64 reference's loss; one Adam
 * step holds 2 float32 moments per trainable parameter and leaves frozen weights bit-identical;
 * a few steps of LoRA training lower the loss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, listEngines } from '../../src/engine/resolve.ts';
import type { EngineInfo, PreparedTraining } from '../../src/engine/types.ts';
import type { HostTensor } from '../../src/engine/ops.ts';
import { createRng, normalArray } from '../../src/linalg/rng.ts';
import { trainableNames } from '../../src/measure/train.ts';
import { lora } from '../../src/variants/lora.ts';
import { countParams, type AnyVariant, type Shape, type Weights } from '../../src/variants/types.ts';
import { data, label, variantCases, type VariantCase } from '../variants/cases.ts';

const engines = (await listEngines()).filter((e) => e.available && e.capabilities?.gradients);
/** Tiny: the finite differences run the float64 reference twice per parameter. */
const TINY: Shape = { batch: 2, seqLen: 6, dModel: 8, heads: 2 };
const rows = (n: number) => [...Array(n).keys()];
const norm = (xs: ArrayLike<number>) => Math.hypot(...Array.from(xs));

function target(s: Shape, seed: string): HostTensor {
  return { data: normalArray(createRng(seed), s.batch * s.seqLen * s.dModel, 1), shape: [s.batch, s.seqLen, s.dModel] };
}

async function prepare(info: EngineInfo, v: AnyVariant, s: Shape, o: object, w: Weights, x: HostTensor, t: HostTensor, learningRate = 1e-3):
  Promise<PreparedTraining> {
  const engine = await createEngine(info);
  return engine.prepareTraining!((ops, xx, ww) => v.forward(ops, xx, ww, s, o), w, x,
    { trainable: trainableNames(v, s, o, w), target: t, learningRate });
}

/** The cases with something to train, with their weights, input and target on TINY. */
function trainCases() {
  return variantCases().flatMap((c: VariantCase) => {
    const { base, x } = data(TINY, `train:${label(c, TINY)}`);
    const w = c.variant.init(TINY, c.options, createRng('init'), base);
    const names = trainableNames(c.variant, TINY, c.options, w);
    return names.length === 0 ? [] : [{ ...c, w, x, names, t: target(TINY, `target:${label(c, TINY)}`) }];
  });
}

/** mean((y − t)²) of the float64 reference over every element. */
function loss64(v: AnyVariant, o: object, x: HostTensor, w: Weights, t: HostTensor): number {
  const y = v.reference(TINY, o, x.data, w, rows(TINY.seqLen));
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += (y[i] - t.data[i]) ** 2;
  return sum / y.length;
}

/** ∂loss/∂w[name] by central differences of the float64 loss, stepping the float32 weight itself. */
function finiteDifference(v: AnyVariant, o: object, x: HostTensor, w: Weights, t: HostTensor, name: string): Float64Array {
  const own = w[name].data, grad = new Float64Array(own.length), h = 1e-3;
  for (let i = 0; i < own.length; i++) {
    const at = (value: number) => {
      const data = own.slice();
      data[i] = value;
      return { value: data[i], loss: loss64(v, o, x, { ...w, [name]: { data, shape: w[name].shape } }, t) };
    };
    const up = at(own[i] + h), down = at(own[i] - h);
    grad[i] = (up.loss - down.loss) / (up.value - down.value);
  }
  return grad;
}

test('merged LoRA holds nothing to train; every other configuration trains exactly params().trainable', () => {
  for (const c of variantCases()) {
    const w = c.variant.init(TINY, c.options, createRng('init'), data(TINY, 'names').base);
    const names = trainableNames(c.variant, TINY, c.options, w);
    const merged = c.name === 'lora' && (c.options as { merged: boolean }).merged;
    assert.equal(names.length === 0, merged, label(c, TINY));
    if (merged) continue;
    assert.ok(names.every((n) => n in w), `${label(c, TINY)}: ${names.join(', ')} are weights`);
    assert.equal(countParams(Object.fromEntries(names.map((n) => [n, w[n]]))), c.variant.params(TINY, c.options).trainable, label(c, TINY));
  }
});

test('LoRA trains only A and B, SVD only its factors; full trains every weight', () => {
  assert.deepEqual(lora.trainable!(TINY, lora.options.parse({ targets: ['v', 'q'] })), ['Aq', 'Bq', 'Av', 'Bv']);
  const svd = variantCases().find((c) => c.name === 'svd')!;
  assert.deepEqual(trainableNames(svd.variant, TINY, svd.options, {}), ['Uq', 'Vq', 'Uk', 'Vk', 'Uv', 'Vv', 'Uo', 'Vo']);
  const full = variantCases().find((c) => c.name === 'full')!;
  const base = data(TINY, 'full').base;
  assert.deepEqual(trainableNames(full.variant, TINY, full.options, base), Object.keys(base));
});

const cases = trainCases();
const expected = new Map(cases.map((c) => [c,
  Object.fromEntries(c.names.map((n) => [n, finiteDifference(c.variant, c.options, c.x, c.w, c.t, n)]))]));

for (const info of engines) {
  // A configuration the engine cannot run (a fused kernel it lacks) is a skipped case in a sweep.
  const runnable = cases.filter((c) => c.variant.unsupported?.(TINY, c.options, info.capabilities) === undefined);
  test(`${info.id}: the gradient of every trainable weight matches a finite difference of the float64 loss`, async () => {
    for (const c of runnable) {
      const p = await prepare(info, c.variant, TINY, c.options, c.w, c.x, c.t);
      try {
        const grads = await p.gradients(), fd = expected.get(c)!;
        assert.deepEqual(Object.keys(grads).sort(), [...c.names].sort(), label(c, TINY));
        // Some true gradients are 0 (a key bias shifts every score of a query alike: softmax ignores
        // it), so each weight's error is scaled by at least 1 % of the whole gradient's norm.
        const whole = norm(Object.values(fd).flatMap((g) => Array.from(g)));
        for (const n of c.names) {
          const err = norm(grads[n].map((g, i) => g - fd[n][i])) / Math.max(norm(fd[n]), 0.01 * whole);
          assert.ok(err < 1e-4, `${label(c, TINY)} on ${info.id}: ∂loss/∂${n} relative error ${err}`);
        }
      } finally {
        await p.dispose();
      }
    }
  });

  test(`${info.id}: one Adam step holds 2 × 4 bytes per trainable parameter, moves the trainable weights, not the frozen`, async () => {
    for (const c of runnable) {
      const p = await prepare(info, c.variant, TINY, c.options, c.w, c.x, c.t);
      try {
        await p.step();
        const trainable = c.variant.params(TINY, c.options).trainable;
        const held = await p.heldBytes();
        assert.equal(held.optimizerState, 2 * 4 * trainable, label(c, TINY));
        assert.equal(held.trainable, 4 * trainable, label(c, TINY));
        assert.equal(held.trainable + held.frozen, 4 * countParams(c.w), label(c, TINY));
        const after = await p.weights();
        const moved = Object.keys(c.w).filter((n) => !after[n].every((e, i) => e === c.w[n].data[i]));
        assert.ok(moved.length > 0, `${label(c, TINY)} on ${info.id}: the step moved no weight`);
        assert.deepEqual(moved.filter((n) => !c.names.includes(n)), [], `${label(c, TINY)} on ${info.id}: frozen weights moved`);
      } finally {
        await p.dispose();
      }
    }
  });

  test(`${info.id}: twenty steps of LoRA training lower the loss`, async () => {
    const s = { batch: 1, seqLen: 16, dModel: 32, heads: 2 }, o = lora.options.parse({ rank: 4 });
    const { base, x } = data(s, 'lora-loss');
    const p = await prepare(info, lora, s, o, lora.init(s, o, createRng('init'), base), x, target(s, 'lora-target'), 1e-2);
    try {
      const losses: number[] = [];
      for (let i = 0; i < 20; i++) losses.push(await p.step());
      assert.ok(losses[19] < 0.9 * losses[0], `loss ${losses[0]} → ${losses[19]}`);
      assert.ok(losses.slice(1).every((l, i) => l < losses[i]), `loss falls at every step: ${losses.map((l) => l.toFixed(4)).join(' ')}`);
    } finally {
      await p.dispose();
    }
  });
}
