/**
 * tfjs/wasm runs each batched product on the kernel measured fastest for it, and says which
 * (issue #11, point 8).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, listEngines } from '../../src/engine/resolve.ts';
import { batchedProducts, productKey } from '../../src/engine/tfjs-kernels.ts';
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
  const first = await engine.prepare(forward, weights, input);
  const y = await first.run();
  await first.dispose();
  assert.equal(first.kernels?.length, 1);
  const [k] = first.kernels!;
  assert.equal(k.product, `[3,${n},24]·[3,${n},24]ᵀ`);
  assert.equal(k.source, 'measured');
  assert.ok(k.loopMs! > 0);
  assert.equal(k.kernel, k.batchedMs !== null && k.batchedMs < k.loopMs! ? 'batched' : 'loop');
  const again = await engine.prepare(forward, weights, input);
  const y2 = await again.run();
  await again.dispose();
  assert.deepEqual(again.kernels, [{ ...k, source: 'cached' }]);
  assert.ok(relativeError(y2, y) < 1e-6);
});
