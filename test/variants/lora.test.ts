import { test } from 'node:test';
import assert from 'node:assert/strict';
import { relativeError } from '../../src/linalg/dense.ts';
import { createRng } from '../../src/linalg/rng.ts';
import { full } from '../../src/variants/full.ts';
import { lora } from '../../src/variants/lora.ts';
import { data, errorVsFull, firstEngine, runForward } from './cases.ts';

const big = { batch: 1, seqLen: 128, dModel: 512, heads: 8 };
const small = { batch: 2, seqLen: 11, dModel: 48, heads: 4 };

test('defaults are r=8, α=16 on q,v, unmerged', () => {
  assert.deepEqual(lora.options.parse({}), { rank: 8, alpha: 16, targets: ['q', 'v'], merged: false });
  assert.equal(lora.describe(lora.options.parse({})), 'LoRA r=8 α=16 on q,v (unmerged)');
});

test('targets are kept in q,k,v,o order and may not repeat', () => {
  assert.deepEqual(lora.options.parse({ targets: ['v', 'q'] }).targets, ['q', 'v']);
  assert.throws(() => lora.options.parse({ targets: ['q', 'q'] }));
  assert.throws(() => lora.options.parse({ targets: ['x'] }));
  assert.throws(() => lora.options.parse({ ranks: 4 }), 'unknown options are rejected');
});

test('r=8 on q,v with d=512: 16384 trainable unmerged; merged holds the base only, nothing to train, the adapter size in details', () => {
  const base = 4 * 512 * 512 + 4 * 512;
  assert.deepEqual(lora.params(big, lora.options.parse({})), { total: base + 16384, trainable: 16384, inference: base + 16384 });
  const merged = lora.options.parse({ merged: true });
  assert.deepEqual(lora.params(big, merged), { total: base, trainable: 0, inference: base });
  assert.deepEqual(lora.details!(big, merged, data(big, 'details').base), { adapterParams: 16384 });
});

test('FLOPs: merged = full; unmerged = full + B·Σ_targets 4·N·d·r', () => {
  assert.equal(lora.flops(big, lora.options.parse({ merged: true })), full.flops(big, {}));
  assert.equal(lora.flops(big, lora.options.parse({})), full.flops(big, {}) + 2 * 4 * 128 * 512 * 8);
});

test('merged and unmerged compute the same attention (the merged-weight reference)', async () => {
  const { base, x } = data(small, 'lora-merge');
  const info = await firstEngine();
  const run = async (merged: boolean) => {
    const o = lora.options.parse({ rank: 4, targets: ['q', 'k', 'v', 'o'], merged });
    const w = lora.init(small, o, createRng('same adapters'), base);
    return { y: await runForward(info, lora, small, o, w, x), ref: lora.reference(small, o, x.data, w, [...Array(small.seqLen).keys()]) };
  };
  const merged = await run(true), unmerged = await run(false);
  assert.ok(relativeError(merged.ref, unmerged.ref) < 1e-6);
  assert.ok(relativeError(unmerged.y, merged.y) < 1e-4);
  assert.ok(relativeError(unmerged.y, merged.ref) < 1e-4);
});

test('the adapter is visible: B is not zero, so LoRA differs from full by a fine-tuning-sized step', async () => {
  const err = await errorVsFull(lora, small, {});
  assert.ok(err > 1e-2 && err < 0.5, `error vs full ${err}`);
});
