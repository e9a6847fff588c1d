/**
 * Configurations that should share weights share them (issue #11, point 1): random parts are seeded
 * by the suite seed, the variant and the options that define them — never by the engine, the case,
 * or `merged`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listEngines } from '../../src/engine/resolve.ts';
import { relativeError } from '../../src/linalg/dense.ts';
import { buildCase, measureCase } from '../../src/measure/case.ts';
import { planCases } from '../../src/run/plan.ts';
import { parseSuite } from '../../src/run/suite.ts';
import type { Case } from '../../src/results/types.ts';
import { runForward } from '../variants/cases.ts';

const engines = (await listEngines()).filter((e) => e.available && e.id !== 'tfjs/cpu');

function plan(variants: unknown[], seqLen = [24], seed = 5): Case[] {
  const suite = parseSuite({ name: 'seeding', variants, seqLen, dModel: 32, heads: 4, seed }, 'test');
  return planCases(suite, engines, 'seeding');
}

/** The cases of the first engine only. */
const onFirst = (cases: Case[]) => cases.filter((c) => c.engine.id === engines[0].id);

const outputOf = async (c: Case) => {
  const { v, x, o, w } = buildCase(c);
  return runForward(c.engine, v, c.shape, o, w, x);
};

test('merged and unmerged LoRA of one run fold and apply the same adapters: outputs agree to float32 rounding', async () => {
  const [merged, unmerged] = onFirst(plan([{ name: 'lora', options: { rank: 4, merged: true } }, { name: 'lora', options: { rank: 4 } }]));
  const err = relativeError(await outputOf(merged), await outputOf(unmerged));
  assert.ok(err < 1e-5, `merged vs unmerged: ${err}`);
});

test('random weights depend on the suite seed and the options that define them, not on N, batch or merged', () => {
  const [a, b] = onFirst(plan([{ name: 'lora', options: { rank: 4 } }], [24, 40]));
  assert.deepEqual(buildCase(a).w.Aq.data, buildCase(b).w.Aq.data, 'the same adapter at every N');
  const [other] = plan([{ name: 'lora', options: { rank: 4 } }], [24], 6);
  assert.notDeepEqual(buildCase(a).w.Aq.data, buildCase(other).w.Aq.data, 'another suite seed, other adapters');
  const [e1, e2] = onFirst(plan([{ name: 'linformer', options: { k: 8, projection: 'gaussian' } }], [24, 40]));
  assert.notEqual(buildCase(e1).w.E.data.length, buildCase(e2).w.E.data.length, 'E is [K×N]: its shape depends on N');
});

test('the block-sparse random pattern comes from the suite seed', () => {
  const spec = [{ name: 'sparse-block', options: { block: 4, globalTokens: 0, randomBlocks: 2 } }];
  assert.equal(plan(spec, [64], 5)[0].options.seed, 5);
  assert.equal(plan(spec, [64], 9)[0].options.seed, 9);
  const flops = (c: Case) => buildCase(c).flops;
  assert.equal(flops(plan(spec, [64], 5)[0]), flops(plan(spec, [64], 9)[0]), 'a pattern of another seed costs the same');
});

test('one configuration on every engine here has the same error vs full, to 1e-5', { skip: engines.length < 2 }, async () => {
  const cases = plan([{ name: 'lora', options: { rank: 4 } }, { name: 'lora', options: { rank: 4, merged: true } },
    { name: 'linformer', options: { k: 8, projection: 'gaussian' } },
    { name: 'sparse-block', options: { block: 4, globalTokens: 2, randomBlocks: 2 } }]);
  const byLabel = new Map<string, number[]>();
  for (const c of cases) {
    const outcome = await measureCase(c);
    assert.notEqual(outcome.kind, 'failed', c.caseId);
    if (outcome.kind === 'failed' || outcome.facts.mode !== 'inference') continue;
    byLabel.set(c.label, [...(byLabel.get(c.label) ?? []), outcome.facts.accuracy.relErrVsFull!]);
  }
  for (const [label, errs] of byLabel) {
    assert.equal(errs.length, engines.length, label);
    assert.ok(Math.max(...errs) - Math.min(...errs) < 1e-5, `${label}: ${errs.join(' vs ')}`);
  }
});
