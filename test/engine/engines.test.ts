import { test } from 'node:test';
import { prepareForward } from '../../src/engine/types.ts';
import { messages } from '../../src/messages.ts';
import assert from 'node:assert/strict';
import { createEngine, ENGINE_IDS, listEngines, probeNames, requestsOf, selectEngines, EngineSelectionError }
  from '../../src/engine/resolve.ts';
import { matMulFlops, recordMatMuls } from '../../src/engine/flop-recorder.ts';
import type { EngineInfo } from '../../src/engine/types.ts';
import { full } from '../../src/variants/full.ts';
import { caseData } from '../../src/measure/case.ts';
import { relativeError } from '../../src/linalg/dense.ts';

const shape = { batch: 2, seqLen: 37, dModel: 48, heads: 4 };

test('every registered engine is listed once, in priority order, with a reason when unavailable', async () => {
  const all = await listEngines();
  assert.deepEqual(all.map((i) => i.id), ENGINE_IDS);
  assert.deepEqual([...all].sort((a, b) => a.priority - b.priority).map((i) => i.id), ENGINE_IDS);
  for (const i of all) {
    if (i.available) assert.ok(i.version && i.device, `${i.id} has version and device`);
    else assert.match(i.reason ?? '', /\S/, `${i.id} says why it is unavailable`);
  }
  // Always present: the bundled ONNX Runtime CPU provider and the tfjs wasm/cpu backends.
  for (const id of ['onnx/cpu', 'tfjs/wasm', 'tfjs/cpu']) assert.ok(all.find((i) => i.id === id)?.available, `${id} available`);
});

test('a run that names its engines probes only those: torch\'s probe (Python, import torch) only when it may be used', async () => {
  assert.deepEqual(probeNames(requestsOf(['onnx', 'tfjs/wasm', 'onnx/cpu'])), ['onnx', 'tfjs']);
  assert.equal(probeNames(requestsOf(undefined)), undefined, 'the fastest here: every engine');
  assert.equal(probeNames(requestsOf(['onnx', 'all'])), undefined);
  assert.equal(probeNames([{ backends: ['cpu'] }]), undefined, 'a backend of any engine');
  const some = await listEngines(['onnx']);
  assert.deepEqual(some.map((i) => i.id), ENGINE_IDS.filter((id) => id.startsWith('onnx/')));
  assert.deepEqual((await listEngines()).filter((i) => i.engine === 'onnx'), some, 'the same probes, cached');
});

test('tfjs and onnx give the same output for the same weights and input', async () => {
  const { base, x } = caseData({ seed: 7, shape, weights: { init: 'gaussian' } });
  const outputs: Record<string, Float32Array> = {};
  for (const info of (await listEngines()).filter((i) => i.available)) {
    const engine = await createEngine(info);
    const p = await prepareForward(engine, (ops, xx, ww) => full.forward(ops, xx, ww, shape, {}), base, x);
    outputs[info.id] = (await p.run()).y;
    await p.dispose();
  }
  const ids = Object.keys(outputs);
  assert.ok(ids.length >= 3);
  for (const id of ids.slice(1)) assert.ok(relativeError(outputs[id], outputs[ids[0]]) < 1e-5, `${id} agrees with ${ids[0]}`);
});

test('full issues exactly the matMuls of the FLOP formula', () => {
  const { base } = caseData({ seed: 1, shape, weights: { init: 'gaussian' } });
  const recorded = recordMatMuls((ops, x, w) => full.forward(ops, x, w, shape, {}), base, [2, 37, 48]);
  const flops = matMulFlops(recorded.matMuls);
  assert.equal(flops, full.flops(shape, {}));
  assert.equal(flops, 2 * (8 * 37 * 48 ** 2 + 4 * 37 ** 2 * 48));
  assert.deepEqual(recorded.output, [2, 37, 48]);
});

const info = (id: string, available: boolean, priority: number): EngineInfo => {
  const [engine, backend] = id.split('/');
  return { id, engine: engine as EngineInfo['engine'], backend, available, priority, reason: available ? undefined : `no ${backend}` };
};
const fake = [info('onnx/cuda', false, 10), info('onnx/cpu', true, 30), info('tfjs/tensorflow', false, 40), info('tfjs/wasm', true, 50)];

