import { test } from 'node:test';
import assert from 'node:assert/strict';
import { completeLine, groupOf, interleave, journalByCase, roundOrder } from '../../src/run/rounds.ts';
import { jobsOf } from '../../src/run/sweep.ts';
import type { Case, CaseFacts, EngineInfo, RoundRecord } from '../../src/results/types.ts';
import { okLine } from '../report/fixtures.ts';

/** Three variants × two engines × two N: four comparison groups of three cases. */
const cases = ['onnx/cpu', 'tfjs/wasm'].flatMap((id) => [256, 512].flatMap((seqLen) => ['full', 'lora', 'svd'].map((v) => ({
  caseId: `${v}|${id}|${seqLen}`, mode: 'inference', engine: { id } as EngineInfo, shape: { batch: 1, seqLen, dModel: 64, heads: 4 },
}) as Case)));
const ids = cases.map((c) => c.caseId);

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
  assert.deepEqual(roundOrder(cases, 7, 2).map((c) => c.caseId), perRound[2]);
  for (const r of [1, 2, 3]) {
    const groups = order.filter((j) => j.round === r).map((j) => groupOf(j.c));
    const runs = groups.filter((g, i) => i === 0 || g !== groups[i - 1]);
    assert.equal(runs.length, 4, `round ${r}: the cases of a comparison group run back to back`);
  }
  const firstOfGroup = [1, 2, 3].map((r) => order.filter((j) => j.round === r)[0].c.caseId);
  assert.ok(new Set(firstOfGroup).size > 1 || new Set([1, 2, 3].map((r) => order.filter((j) => j.round === r)[1].c.caseId)).size > 1,
    'positions change from round to round');
});

test('jobs: each case\'s checks alone, each timing round of a comparison group as one job; a resumed round only its missing cases', () => {
  const order = interleave(cases, 7, 2), jobs = jobsOf(order);
  assert.equal(jobs.filter((j) => j.round === 0).length, 12);
  assert.ok(jobs.filter((j) => j.round === 0).every((j) => j.cases.length === 1));
  const timing = jobs.filter((j) => j.round > 0);
  assert.equal(timing.length, 4 * 2, 'four groups × two rounds');
  for (const j of timing) assert.deepEqual(new Set(j.cases.map(groupOf)).size, 1, 'one group per job');
  assert.ok(timing.every((j) => j.cases.length === 3));
  const missing = order.filter((j) => !(j.round === 1 && j.c.caseId === timing[0].cases[0].caseId));
  assert.equal(jobsOf(missing).find((j) => j.round === 1 && groupOf(j.cases[0]) === groupOf(timing[0].cases[0]))!.cases.length, 2);
});

test('a case\'s line from its journal: every round kept, pooled figures, spread; a failed round named', () => {
  const { latencyMs: _l, samplesMs: _s, rounds: _r, roundSpread: _rs, gflops: _g, noisy: _n, ...facts } = okLine({ seqLen: 64 });
  const round = (r: number, m: number) => ({ round: r, startedAt: 't', endedAt: 't', median: m, samplesMs: [m, m, m],
    clock: 'performance.now', downloadInside: true });
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
  assert.deepEqual(Object.keys(allFailed).sort(), ['backend', 'caseId', 'device', 'engine', 'finishedAt', 'flops', 'label', 'mode',
    'options', 'params', 'reason', 'runId', 'schema', 'shape', 'status', 'timing', 'variant'],
  'the base fields of the schema, no measured ones');
});
