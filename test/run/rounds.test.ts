import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeLine, interleave, journalByCase, roundOrder } from '../../src/run/rounds.ts';
import type { Case, CaseFacts, RoundRecord } from '../../src/results/types.ts';
import { okLine } from '../report/fixtures.ts';

const ids = Array.from({ length: 12 }, (_, i) => `case-${i}`);
const cases = ids.map((caseId) => ({ caseId }) as Case);

test('interleaving: deterministic for a seed, a fresh permutation per round, every round complete before the next', () => {
  const order = interleave(cases, 7, 3);
  assert.deepEqual(order, interleave(cases, 7, 3), 'the same seed gives the same order');
  assert.notDeepEqual(order.map((j) => j.c.caseId), interleave(cases, 8, 3).map((j) => j.c.caseId), 'another seed, another order');
  assert.equal(order.length, 12 * 4, 'facts (round 0) and three timing rounds of every case');
  assert.deepEqual(order.map((j) => j.round), [0, 1, 2, 3].flatMap((r) => Array(12).fill(r)), 'truly interleaved: round by round');
  const perRound = [0, 1, 2, 3].map((r) => order.filter((j) => j.round === r).map((j) => j.c.caseId));
  for (const ids_ of perRound) assert.deepEqual([...ids_].sort(), [...ids].sort(), 'each round runs every case once');
  assert.equal(new Set(perRound.map((p) => p.join())).size, 4, 'each round in its own shuffled order');
  assert.notDeepEqual(perRound[1], ids, 'shuffled, not the plan order');
  assert.deepEqual(roundOrder(ids, 7, 2), perRound[2]);
});

test('a case\'s line from its journal: every round kept, pooled figures, spread; a failed round named', () => {
  const { latencyMs: _l, samplesMs: _s, rounds: _r, roundSpread: _rs, gflops: _g, noisy: _n, ...facts } = okLine({ seqLen: 64 });
  const round = (r: number, m: number) => ({ round: r, startedAt: 't', endedAt: 't', median: m, samplesMs: [m, m, m] });
  const records: RoundRecord[] = [{ caseId: 'c', round: 0, facts: facts as CaseFacts }, { caseId: 'c', round: 1, timing: round(1, 2) },
    { caseId: 'c', round: 3, timing: round(3, 3) }, { caseId: 'c', round: 2, error: 'exited with SIGKILL' }];
  const j = journalByCase(records).get('c')!;
  const line = completeLine(j.facts!, j.timing);
  assert.equal(line.status, 'ok');
  if (line.status !== 'ok' || line.mode !== 'inference') return;
  assert.deepEqual(line.rounds!.map((r) => r.round), [1, 3]);
  assert.deepEqual(line.samplesMs, [2, 2, 2, 3, 3, 3]);
  assert.equal(line.latencyMs.median, 2.5);
  assert.equal(line.roundSpread, 0.5);
  assert.ok(line.noisy!.includes('round 2 failed: exited with SIGKILL'));
  assert.equal(line.gflops, line.flops / 2.5 / 1e6);
  const allFailed = completeLine(j.facts!, new Map([[1, { error: 'timed out' }]]));
  assert.equal(allFailed.status, 'error');
  assert.equal(allFailed.status === 'error' && allFailed.reason, 'every timing round failed: round 1 failed: timed out');
});
