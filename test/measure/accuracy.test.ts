/**
 * Implementation error is enforced (issue #11, point 6): a case whose output is further than
 * IMPLEMENTATION_TOLERANCE from its own float64 reference becomes an error line with the figure,
 * and rows computed by a path of their own are always among the rows compared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IMPLEMENTATION_TOLERANCE, measureAccuracy, referenceRows, SAMPLED_ROWS } from '../../src/measure/accuracy.ts';
import { createRng } from '../../src/linalg/rng.ts';
import { baseWeights, makeInput } from '../../src/linalg/weights.ts';
import { measureCase } from '../../src/measure/case.ts';
import { planCases } from '../../src/run/plan.ts';
import { parseSuite } from '../../src/run/suite.ts';
import { VARIANTS } from '../../src/variants/index.ts';
import { firstEngine } from '../variants/cases.ts';

test('sampled rows always include the rows a variant names (block-sparse\'s global tokens)', () => {
  const s = { batch: 1, seqLen: 1024, dModel: 64, heads: 4 };
  const always = VARIANTS['sparse-block'].checkedRows!(s, VARIANTS['sparse-block'].options.parse({ globalTokens: 16 }));
  assert.deepEqual(always, [...Array(16).keys()]);
  const rows = referenceRows(1024, always);
  for (let i = 0; i < 16; i++) assert.ok(rows.includes(i), `global row ${i}`);
  assert.equal(rows.length, SAMPLED_ROWS + 15, 'row 0 is sampled anyway');
  assert.deepEqual(rows, [...rows].sort((a, b) => a - b));
});

test(`a case further than ${IMPLEMENTATION_TOLERANCE} from its own reference is an error line with the figure`, async (t) => {
  const suite = parseSuite({ name: 'wrong', variants: [{ name: 'sparse-window', options: { window: 4 } }], seqLen: [300],
    dModel: 32, heads: 4 }, 'test');
  const [c] = planCases(suite, [await firstEngine()], 'wrong');
  const v = VARIANTS['sparse-window'], reference = v.reference;
  const ok = await measureCase(c);
  assert.equal(ok.kind === 'failed' ? ok.line.reason : 'measured', 'measured');
  // A reference 0.1 % off stands for an implementation that computes something else.
  t.after(() => { v.reference = reference; });
  v.reference = (...args) => reference(...args).map((e) => e * 1.001);
  const outcome = await measureCase(c);
  assert.equal(outcome.kind, 'failed');
  if (outcome.kind !== 'failed') return;
  assert.equal(outcome.line.status, 'error');
  assert.match(outcome.line.reason, new RegExp('^relative error (9\\.99e-4|1\\.00e-3) vs its own float64 reference exceeds the '
    + 'float32 tolerance 0\\.0001 \\(float64 sparse-window reference, 32 sampled rows of each batch entry\\)$'));
});

test('a variant\'s own reference is computed once per configuration and input, whichever engine asks; other weights compute again', () => {
  const s = { batch: 1, seqLen: 8, dModel: 16, heads: 2 };
  const rng = createRng('own-reference'), base = baseWeights(s, { init: 'gaussian' }, rng);
  const x = makeInput(s, rng).data;
  let calls = 0;
  const counted: typeof VARIANTS.full = { ...VARIANTS.full, reference: (...args) => { calls++; return VARIANTS.full.reference(...args); } };
  // The options are in the key: a fresh one per test run, so that the disk cache of an earlier run cannot answer.
  const o = { run: `${process.pid}:${Date.now()}` };
  const y = Float32Array.from(VARIANTS.full.reference(s, {}, x, base, [...Array(s.seqLen).keys()]));
  const first = measureAccuracy(counted, s, o, x, base, base, y), again = measureAccuracy(counted, s, o, x, base, base, y);
  assert.equal(calls, 1, 'the second engine\'s case reads the first one\'s reference');
  assert.deepEqual(again, first);
  assert.ok(first.relErr! < 1e-6, `relErr ${first.relErr}`);
  const other = { ...base, Wv: { ...base.Wv, data: base.Wv.data.map((e) => e * 2) } };
  const moved = measureAccuracy(counted, s, o, x, other, base, y);
  assert.equal(calls, 2, 'other weights: computed again');
  assert.ok(moved.relErr! > 1e-3, `the output of the first weights is far from the reference of the second (${moved.relErr})`);
});
