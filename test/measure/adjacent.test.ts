/**
 * Adjacent blocks (SuiteTiming.pairing 'adjacent', src/measure/group-round.ts): each case with a
 * baseline runs next to a pass of it, and the paired ratio then compares those two passes
 * (src/report/paired.ts); a synthetic machine whose noise is shared only by passes taken back to back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/linalg/rng.ts';
import { adjacentChunks, baselinesOf, timeGroupRound, type TimedSubject } from '../../src/measure/group-round.ts';
import { pairedRatio } from '../../src/report/paired.ts';
import type { Case, RoundSettings } from '../../src/results/types.ts';

test('the baseline of each case: full attention at the same shape and mode; none for full itself', () => {
  const c = (variant: string, seqLen: number, mode = 'decode') =>
    ({ variant, mode, shape: { batch: 1, seqLen, dModel: 8, heads: 2 } }) as Case;
  const cases = [c('lora', 16), c('full', 16), c('full', 32), c('sparse-window', 32), c('svd', 64), c('full', 16, 'train')];
  assert.deepEqual(baselinesOf(cases), [1, undefined, undefined, 2, undefined, undefined]);
});

test('adjacent chunks: every case once a block, each dependent beside its baseline, two to a baseline pass', () => {
  const rng = createRng('chunks');
  const baselines = [undefined, 0, 0, 0, 0, 0, undefined, 6, undefined]; // 0: full with five dependents; 6: full with one; 8 alone
  for (let k = 0; k < 20; k++) {
    const chunks = adjacentChunks(baselines, rng);
    const dependents = chunks.flat().filter((i) => baselines[i] !== undefined).sort();
    assert.deepEqual(dependents, [1, 2, 3, 4, 5, 7]);
    assert.equal(chunks.flat().filter((i) => i === 0).length, 3, 'five dependents: three passes of their baseline');
    assert.equal(chunks.flat().filter((i) => i === 8).length, 1);
    for (const ch of chunks.filter((x) => x.length > 1)) {
      const base = ch.filter((i) => baselines[i] === undefined);
      assert.equal(base.length, 1, JSON.stringify(ch));
      assert.ok(ch.every((i) => i === base[0] || baselines[i] === base[0]), JSON.stringify(ch));
      if (ch.length === 3) assert.equal(ch[1], base[0]);
    }
  }
});

/** A machine whose speed changes from pass to pass, shared only by passes back to back (a factor that moves on every pass). */
function machine(seed: string) {
  const rng = createRng(seed);
  let level = 0;
  return () => { level = 0.5 * level + 0.25 * rng.normal(); return Math.exp(level); };
}

test('adjacent blocks pair each case with the baseline pass beside it, shuffled by block: both cover 1, adjacent narrower', async () => {
  // A budget of no time: each round runs its 40 blocks (the fake passes take none).
  const t: RoundSettings = { timeMs: 0, warmupMs: 0, warmupIterations: 1, minSamples: 40, targetRme: 0, downloadInside: true };
  const spread: Record<string, number> = {};
  for (const pairing of ['shuffled', 'adjacent'] as const) {
    const speed = machine(`m:${pairing}`);
    const subjects: TimedSubject[] = Array.from({ length: 8 }, () => ({ pass: async () => {}, timeSamples: async () => {
      const ms = 10 * speed();
      return { samplesMs: [ms], clock: 'fake', downloadInside: false };
    } }));
    const rounds = [];
    const baselines = [undefined, 0, 0, 0, 0, 0, 0, 0]; // one after another: passes of two rounds must not interleave
    for (const round of [1, 2, 3]) rounds.push(await timeGroupRound(subjects, { ...t, pairing }, round, 'adj', baselines));
    const full = rounds.map((r) => r[0]), merged = rounds.map((r) => r[1]);
    const tag = (xs: typeof full, id: string) => xs.map((r) => ({ ...r,
      ...(r.adjacentTo && { adjacent: { to: id, baselineMs: r.adjacentTo.baselineMs } }) }));
    if (pairing === 'adjacent') {
      assert.ok(merged.every((r) => r.adjacentTo?.index === 0 && r.adjacentTo.baselineMs.length === r.samplesMs.length));
      // Seven dependents, two to a baseline pass: four passes of full a block, every one of them among its samples.
      full.forEach((r, k) => assert.equal(r.samplesMs.length, 4 * merged[k].samplesMs.length));
    } else assert.ok(merged.every((r) => r.adjacentTo === undefined));
    const p = pairedRatio(tag(merged, 'full'), tag(full, 'x'), 'p', { subject: 'merged', baseline: 'full' })!;
    assert.ok(p.byBlock && p.ci[0] < 1 && p.ci[1] > 1, `${pairing}: ${p.ci}`);
    // The per-pair log-ratios the paired ratio takes its median of: beside its baseline pass, or against the block's one.
    const logs = merged.flatMap((r, k) => r.samplesMs.map((x, i) => Math.log(x / (r.adjacentTo?.baselineMs[i] ?? full[k].samplesMs[i]))));
    const mean = logs.reduce((a, x) => a + x, 0) / logs.length;
    spread[pairing] = Math.sqrt(logs.reduce((a, x) => a + (x - mean) ** 2, 0) / (logs.length - 1));
  }
  // Passes back to back share the machine's moment (correlation 0.5 here), passes a block apart hardly: sd ≈ 0.29 against 0.41.
  assert.ok(spread.adjacent < 0.85 * spread.shuffled, JSON.stringify(spread));
});
