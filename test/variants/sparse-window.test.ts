import { test } from 'node:test';
import assert from 'node:assert/strict';
import { full } from '../../src/variants/full.ts';
import { patternKeys } from '../../src/variants/block-sparse.ts';
import { sparseWindow, windowPattern } from '../../src/variants/sparse-window.ts';
import { errorVsFull, hasSquareProduct } from './cases.ts';

const at = (seqLen: number) => ({ batch: 1, seqLen, dModel: 16, heads: 2 });
const range = (a: number, b: number) => [...Array(b - a + 1).keys()].map((i) => a + i);

test('window w: query i attends exactly the keys with |i − j| ≤ ⌊w/2⌋', () => {
  const p = windowPattern(at(10), { window: 4 });
  assert.deepEqual(patternKeys(p, 5).sort((a, b) => a - b), range(3, 7));
  assert.deepEqual(patternKeys(p, 0).sort((a, b) => a - b), range(0, 2));
  assert.deepEqual(patternKeys(p, 9).sort((a, b) => a - b), range(7, 9));
  const odd = windowPattern(at(10), { window: 5 });
  assert.deepEqual(patternKeys(odd, 4).sort((a, b) => a - b), range(2, 6));
});

test('a window covering the sequence (w ≥ 2(N − 1)) is full attention', async () => {
  for (const N of [7, 12]) assert.ok(await errorVsFull(sparseWindow, at(N), { window: 2 * (N - 1) }) < 1e-4);
  assert.ok(await errorVsFull(sparseWindow, at(12), { window: 6 }) > 1e-2, 'a narrow window is not');
});

test('really sparse: no N×N product, and FLOPs linear in N', () => {
  const o = sparseWindow.options.parse({ window: 16 });
  assert.equal(hasSquareProduct(sparseWindow, at(256), o), false);
  assert.equal(hasSquareProduct(full, at(256), {}), true, 'the check detects dense attention');
  assert.equal(sparseWindow.flops(at(2048), o), 2 * sparseWindow.flops(at(1024), o));
  assert.equal(sparseWindow.flops(at(1001), o) - 4 * 2 * 1001 * 16 * 16, 4 * 1008 * 24 * 16,
    'N = 1001 pads to 126 blocks of 8, S = 24 slots');
});

test('causal window w: query i attends exactly the keys i − w + 1 … i, computing key blocks b−1 and b only', () => {
  const causal = (seqLen: number) => ({ ...at(seqLen), causal: true });
  const p = windowPattern(causal(10), { window: 4 });
  assert.deepEqual(patternKeys(p, 5).sort((a, b) => a - b), range(2, 5));
  assert.deepEqual(patternKeys(p, 0), [0]);
  assert.deepEqual(patternKeys(p, 9).sort((a, b) => a - b), range(6, 9));
  const o = sparseWindow.options.parse({ window: 16 });
  assert.equal(hasSquareProduct(sparseWindow, causal(256), o), false);
  // Blocks of w − 1 = 15: N = 1001 pads to 67 blocks (1005 rows), S = 2·15 slots.
  assert.equal(sparseWindow.flops(causal(1001), o) - 4 * 2 * 1001 * 16 * 16, 4 * 1005 * 30 * 16);
});

test('products auto: one block at a time where the engine loops its batched products, else batched; a named one is kept', () => {
  const o = sparseWindow.options.parse({ window: 8 }), caps = { gradients: false, memorySource: 'none' };
  assert.equal(sparseWindow.resolve!(at(16), o, {} as never, { ...caps, loopedProducts: true }).products, 'per-block');
  assert.equal(sparseWindow.resolve!(at(16), o, {} as never, caps).products, 'batched');
  assert.equal(sparseWindow.resolve!(at(16), o, {} as never).products, 'batched');
  const named = sparseWindow.options.parse({ window: 8, products: 'per-block' });
  assert.equal(sparseWindow.resolve!(at(16), named, {} as never, caps).products, 'per-block');
});
