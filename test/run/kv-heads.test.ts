/**
 * Grouped-query shapes in a suite: kvHeads swept as a list, a case id suffix only when kvHeads
 * differs from heads (so multi-head ids stay), a kvHeads that does not divide heads refused in one
 * line; the base weights of a grouped shape are the multi-head layer's K/V heads mean-pooled per group.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/linalg/rng.ts';
import { baseWeights, withKvHeads } from '../../src/linalg/weights.ts';
import { UserError } from '../../src/messages.ts';
import { planCases, shapesOf } from '../../src/run/plan.ts';
import { parseSuite } from '../../src/run/suite.ts';
import type { EngineInfo } from '../../src/results/types.ts';

const onnx = { id: 'onnx/cpu', engine: 'onnx', backend: 'cpu' } as EngineInfo;

test('kvHeads sweeps; case ids gain K<kvHeads> only when it differs from heads', () => {
  const suite = parseSuite({ name: 's', variants: ['full'], seqLen: [64], dModel: 64, heads: 8, kvHeads: [8, 2, 1] }, 's');
  assert.deepEqual(shapesOf(suite).map((s) => s.kvHeads), [undefined, 2, 1]);
  const ids = planCases(suite, [onnx], 'r').map((c) => c.caseId.split('|').slice(1).join('|'));
  assert.deepEqual(ids, ['onnx/cpu|B1N64D64H8', 'onnx/cpu|B1N64D64H8K2', 'onnx/cpu|B1N64D64H8K1']);
  assert.throws(() => parseSuite({ name: 's', variants: ['full'], seqLen: [64], dModel: 64, heads: 8, kvHeads: 3 }, 's'),
    (e: unknown) => e instanceof UserError
      && /kvHeads must divide heads \(heads 8, kvHeads 3\), e\.g\. 1, 2, 4, 8/.test((e as Error).message));
});

test('a grouped shape mean-pools each group of K/V heads of the multi-head layer (Ainslie et al. 2023)', () => {
  const mha = { batch: 1, seqLen: 4, dModel: 8, heads: 4 }, gqa = { ...mha, kvHeads: 2 };
  const base = baseWeights(mha, { init: 'gaussian' }, createRng(11)), pooled = withKvHeads(base, gqa);
  assert.deepEqual(pooled.Wk.shape, [8, 4]);
  assert.deepEqual(pooled.bv.shape, [4]);
  // K/V head 1 (columns 2, 3) is the mean of heads 2 and 3 (columns 4, 5 and 6, 7); E = 2.
  for (const row of [0, 5]) {
    assert.ok(Math.abs(pooled.Wk.data[row * 4 + 3] - (base.Wk.data[row * 8 + 5] + base.Wk.data[row * 8 + 7]) / 2) < 1e-7);
  }
  assert.ok(Math.abs(pooled.bv.data[0] - (base.bv.data[0] + base.bv.data[2]) / 2) < 1e-7);
  assert.equal(pooled.Wq, base.Wq);
  assert.equal(withKvHeads(pooled, gqa), pooled);
  assert.deepEqual(baseWeights(gqa, { init: 'gaussian' }, createRng(11)).Wk.data, pooled.Wk.data);
});
