/**
 * Train cases end to end through the planner and a child process: the suite's modes plan them,
 * their lines carry the train fields, and what cannot train is skipped with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listEngines } from '../../src/engine/resolve.ts';
import { planCases, resolveVariant, type Case } from '../../src/run/plan.ts';
import { measureAlone } from '../../src/run/rounds.ts';
import { FACT_STEPS } from '../../src/measure/train.ts';
import type { ResultLine, TrainOkLine } from '../../src/results/types.ts';
import { parseSuite } from '../../src/run/suite.ts';
import type { EngineInfo } from '../../src/engine/types.ts';

const all = await listEngines();
const wasm = all.find((i) => i.id === 'tfjs/wasm')!, onnx = all.find((i) => i.id === 'onnx/cpu')!;
const shape = { batch: 1, seqLen: 32, dModel: 32, heads: 4 };
const timing = { rounds: 1, timeMs: 30, warmupMs: 10, warmupIterations: 1, minSamples: 3, targetRme: 50, downloadInside: true };

function trainCase(engine: EngineInfo, spec: string | { name: string; options: Record<string, unknown> }): Case {
  const v = resolveVariant(spec);
  return { caseId: `${v.label}|train`, runId: 'train', mode: 'train', variant: v.name, options: v.options, label: v.label, engine,
    shape, seed: 5, weights: { init: 'gaussian' }, input: { input: 'gaussian' }, timing };
}

const run = (c: Case): Promise<ResultLine> => measureAlone(c, { timeoutMs: 120_000, heapMb: 2048 }, 1);

test('modes plan a train case beside each inference case; inference caseIds are unchanged', () => {
  const suite = { name: 's', variants: ['full', 'lora'], seqLen: [16, 32], dModel: 32, heads: 4 };
  const inference = planCases(parseSuite(suite, 'test'), [wasm], 'r');
  assert.ok(inference.every((c) => c.mode === 'inference'), 'modes default to inference');
  const both = planCases(parseSuite({ ...suite, modes: ['inference', 'train'] }, 'test'), [wasm], 'r');
  assert.equal(both.length, 2 * inference.length);
  const ids = (cs: Case[], mode: string) => cs.filter((c) => c.mode === mode).map((c) => c.caseId).sort();
  assert.deepEqual(ids(both, 'inference'), ids(inference, 'inference'));
  assert.deepEqual(ids(both, 'train'), ids(inference, 'inference').map((id) => `${id}|train`));
  assert.throws(() => parseSuite({ ...suite, modes: [] }, 'test'), /modes/);
  assert.throws(() => parseSuite({ ...suite, modes: ['finetune'] }, 'test'), /modes/);
});

test('a LoRA train line carries step latency, memory split, optimizer state and checkpoint size', async () => {
  const line = await run(trainCase(wasm, { name: 'lora', options: { rank: 2 } }));
  assert.equal(line.status, 'ok', line.status !== 'ok' ? line.reason : '');
  assert.equal(line.mode, 'train');
  const l = line as TrainOkLine, D = shape.dModel, trainable = 2 * 2 * D * 2;
  assert.equal(l.params.trainable, trainable);
  assert.ok(l.latencyMs.samples >= timing.minSamples && l.latencyMs.median > 0 && l.samplesMs.length === l.latencyMs.samples);
  assert.deepEqual({ ...l.train, lossFirst: 0, lossLast: 0, steps: 0 },
    { optimizer: 'adam', learningRate: 1e-3, lossFirst: 0, lossLast: 0, steps: 0, checkpointBytes: 4 * trainable });
  assert.ok(l.train.lossLast < l.train.lossFirst, `loss ${l.train.lossFirst} → ${l.train.lossLast}`);
  assert.equal(l.train.steps, 1 + FACT_STEPS, 'the steps of the untimed first process: the first and FACT_STEPS more');
  assert.equal(l.rounds?.length, 1, 'its timing: one round, in a worker of its own');
  assert.equal(l.memory.weightsBytes, 4 * l.params.inference);
  assert.equal(l.memory.gradientBytes, 4 * trainable);
  assert.equal(l.memory.optimizerStateBytes, 2 * 4 * trainable);
  assert.equal(l.memory.activationBytes, l.memory.peakBytes - l.memory.gradientBytes);
  assert.ok(l.memory.activationBytes > 0 && /tf\.profile/.test(l.memory.source));
  assert.ok(!('accuracy' in l) && !('gflops' in l), 'no accuracy or throughput for a training step');
});

test('full fine-tuning trains every parameter: Adam state is 2 × 4 bytes each', async () => {
  const l = await run(trainCase(wasm, 'full')) as TrainOkLine;
  assert.equal(l.status, 'ok');
  const n = 4 * shape.dModel ** 2 + 4 * shape.dModel;
  assert.deepEqual([l.params.trainable, l.memory.optimizerStateBytes, l.train.checkpointBytes], [n, 8 * n, 4 * n]);
});

test('what cannot train is skipped with the reason: onnx has no gradients, merged LoRA no adapters', async () => {
  const onnxLine = await run(trainCase(onnx, 'full'));
  assert.equal(onnxLine.status, 'skipped');
  assert.equal(onnxLine.mode, 'train');
  assert.match(onnxLine.status === 'skipped' ? onnxLine.reason : '', /^onnx\/cpu cannot train: the engine computes no gradients/);
  const merged = await run(trainCase(wasm, { name: 'lora', options: { merged: true } }));
  assert.equal(merged.status, 'skipped');
  assert.match(merged.status === 'skipped' ? merged.reason : '', /^nothing to train: LoRA .*\(merged\) holds no trainable weights/);
});
