/**
 * Engine sessions (src/engine/types.ts, Program and Prepared): named inputs replaced per call,
 * several named outputs, state kept between calls — on every engine here; and engine-side timing
 * (Prepared.timeSamples) used instead of the harness's, its clock and `downloadInside` carried to
 * the line and shown in the report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, listEngines } from '../../src/engine/resolve.ts';
import type { EngineSamples, Prepared, Program } from '../../src/engine/types.ts';
import { timeGroupRound } from '../../src/measure/group-round.ts';
import { casesTable } from '../../src/report/sections.ts';
import type { CaseFacts, TimingSettings } from '../../src/results/types.ts';
import { completeLine } from '../../src/run/rounds.ts';
import { okLine } from '../report/fixtures.ts';

const host = (values: number[], shape = [values.length]) => ({ data: Float32Array.from(values), shape });

/** A decode-like step: x and pos in, y = x·pos and the running total out; the total is state. */
const step: Program = {
  fn: (ops, inputs, _w, state) => {
    const y = ops.mul(inputs.x, inputs.pos), total = ops.add(state.total, y);
    return { outputs: { y, total }, state: { total } };
  },
  inputs: { x: host([1, 2, 3]), pos: host([1]) },
  state: { total: host([0, 0, 0]) },
};

for (const info of (await listEngines()).filter((i) => i.available)) {
  test(`${info.id}: a session takes named inputs, gives named outputs, and keeps its state between calls`, async () => {
    const p = await (await createEngine(info)).prepare(step, {});
    try {
      const first = await p.run();
      assert.deepEqual(Object.keys(first).sort(), ['total', 'y']);
      assert.deepEqual([...first.y], [1, 2, 3]);
      assert.deepEqual([...first.total], [1, 2, 3]);
      const second = await p.run({ pos: host([2]) });
      assert.deepEqual([...second.y], [2, 4, 6]);
      assert.deepEqual([...second.total], [3, 6, 9], 'the total of the first call carried over');
      const third = await p.run({ x: host([1, 1, 1]) });
      assert.deepEqual([...third.y], [2, 2, 2], 'pos stays as the last call gave it');
      assert.deepEqual([...third.total], [5, 8, 11]);
      await assert.rejects(() => p.run({ x: host([1, 2]) }), /input 'x' must keep its shape \[3\], got \[2\]/);
      await assert.rejects(() => p.run({ q: host([1]) }), /the program has no input 'q'/);
    } finally {
      await p.dispose();
    }
  });
}

const timing: TimingSettings = { rounds: 1, timeMs: 50, warmupMs: 1, warmupIterations: 2, minSamples: 4, targetRme: 0,
  downloadInside: true };

/** A session that times itself: each sample 2 ms, on a clock of its own, output left on the device. */
function selfTimed(): Prepared & { calls: number[] } {
  const calls: number[] = [];
  return {
    calls,
    run: () => { throw new Error('the harness must not time run() when the engine times itself'); },
    async timeSamples(count: number): Promise<EngineSamples> {
      calls.push(count);
      return { samplesMs: Array(count).fill(2), clock: 'test-events', downloadInside: false };
    },
    peakMemory: async () => ({ peakBytes: 0, source: 'none' }),
    dispose: async () => undefined,
  };
}

test('engine-side timing is used when present: its samples, clock and downloadInside reach the line and the report', async () => {
  const p = selfTimed();
  const [round] = await timeGroupRound([{ pass: p.run, timeSamples: p.timeSamples!.bind(p) }], timing, 1, 'self');
  assert.ok(p.calls.length >= timing.warmupIterations + timing.minSamples && p.calls.every((n) => n === 1),
    'warm-up, then one sample a block, all from the engine');
  assert.equal(round.median, 2);
  assert.deepEqual([round.clock, round.downloadInside], ['test-events', false]);
  assert.ok(round.samplesMs.length >= timing.minSamples);
  const { latencyMs: _l, samplesMs: _s, rounds: _r, roundSpread: _p, gflops: _g, noisy: _n, ...facts } = okLine({});
  const line = completeLine({ ...facts, timing } as CaseFacts, new Map([[1, round]]));
  assert.equal(line.status, 'ok');
  assert.deepEqual([line.timing.clock, line.timing.downloadInside], ['test-events', false]);
  assert.match(casesTable([line]), /<td>test-events, output left on the device<\/td>/);
});

test('a CUDA graph replay, or why there was none, reaches the line\'s timing and the report, never dropped', async () => {
  const failed = 'capture failed: RuntimeError: x';
  const cases = [[true, 'CUDA graph replay'], [failed, `no CUDA graph (${failed})`]] as const;
  for (const [graph, shown] of cases) {
    const p = selfTimed(), timeSamples = async (n: number) => ({ ...(await p.timeSamples!(n)), cudaGraph: graph });
    const [round] = await timeGroupRound([{ pass: p.run, timeSamples }], timing, 1, 'graph');
    assert.equal(round.cudaGraph, graph);
    const { latencyMs: _l, samplesMs: _s, rounds: _r, roundSpread: _p, gflops: _g, noisy: _n, ...facts } = okLine({});
    const line = completeLine({ ...facts, timing } as CaseFacts, new Map([[1, round]]));
    assert.equal(line.timing.cudaGraph, graph);
    assert.ok(casesTable([line]).includes(`<td>test-events, output left on the device, ${shown}</td>`));
  }
});

test('the harness times run() itself where the engine has no clock of its own; a sample includes the download', async () => {
  let runs = 0;
  const [round] = await timeGroupRound([{ pass: async () => { runs++; return {}; } }], { ...timing, timeMs: 5 }, 1, 'harness');
  assert.ok(runs >= timing.minSamples + timing.warmupIterations);
  assert.deepEqual([round.clock, round.downloadInside], ['performance.now', true]);
});
