/**
 * tfjs/wasm runs each batched product on the kernel measured fastest for it, and says which
 * (issue #11, point 8).
 */
import { prepareForward } from '../../src/engine/types.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, listEngines } from '../../src/engine/resolve.ts';
import { batchedProducts, forcedKernel, KERNEL_ENV, productKey } from '../../src/engine/tfjs-kernels.ts';
import { UserError } from '../../src/messages.ts';
import { relativeError } from '../../src/linalg/dense.ts';
import { createRng, normalArray } from '../../src/linalg/rng.ts';
import { full } from '../../src/variants/full.ts';
import { data } from '../variants/cases.ts';

const wasm = (await listEngines()).find((e) => e.id === 'tfjs/wasm' && e.available);

test('the batched products of a forward are found on shapes alone, named with their transposes', () => {
  const s = { batch: 1, seqLen: 16, dModel: 32, heads: 2 };
  const { base } = data(s, 'kernels');
  const products = batchedProducts((ops, x, w) => full.forward(ops, x, w, s, {}), base, [1, 16, 32]);
  assert.deepEqual(products.map((p) => productKey(p.a, p.b, p.transposeA, p.transposeB)),
    ['[1,2,16,16]·[1,2,16,16]ᵀ', '[1,2,16,16]·[1,2,16,16]'], 'Q·Kᵀ and P·V; the projections share a weight');
});

test('tfjs/wasm: each batched product runs on its faster kernel, measured once and then read from the cache', { skip: !wasm }, async () => {
  // An odd size, so that no earlier run has cached it.
  const n = 40 + Math.floor(Math.random() * 400), a = [3, n, 24], b = [3, n, 24], rng = createRng('kernel-test');
  const forward = <T>(ops: import('../../src/engine/ops.ts').Ops<T>, x: T, w: Record<string, T>) => ops.matMul(x, w.B, false, true);
  const weights = { B: { data: normalArray(rng, 3 * n * 24, 1), shape: b } }, input = { data: normalArray(rng, 3 * n * 24, 1), shape: a };
  const engine = await createEngine(wasm!);
  const first = await prepareForward(engine, forward, weights, input);
  const y = (await first.run()).y;
  await first.dispose();
  assert.equal(first.kernels?.length, 1);
  const [k] = first.kernels!;
  assert.equal(k.product, `[3,${n},24]·[3,${n},24]ᵀ`);
  assert.equal(k.source, 'measured');
  assert.ok(k.loopMs! > 0);
  assert.equal(k.kernel, k.batchedMs !== null && k.batchedMs < k.loopMs! ? 'batched' : 'loop');
  const again = await prepareForward(engine, forward, weights, input);
  const y2 = (await again.run()).y;
  await again.dispose();
  assert.deepEqual(again.kernels, [{ ...k, source: 'cached' }]);
  assert.ok(relativeError(y2, y) < 1e-6);
});

test(`${KERNEL_ENV}: loop or batched forces the kernel; unset, empty or measured measures; anything else is a UserError`, () => {
  assert.equal(forcedKernel({ [KERNEL_ENV]: 'loop' }), 'loop');
  assert.equal(forcedKernel({ [KERNEL_ENV]: ' batched ' }), 'batched');
  for (const env of [{}, { [KERNEL_ENV]: '' }, { [KERNEL_ENV]: 'measured' }]) assert.equal(forcedKernel(env), undefined);
  assert.throws(() => forcedKernel({ [KERNEL_ENV]: 'xnnpack' }),
    (e) => e instanceof UserError && /'xnnpack' is not a kernel choice; use loop, batched or measured/.test(e.message));
});

test('tfjs/wasm: a forced kernel runs every batched product untimed, recorded as forced, with the same output',
  { skip: !wasm }, async () => {
  const n = 48, rng = createRng('forced-kernel'), engine = await createEngine(wasm!);
  const forward = <T>(ops: import('../../src/engine/ops.ts').Ops<T>, x: T, w: Record<string, T>) => ops.matMul(x, w.B, false, true);
  const weights = { B: { data: normalArray(rng, 3 * n * 24, 1), shape: [3, n, 24] } };
  const input = { data: normalArray(rng, 3 * n * 24, 1), shape: [3, n, 24] };
  const outputs: Float32Array[] = [];
  for (const kernel of ['loop', 'batched'] as const) {
    process.env[KERNEL_ENV] = kernel;
    try {
      const prepared = await prepareForward(engine, forward, weights, input);
      outputs.push((await prepared.run()).y);
      await prepared.dispose();
      assert.deepEqual(prepared.kernels,
        [{ product: `[3,${n},24]·[3,${n},24]ᵀ`, kernel, loopMs: null, batchedMs: null, source: 'forced' }]);
    } finally {
      delete process.env[KERNEL_ENV];
    }
  }
  assert.ok(relativeError(outputs[1], outputs[0]) < 1e-6);
});

test('tfjs/wasm: a product no forward measured (a training step\'s backward) runs on the forced kernel too', { skip: !wasm }, async () => {
  const { loadTfjs, tfjsOps } = await import('../../src/engine/tfjs.ts');
  const tf = await loadTfjs('wasm');
  const a = tf.randomNormal([2, 3, 40, 8]), b = tf.randomNormal([2, 3, 8, 40]);
  const kernelsRun: Record<string, string[]> = {};
  for (const kernel of ['loop', 'batched'] as const) {
    process.env[KERNEL_ENV] = kernel;
    try {
      const ops = tfjsOps(tf, 'wasm'); // no measured choices: every batched product is unmeasured
      kernelsRun[kernel] = (await tf.profile(() => ops.matMul(a, b))).kernelNames;
    } finally {
      delete process.env[KERNEL_ENV];
    }
  }
  tf.dispose([a, b]);
  assert.ok(kernelsRun.loop.includes('Slice'), `the loop slices its entries: ${kernelsRun.loop.join(',')}`);
  assert.ok(!kernelsRun.batched.includes('Slice'), `one batched product: ${kernelsRun.batched.join(',')}`);
});
