import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FailedLine, OkLine, ResultLine, TrainOkLine } from '../../src/results/types.ts';
import { trainingMemoryChart } from '../../src/report/charts/training-memory.ts';
import { trainingTimeChart } from '../../src/report/charts/training-time.ts';
import { TRAINING_QUESTION, trainingComparisons, trainingFindings, trainingSection } from '../../src/report/training.ts';
import { bytes } from '../../src/report/format.ts';
import { fixtureMeta } from './fixtures.ts';

const shape = { batch: 1, seqLen: 512, dModel: 512, heads: 8 };
const FULL = 4 * 512 ** 2 + 4 * 512, LORA = 16384;

function step(variant: string, label: string, trainable: number, median: number, total = FULL): TrainOkLine {
  const stats = { median, mean: median, p25: median * 0.99, p75: median * 1.01, p99: median, min: median, max: median, rme: 1, samples: 5 };
  return { schema: 1, runId: 'r', caseId: `${label}|train`, mode: 'train', variant, options: {}, label, engine: 'tfjs', backend: 'wasm',
    device: 'cpu', shape, params: { total, trainable, inference: total }, flops: 1, finishedAt: '', status: 'ok',
    timing: { rounds: 1, timeMs: 1, warmupMs: 1, warmupIterations: 1, minSamples: 5, targetRme: 2, downloadInside: true,
      clock: 'performance.now' },
    latencyMs: stats, samplesMs: [median], overheadMs: 0,
    rounds: [{ round: 1, median, samplesMs: [median], clock: 'performance.now', downloadInside: true }], roundSpread: 0, noisy: [],
    train: { optimizer: 'adam', learningRate: 1e-3, lossFirst: 1.03, lossLast: 0.94, steps: 8, checkpointBytes: 4 * trainable },
    memory: { peakBytes: 200e6, source: 'tf.profile', weightsBytes: 4 * total, gradientBytes: 4 * trainable,
      optimizerStateBytes: 8 * trainable, activationBytes: 200e6 - 4 * trainable } };
}

const full = step('full', 'full attention', FULL, 900);
const lora = step('lora', 'LoRA r=8 α=16 on q,v (unmerged)', LORA, 675, FULL + LORA);
const skipped: FailedLine = { ...full, status: 'skipped', caseId: 'onnx|train', engine: 'onnx', backend: 'cpu',
  reason: 'onnx/cpu cannot train: the engine computes no gradients <capabilities.gradients is false>' } as unknown as FailedLine;
const inference = { ...full, mode: 'inference', caseId: 'inf' } as unknown as OkLine;

test('bytes are written in binary units', () => {
  assert.deepEqual([bytes(1023), bytes(131072), bytes(8 * FULL), bytes(3 * 2 ** 30)],
    ['1023\u202fB', '128\u202fKiB', '8.02\u202fMiB', '3\u202fGiB']);
});

test('findings set each configuration beside full fine-tuning: parameters, Adam state, checkpoint, step time', () => {
  assert.deepEqual(trainingFindings([full, lora, skipped, inference]), [
    'LoRA r=8 α=16 on q,v (unmerged) trains 16\u202f384 parameters (1.6\u202f% of full fine-tuning); '
    + 'Adam state 128\u202fKiB vs 8.02\u202fMiB, '
    + 'checkpoint 64\u202fKiB vs 4.01\u202fMiB; step time vs full: faster, 1.3× speed-up (latency ratio 0.75, 95 % CI 0.75–0.75) '
    + '(675 vs 900 ms) at N=512 on tfjs/wasm.',
  ]);
  const close = step('lora', 'LoRA r=4', 8192, 905, FULL + 8192);
  assert.match(trainingFindings([full, close])[0],
    /step time vs full: no measurable difference \(latency ratio 1\.01, 95 % CI 1\.01–1\.01\) \(905 vs 900 ms\)/);
  assert.deepEqual(trainingFindings([lora]), [], 'no full fine-tuning to compare with');
});

test('findings.json\'s training comparisons: the sentence and the numbers it states', () => {
  const [c] = trainingComparisons([full, lora, skipped, inference]);
  assert.deepEqual({ ...c, text: undefined }, { mode: 'train', question: TRAINING_QUESTION, subject: lora.label, baseline: full.label,
    engine: 'tfjs/wasm', seqLen: 512, dModel: 512, heads: 8, batch: 1, trainable: LORA, baselineTrainable: FULL,
    ratio: 0.75, ci: [0.75, 0.75], verdict: 'faster', rounds: 1, text: undefined });
  assert.equal(c.text, trainingFindings([full, lora])[0]);
});

test('the memory chart stacks weights, Adam state, gradients and activations per variant', () => {
  const spec = trainingMemoryChart([full, lora, inference]) as unknown as
    { data: { values: Array<{ variant: string; part: string; bytes: number }> } };
  const rows = spec.data.values.filter((r) => r.variant === lora.label);
  assert.deepEqual(rows.map((r) => [r.part, r.bytes]), [['weights', 4 * (FULL + LORA)], ['Adam state', 8 * LORA], ['gradients', 4 * LORA],
    ['activations', 200e6 - 4 * LORA]]);
  assert.equal(spec.data.values.length, 8, 'two train cases × four parts; the inference line is not drawn');
  assert.equal(trainingTimeChart([inference, skipped]), undefined);
});

test('the training section: empty without train cases; else findings, both charts and every train case with its reason', async () => {
  assert.equal(await trainingSection([inference]), '');
  const html = await trainingSection([full, lora, skipped, inference] as ResultLine[]);
  for (const id of ['training', 'training-time', 'training-memory', 'training-cases']) assert.match(html, new RegExp(`id="${id}"`));
  assert.equal((html.match(/<svg/g) ?? []).length, 2);
  assert.match(html, /trains 16\u202f384 parameters/);
  assert.match(html, /skipped: onnx\/cpu cannot train: the engine computes no gradients &lt;capabilities\.gradients is false&gt;/);
  assert.equal((html.match(/<tr class=/g) ?? []).length, 3, 'three train cases in the table, not the inference one');
});

test('how to read an engine\'s training memory comes from its capabilities, beside the memory chart', async () => {
  const note = 'this engine counts shared buffers twice';
  const engines = [{ engine: 'tfjs', backend: 'wasm', id: 'tfjs/wasm', priority: 50, available: true,
    capabilities: { gradients: true, memorySource: 'x', trainingMemoryNote: note } }];
  const html = await trainingSection([full, lora] as ResultLine[], fixtureMeta({ engines }));
  assert.match(html, new RegExp(`<section class="chart" id="training-memory">[\\s\\S]*On tfjs/wasm: ${note}\\.`));
  assert.doesNotMatch(await trainingSection([full, lora] as ResultLine[]), /On tfjs\/wasm:/, 'no run.json: no note');
});
