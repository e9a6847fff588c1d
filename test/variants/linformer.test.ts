import { test } from 'node:test';
import assert from 'node:assert/strict';
import { full } from '../../src/variants/full.ts';
import { linformer } from '../../src/variants/linformer.ts';
import { relativeError } from '../../src/linalg/dense.ts';
import { createRng } from '../../src/linalg/rng.ts';
import { referenceRows } from '../../src/measure/accuracy.ts';
import { caseData, initRng } from '../../src/measure/case.ts';
import { planCases } from '../../src/run/plan.ts';
import { loadSuite } from '../../src/run/suite.ts';
import type { Case } from '../../src/results/types.ts';
import { segmentOf } from '../../src/variants/linformer.ts';
import { data, errorVsFull, firstEngine, hasSquareProduct } from './cases.ts';

const at = (seqLen: number) => ({ batch: 2, seqLen, dModel: 16, heads: 2 });
const parse = (o: object) => linformer.options.parse(o);

test('identity projections with k ≥ N are full attention; k < N is not', async () => {
  assert.ok(await errorVsFull(linformer, at(11), { k: 11, projection: 'identity' }) < 1e-4);
  assert.ok(await errorVsFull(linformer, at(11), { k: 300, projection: 'identity' }) < 1e-4);
  assert.ok(await errorVsFull(linformer, at(11), { k: 4 }) > 1e-2);
  assert.ok(await errorVsFull(linformer, at(11), { k: 4, projection: 'gaussian' }) > 1e-2);
});

test('params include E and F [k×N]: they depend on N; k > N is clamped to N', () => {
  const base = full.params(at(100), {}).total;
  assert.equal(linformer.params(at(100), parse({ k: 32 })).total, base + 2 * 32 * 100);
  assert.equal(linformer.params(at(200), parse({ k: 32 })).total, base + 2 * 32 * 200);
  assert.equal(linformer.params(at(20), parse({ k: 32 })).total, base + 2 * 20 * 20);
});

test('really linear: no N×N product, and FLOPs linear in N for a fixed k', () => {
  const o = parse({ k: 32 });
  assert.equal(hasSquareProduct(linformer, at(256), o), false);
  assert.equal(linformer.flops(at(2048), o), 2 * linformer.flops(at(1024), o));
});

test('segment means (the default): row i of E and F averages the i-th of K near-equal consecutive segments', () => {
  const s = at(10), o = parse({ k: 4 });
  assert.equal(o.projection, 'segment-means');
  assert.equal(linformer.describe(o), 'Linformer k=4 (segment means)');
  const { E, F } = linformer.init(s, o, createRng('unused'), data(s, 'means').base);
  assert.deepEqual(E.data, F.data);
  assert.deepEqual([0, 1, 2, 3].map((i) => segmentOf(i, 4, 10)), [[0, 2], [2, 5], [5, 7], [7, 10]]);
  const row = (i: number) => Array.from(E.data.subarray(i * 10, (i + 1) * 10)).map((v) => Number(v.toFixed(4)));
  assert.deepEqual(row(1), [0, 0, 0.3333, 0.3333, 0.3333, 0, 0, 0, 0, 0]);
  assert.deepEqual(row(3), [0, 0, 0, 0, 0, 0, 0, 0.3333, 0.3333, 0.3333]);
});

test('a Gaussian projection is labelled untrained; with k = N segment means are exactly full attention', async () => {
  assert.equal(linformer.describe(parse({ k: 32, projection: 'gaussian' })), 'Linformer k=32 (untrained Gaussian projection)');
  assert.ok(await errorVsFull(linformer, at(11), { k: 11 }) < 1e-4);
});

test('error vs full is below 1 at every N of the default suite (a Gaussian projection is above it)', async () => {
  const suite = await loadSuite('default');
  const spec = suite.variants.find((v) => typeof v !== 'string' && v.name === 'linformer')!;
  const cases = planCases({ ...suite, variants: [spec] }, [await firstEngine()], 'linformer-error');
  assert.deepEqual(cases.map((c) => c.shape.seqLen), [256, 512, 1024]);
  /** Error vs full of each option set on the case's data and rows, full's float64 reference computed once. */
  const errorsOf = (c: Case, ...optionSets: object[]) => {
    const { base, x } = caseData(c), rows = referenceRows(c.shape.seqLen), exact = full.reference(c.shape, {}, x.data, base, rows);
    return optionSets.map((o) => {
      const v = linformer.options.parse(o), w = linformer.init(c.shape, v, initRng(c, linformer, v), base);
      return relativeError(linformer.reference(c.shape, v, x.data, w, rows), exact);
    });
  };
  for (const c of cases.slice(0, 2)) {
    const [err] = errorsOf(c, c.options);
    assert.ok(err < 1, `N=${c.shape.seqLen}: error vs full ${err}`);
  }
  const [err, gaussian] = errorsOf(cases[2], cases[2].options, { ...cases[2].options, projection: 'gaussian' });
  assert.ok(err < 1, `N=${cases[2].shape.seqLen}: error vs full ${err}`);
  assert.ok(gaussian > 1, `an untrained Gaussian projection at N=1024: ${gaussian}`);
});
