/**
 * The words of the rounds-disagree check (invariants.ts, noise.ts), chosen from a synthetic load
 * record: "the machine was busy" only when runnable tasks beyond the run's own are recorded during
 * the case's rounds; otherwise the variation between processes, with the engine's noise floor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disagreementCause, foreignLoad, loadDuring, noiseFloors } from '../../src/report/noise.ts';
import { checkInvariants, unreliableCases } from '../../src/report/invariants.ts';
import type { LoadSample } from '../../src/results/run-meta.ts';
import type { OkLine } from '../../src/results/types.ts';

const T0 = Date.parse('2026-12-01T09:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
/** A load record of `seconds` samples, 1 s apart: `runnable(s)` tasks, `own(s)` of them the run's. */
const record = (seconds: number, runnable: (s: number) => number, own: (s: number) => number | undefined = () => 2): LoadSample[] =>
  Array.from({ length: seconds }, (_, s) => ({ at: at(s), load1: 2, runnable: runnable(s), ...(own(s) !== undefined && { own: own(s) }) }));

/** A line of onnx/cpu whose three rounds ran at 0–5 s, 10–15 s and 20–25 s with medians `medians`. */
function line(medians: number[], label = 'full attention'): OkLine {
  const rounds = medians.map((m, i) => ({ round: i + 1, startedAt: at(10 * i), endedAt: at(10 * i + 5), median: m,
    samplesMs: Array.from({ length: 30 }, (_, k) => m * (1 + 0.001 * (k % 3))), pairedBlocks: true }));
  return { caseId: `${label}|onnx/cpu|B1N512D512H8`, label, variant: 'full', engine: 'onnx', backend: 'cpu', status: 'ok',
    mode: 'inference',
    shape: { batch: 1, seqLen: 512, dModel: 512, heads: 8 }, rounds, roundSpread: Math.max(...medians) / Math.min(...medians) - 1,
    samplesMs: rounds.flatMap((r) => r.samplesMs), gflops: 1, options: {} } as unknown as OkLine;
}

test('load beyond the run is runnable minus own, averaged over a window with a second either side', () => {
  const load = record(30, (s) => (s >= 10 && s < 16 ? 4 : 2));
  assert.equal(foreignLoad(load, at(0), at(5)), 0);
  assert.equal(foreignLoad(load, at(10), at(15)), 1.5, 'samples 9–16: six of eight with two tasks beyond the run');
  assert.equal(foreignLoad(record(30, () => 3, () => undefined), at(0), at(5)), undefined, 'an older record cannot tell');
});

test('rounds that disagree on a quiet machine: the variation between processes, with the noise floor, not "busy", not unreliable', () => {
  const l = line([10, 13, 10]), quiet = record(30, () => 2);
  const [v] = checkInvariants([l, line([10, 10.5, 10], 'other')], { load: quiet });
  assert.equal(v.check, 'rounds-disagree');
  assert.doesNotMatch(v.text, /busy/);
  assert.match(v.text, /30 % apart.*nothing beyond this run's own processes.*so this is the variation between processes/);
  assert.match(v.text, /onnx\/cpu's noise floor in this run is 18 % \(the median spread of its cases' round medians/);
  assert.deepEqual(v.caseIds, [], 'its comparisons hold this variation in their intervals');
  assert.equal(unreliableCases([v]).size, 0);
});

test('rounds that disagree while other tasks ran: the machine was busy, and the case is unreliable', () => {
  const busy = record(30, (s) => (s >= 10 && s < 16 ? 4 : 2)); // 1.5 tasks beyond the run on average in round 2's window
  const [v] = checkInvariants([line([10, 13, 10])], { load: busy });
  assert.match(v.text, /the machine was busy: 1\.5 task\(s\) beyond this run's were runnable on average during a round/);
  assert.deepEqual(v.caseIds, ['full attention|onnx/cpu|B1N512D512H8']);
  assert.match(unreliableCases([v]).get(v.caseIds[0])!, /^unreliable \(/);
});

test('a record that cannot tell the run\'s own tasks apart says so and keeps the case unreliable', () => {
  const [v] = checkInvariants([line([10, 13, 10])], { load: record(30, () => 3, () => undefined) });
  assert.match(v.text, /does not tell its own tasks from others', so whether the machine was busy is not known/);
  assert.equal(v.caseIds.length, 1);
  assert.equal(loadDuring(undefined, []).busy, undefined);
  assert.match(disagreementCause({ busy: false, foreign: 0.1 }, 'tfjs/wasm', 0.08), /tfjs\/wasm's noise floor in this run is 8 %/);
});

test('noise floors: the median round spread per engine', () => {
  const floors = noiseFloors([line([10, 11, 10]), line([10, 12, 10]), line([10, 10.1, 10])]);
  assert.ok(Math.abs(floors.get('onnx/cpu')! - 0.1) < 1e-9);
});
