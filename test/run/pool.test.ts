import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { checkCase, Workers, type ChildLimits } from '../../src/run/pool.ts';
import { preflight } from '../../src/run/plan.ts';
import type { Case } from '../../src/results/types.ts';
import type { ResultLine } from '../../src/results/types.ts';
import { listEngines } from '../../src/engine/resolve.ts';

const CRASH = fileURLToPath(new URL('./fixtures/crash-worker.ts', import.meta.url));
const engine = (await listEngines()).find((i) => i.id === 'onnx/cpu')!;
const shape = { batch: 1, seqLen: 16, dModel: 16, heads: 2 };
/** A `full` case; the crash worker does what its label says. */
const mk = (label: string): Case => ({ caseId: `c-${label}`, runId: 'r', mode: 'inference', variant: 'full', options: {}, label, engine,
  shape, seed: 1, weights: { init: 'gaussian' }, input: { input: 'gaussian' },
  timing: { rounds: 1, timeMs: 50, warmupMs: 10, warmupIterations: 1, minSamples: 5, targetRme: 2, downloadInside: true } });
const limits = { timeoutMs: 20_000, heapMb: 64 };
/** A case's checks in a worker of its own (`worker`: the crash fixture, or the real one). */
async function runInChild(c: Case, l: ChildLimits, worker?: string) {
  const workers = new Workers(l, worker);
  try { return await checkCase(c, workers); } finally { workers.close(); }
}
const reasonOf = (l: ResultLine) => ('reason' in l ? l.reason : '');

test('a case process that exits 137 becomes a skipped line, and the next case runs', async () => {
  const crashed = await runInChild(mk('exit137'), limits, CRASH);
  assert.equal(crashed.status, 'skipped');
  assert.match(reasonOf(crashed), /killed \(SIGKILL, exit 137\)/);
  const next = await runInChild(mk('full attention'), limits);
  assert.equal(next.status, 'ok');
});

test('running past the heap limit is recorded as out of memory', async () => {
  const line = await runInChild(mk('heap'), limits, CRASH);
  assert.equal(line.status, 'skipped');
  assert.match(reasonOf(line), /out of memory: the case exceeded its 64 MB JavaScript heap/);
});

test('an uncaught throw and a hang become error and skipped lines', async () => {
  const thrown = await runInChild(mk('throw'), limits, CRASH);
  assert.equal(thrown.status, 'error');
  assert.match(reasonOf(thrown), /exited with code 1 before reporting: Error: boom in the case process/);
  const hung = await runInChild(mk('hang'), { ...limits, timeoutMs: 1500 }, CRASH);
  assert.equal(hung.status, 'skipped');
  assert.match(reasonOf(hung), /exceeded the case time limit of 1.5 s/);
});

test('cases above the memory budget are skipped before they run', () => {
  const big = { ...mk('full'), shape: { batch: 1, seqLen: 65536, dModel: 512, heads: 8 } };
  assert.equal(preflight(big, 2 ** 30), 'analytic peak memory 262528 MB exceeds --max-memory 1024 MB');
  assert.equal(preflight(mk('full'), 2 ** 30), undefined);
});