test('engine selection: fastest by default, falls back loudly, refuses missing explicit backends', () => {
  assert.deepEqual(selectEngines(fake, {}).engines.map((e) => e.id), ['onnx/cpu']);
  assert.deepEqual(selectEngines(fake, {}).fallbacks, ['onnx/cuda unavailable (no cuda): using onnx/cpu']);
  assert.deepEqual(selectEngines(fake, { engine: 'all' }).engines.map((e) => e.id), ['onnx/cpu', 'tfjs/wasm']);
  assert.deepEqual(selectEngines(fake, { engine: 'tfjs', backends: ['wasm'] }).engines.map((e) => e.id), ['tfjs/wasm']);
  assert.throws(() => selectEngines(fake, { engine: 'tfjs', backends: ['tensorflow'] }), EngineSelectionError);
  const problem = (f: () => unknown) => {
    try { f(); } catch (e) { if (e instanceof EngineSelectionError) return e.problem; }
    return assert.fail('expected an EngineSelectionError');
  };
  assert.deepEqual(problem(() => selectEngines(fake, { engine: 'tfjs', backends: ['nope'] })),
    { kind: 'unknown-backend', received: 'nope', valid: ['tensorflow', 'wasm'] });
  const onnxDown = fake.filter((i) => i.engine === 'onnx').map((i) => ({ ...i, available: false, reason: `no ${i.backend}` }));
  const none = problem(() => selectEngines(onnxDown, { engine: 'onnx' }));
  assert.equal(none.kind === 'none-available' && messages.noEngineAvailable(none.tried),
    'no available engine found. ERR: [onnx/cuda] no cuda, [onnx/cpu] no cpu');
});

test('parameters of full are 4·d² + 4·d and equal the weights it holds', () => {
  const { base } = caseData({ seed: 1, shape: { ...shape, dModel: 512, heads: 8, seqLen: 4 }, weights: { init: 'gaussian' } });
  const held = Object.values(base).reduce((s, t) => s + t.data.length, 0);
  assert.equal(held, 4 * 512 ** 2 + 4 * 512);
  assert.deepEqual(full.params({ ...shape, dModel: 512, heads: 8 }, {}), { total: 1050624, trainable: 1050624, inference: 1050624 });
});

test('the element-wise and reduction ops compute the same values on every engine, and check their shapes', async () => {
  const x = { data: Float32Array.from({ length: 12 }, (_, i) => Math.sin(i) * 3), shape: [2, 2, 3] };
  const b = { data: Float32Array.of(0.5, -1, 2), shape: [3] };
  const at = (i: number) => x.data[i];
  // exp(x − max_row) / Σ_row, then max(·, b) − b / 2: every new op, checked against plain JavaScript.
  const expected = Float32Array.from(x.data, (_, i) => {
    const row = Math.floor(i / 3) * 3, max = Math.max(at(row), at(row + 1), at(row + 2));
    const sum = [0, 1, 2].reduce((s, k) => s + Math.exp(at(row + k) - max), 0);
    return Math.max(Math.exp(at(i) - max) / sum, b.data[i % 3]) - b.data[i % 3] / 2;
  });
  for (const info of (await listEngines()).filter((i) => i.available)) {
    const engine = await createEngine(info);
    const p = await prepareForward(engine, (ops, xx, w) => {
      const e = ops.exp(ops.sub(xx, ops.reduceMax(xx)));
      return ops.sub(ops.maximum(ops.div(e, ops.reduceSum(e)), w.b), ops.scale(w.b, 0.5));
    }, { b }, x);
    try {
      assert.ok(relativeError((await p.run()).y, expected) < 1e-6, info.id);
    } finally {
      await p.dispose();
    }
    const bad = { data: new Float32Array(4), shape: [4] };
    await assert.rejects(async () => {
      const q = await prepareForward(engine, (ops, xx, w) => ops.sub(xx, w.b), { b: bad }, x);
      await q.run();
    }, `${info.id}: [2, 2, 3] − [4] is refused`);
  }
});

test('gather picks the entries of an axis in the order given, repeats allowed, on every engine', async () => {
  const x = { data: Float32Array.from({ length: 24 }, (_, i) => i), shape: [2, 3, 4] };
  const indices = [2, 0, 2, 1];
  const expected = Float32Array.from({ length: 32 }, (_, i) => {
    const a = Math.floor(i / 16), j = Math.floor(i / 4) % 4, c = i % 4;
    return a * 12 + indices[j] * 4 + c;
  });
  for (const info of (await listEngines()).filter((i) => i.available)) {
    const p = await prepareForward(await createEngine(info), (ops, xx) => ops.gather(xx, 1, indices), {}, x);
    try {
      assert.deepEqual([...(await p.run()).y], [...expected], info.id);
    } finally {
      await p.dispose();
    }
  }
});
