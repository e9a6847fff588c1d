/**
 * "Depends on the weights" is data (src/variants/analytic.ts): a configuration whose formulas need
 * its resolved options has null counts with the reason, a resolved one has its figures, and no
 * caller learns it by catching an exception.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { analyticCounts } from '../../src/variants/analytic.ts';
import { VARIANTS } from '../../src/variants/index.ts';
import { resolveSvdOptions } from '../../src/variants/svd.ts';
import { seededBaseWeights } from '../../src/linalg/weights.ts';
import { describePlan, planCases } from '../../src/run/plan.ts';
import { parseSuite } from '../../src/run/suite.ts';
import type { EngineInfo } from '../../src/results/types.ts';
import { ROOT } from '../cli/helpers.ts';

const s = { batch: 1, seqLen: 64, dModel: 32, heads: 4 };

test('SVD by energy: null counts and why, until the weights fix the rank; then its figures', () => {
  const svd = VARIANTS.svd, o = svd.options.parse({ energy: 0.9 });
  assert.deepEqual(analyticCounts(svd, s, o),
    { params: null, flops: null, memory: null, unresolved: "svd: energy=0.9 fixes the rank from the weights' spectrum" });
  const resolved = resolveSvdOptions(s, o, seededBaseWeights(s.dModel, { init: 'gaussian' }, 1));
  const counts = analyticCounts(svd, s, resolved);
  assert.equal(counts.unresolved, undefined);
  assert.deepEqual([counts.params, counts.flops, counts.memory],
    [svd.params(s, resolved), svd.flops(s, resolved), svd.memory(s, resolved)]);
});

test('flash with kernel auto: causal counts wait for the engine; bidirectional ones do not', () => {
  const flash = VARIANTS.flash, o = flash.options.parse({});
  assert.match(analyticCounts(flash, { ...s, causal: true }, o).unresolved ?? '', /^flash: kernel auto counts differently per engine/);
  assert.equal(analyticCounts(flash, s, o).flops, VARIANTS.full.flops(s, {}));
});

test('every variant at its default options has its figures before any weights exist', () => {
  for (const v of Object.values(VARIANTS)) {
    const c = analyticCounts(v, s, v.options.parse({}));
    assert.ok(c.unresolved === undefined && c.flops > 0 && c.memory > 0 && c.params.total > 0, v.name);
  }
});

test('a plan reads unresolved counts as null, and no caller catches a formula\'s throw', () => {
  const suite = parseSuite({ name: 'e', variants: [{ name: 'svd', options: { energy: 0.9 } }], seqLen: [64], dModel: 32, heads: 4 }, 't');
  const [planned] = describePlan(planCases(suite, [{ id: 'tfjs/cpu', engine: 'tfjs', backend: 'cpu' } as EngineInfo], 'r'), 2 ** 30);
  assert.deepEqual([planned.params, planned.flops, planned.memoryBytes, planned.skip], [null, null, null, undefined]);
  for (const file of ['src/measure/case.ts', 'src/run/plan.ts', 'src/run/shard.ts']) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    assert.doesNotMatch(text, /try\s*\{[^}]*\.(params|flops|memory)\(/, `${file} catches a formula's exception`);
  }
});
