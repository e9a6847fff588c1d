import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/linalg/rng.ts';
import { full } from '../../src/variants/full.ts';
import { resolveSvdOptions, svd, svdEnergy } from '../../src/variants/svd.ts';
import { baseWeights } from '../../src/linalg/weights.ts';
import { data, errorVsFull } from './cases.ts';

const s = { batch: 2, seqLen: 9, dModel: 24, heads: 3 };

test('options: rank 64 by default, all four targets, randomized; rank and energy exclude each other', () => {
  assert.deepEqual(svd.options.parse({}), { rank: 64, targets: ['q', 'k', 'v', 'o'], method: 'randomized' });
  assert.throws(() => svd.options.parse({ rank: 4, energy: 0.9 }), /not both/);
  assert.throws(() => svd.options.parse({ energy: 1.5 }));
  assert.equal(svd.options.parse({ energy: 0.9 }).rank, undefined);
});

test('full rank (and rank > D, clamped to D) is full attention, for both methods', async () => {
  for (const method of ['exact', 'randomized']) {
    for (const rank of [s.dModel, 1000]) {
      const err = await errorVsFull(svd, s, { rank, method });
      assert.ok(err < 1e-4, `${method} rank ${rank}: ${err}`);
    }
  }
});

test('params: per target 2·d·r instead of d²; the factors are what fine-tuning trains', () => {
  const o = svd.options.parse({ rank: 5, targets: ['q', 'o'] });
  const n = full.params(s, {}).total - 2 * 24 * 24 + 2 * 2 * 24 * 5;
  assert.deepEqual(svd.params(s, o), { total: n, trainable: 2 * 2 * 24 * 5, inference: n });
});

test('energy: the rank comes from the spectrum and must be resolved before counting', () => {
  const { base } = data(s, 'svd-energy');
  const o = svd.options.parse({ energy: 0.8, method: 'exact' });
  assert.throws(() => svd.params(s, o), /resolveSvdOptions/);
  const resolved = resolveSvdOptions(s, o, base);
  const r = resolved.rank!;
  const kept = Object.values(svdEnergy(s, resolved, base)).map((e) => e!.energy);
  assert.ok(kept.every((e) => e >= 0.8), `every target keeps ≥ 80%: ${kept}`);
  const below = Object.values(svdEnergy(s, { ...resolved, rank: r - 1 }, base)).map((e) => e!.energy);
  assert.ok(below.some((e) => e < 0.8), 'one rank less misses the target for some projection');
  assert.equal(svd.params(s, resolved).total, full.params(s, {}).total - 4 * 24 * 24 + 4 * 2 * 24 * r);
});

test('svdEnergy reports what init holds: exact error² + energy = 1', () => {
  const { base } = data(s, 'svd-report');
  const o = svd.options.parse({ rank: 6, method: 'exact', targets: ['k'] });
  const w = svd.init(s, o, createRng('init'), base);
  assert.deepEqual(w.Uk.shape, [24, 6]);
  assert.equal(w.Wk, undefined);
  const k = svdEnergy(s, o, base).k!;
  assert.equal(k.rank, 6);
  assert.ok(Math.abs(k.relError ** 2 + k.energy - 1) < 1e-9);
});

test('energy with the randomized method: the factors actually kept meet the target (24 configurations at D=64)', () => {
  const shape = { batch: 1, seqLen: 8, dModel: 64, heads: 4 };
  let grown = 0;
  for (let seed = 1; seed <= 6; seed++) {
    for (const init of [{ init: 'gaussian' as const }, { init: 'spectrum' as const, decay: 0.5 }]) {
      for (const energy of [0.8, 0.9]) {
        const base = baseWeights(shape, init, createRng(`svd-energy-${seed}`));
        const o = resolveSvdOptions(shape, svd.options.parse({ energy }), base);
        const kept = Object.values(svdEnergy(shape, o, base)).map((e) => e!.energy);
        assert.ok(kept.every((e) => e >= energy), `seed ${seed} ${init.init} ${energy}: rank ${o.rank} keeps ${kept}`);
        const exactRank = resolveSvdOptions(shape, svd.options.parse({ energy, method: 'exact' }), base).rank!;
        if (o.rank! > exactRank) grown++;
      }
    }
  }
  assert.ok(grown > 0, 'some randomized factorisations fell short at the spectrum\'s rank and were grown');
});
