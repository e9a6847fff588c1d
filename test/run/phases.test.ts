/** Where a sweep's wall time went (src/run/phases.ts): each round's jobs split into preparing, warm-up, sampling and the rest. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addGroupRound, addRoundWall, dutyOf, startPhases, timed } from '../../src/run/phases.ts';
import type { RoundTiming } from '../../src/results/types.ts';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const timing = (round: number, prepareMs: number, warmupMs: number, from: number, to: number): RoundTiming =>
  ({ round, startedAt: at(from), endedAt: at(to), median: 1, samplesMs: [1], pairedBlocks: true, prepareMs,
    clock: 'harness', downloadInside: true, warmup: { passes: 2, steady: false, ms: warmupMs } });

test('a group round\'s wall is split into its cases\' preparing and warm-up, the group\'s sampling span and the rest', () => {
  const p = startPhases();
  // Two cases sampled together from second 10 to 14; a third failed (no timing): it adds nothing but the wall.
  addGroupRound(p, 1, 7500, [timing(1, 400, 300, 10, 14), timing(1, 600, 200, 10, 14), { error: 'boom' }]);
  addGroupRound(p, 1, 3000, [timing(1, 100, 100, 20, 22)]);
  addGroupRound(p, 2, 1000, [{ error: 'killed' }]);
  assert.deepEqual(p.rounds.map((r) => r.round), [1, 2]);
  const [r1, r2] = p.rounds;
  assert.equal(r1.wall, 10.5);
  assert.ok(Math.abs(r1.prepare - 1.1) < 1e-9, `prepare ${r1.prepare}`);
  assert.ok(Math.abs(r1.warmup - 0.6) < 1e-9, `warm-up ${r1.warmup}`);
  assert.equal(r1.sampling, 6, 'one span per group: 4 s and 2 s, not 4 s per case');
  assert.ok(Math.abs(r1.other - (10.5 - 1.1 - 0.6 - 6)) < 1e-9, `other ${r1.other}`);
  assert.deepEqual(r2, { round: 2, wall: 1, prepare: 0, warmup: 0, sampling: 0, other: 1 });
  assert.ok(Math.abs(dutyOf(p, 20) - 6 / 20) < 1e-12);
});

test('a resumed run adds to the phases it recorded before; timed() counts a job that throws', async () => {
  const earlier = { ceilings: 2, checks: 30, rounds: [{ round: 1, wall: 5, prepare: 1, warmup: 1, sampling: 2, other: 1 }] };
  const p = startPhases(earlier);
  addGroupRound(p, 1, 2000, [timing(1, 0, 0, 0, 1)]);
  assert.equal(earlier.rounds[0].wall, 5, 'the earlier record is not changed');
  assert.equal(p.rounds[0].wall, 7);
  assert.equal(p.rounds[0].sampling, 3);
  await assert.rejects(timed(p, 'checks', async () => { await new Promise((r) => setTimeout(r, 30)); throw new Error('x'); }));
  assert.ok(p.checks >= 30.02 && p.checks < 31, `checks ${p.checks}`);
  assert.equal(await timed(p, 'ceilings', async () => 42), 42);
  assert.ok(p.ceilings >= 2);
});

test('two lanes: the round\'s own wall and the wall some group sampled, which the duty cycle reads instead of the groups\' sum', () => {
  const p = startPhases();
  // Two groups sampled at once in two lanes, seconds 10–14 and 12–16: their spans add up to 8 s, the wall they cover is 6 s.
  addGroupRound(p, 1, 6000, [timing(1, 0, 0, 10, 14)]);
  addGroupRound(p, 1, 6000, [timing(1, 0, 0, 12, 16)]);
  addRoundWall(p, 1, 7000, [[Date.parse(at(10)), Date.parse(at(14))], [Date.parse(at(12)), Date.parse(at(16))]], 2);
  const [r] = p.rounds;
  assert.deepEqual([r.wall, r.sampling, r.elapsed, r.sampledWall, r.lanes], [12, 8, 7, 6, 2]);
  assert.equal(dutyOf(p, 10), 0.6);
  addRoundWall(p, 1, 1000, [], 1); // a resumed round adds its time; the lanes are the most any part used
  assert.deepEqual([p.rounds[0].elapsed, p.rounds[0].sampledWall, p.rounds[0].lanes], [8, 6, 2]);
});
