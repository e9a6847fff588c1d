import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findings, withinNoise, type Finding } from '../../src/report/findings.ts';
import type { ResultLine } from '../../src/results/types.ts';
import { fixtureMeta, fixtureRun, okLine } from './fixtures.ts';

const byId = (fs: Finding[]) => Object.fromEntries(fs.map((f) => [f.id, f.answers]));
const nb = '\u202f';

test('findings of the fixture run: the expected sentences and numbers', () => {
  const f = findings(fixtureRun(), fixtureMeta());
  assert.deepEqual(f.map((x) => x.id), ['lora', 'break-even', 'accuracy', 'full-scaling']);
  assert.deepEqual(f.map((x) => x.question), ['Does LoRA change inference cost?', 'Where does each efficient variant overtake full attention?',
    'What accuracy does each efficient variant buy its speed with?', 'How do full attention’s time and memory grow with N?']);
  const a = byId(f);
  assert.deepEqual(a.lora, [
    `LoRA r=8 α=16 on q,v (merged): latency vs full +0.3${nb}% at N=1024 on onnx/cpu (within noise) and +0.3${nb}% at N=1024 on tfjs/wasm (within noise); 0 extra parameters at inference (2${nb}048 trainable).`,
    `LoRA r=8 α=16 on q,v (unmerged): latency vs full +7${nb}% at N=1024 on onnx/cpu and +7${nb}% at N=1024 on tfjs/wasm; +2${nb}048 parameters at inference (2${nb}048 trainable).`,
  ]);
  assert.deepEqual(a['break-even'], [
    'Linformer k=32: never faster than full on tfjs/wasm, up to N=1024 (0.33× at N=1024).',
    // 1× at N=256 is not faster: break-even is the first N from which the median is below full's.
    'sliding window w=64: from N=512 on onnx/cpu (2.0× at N=512, 4.0× at N=1024) and from N=512 on tfjs/wasm (2.0× at N=512, 4.0× at N=1024).',
    'SVD r=16: at every N measured on onnx/cpu (1.3× at N=128, 1.3× at N=1024) and at every N measured on tfjs/wasm (1.3× at N=128, 1.3× at N=1024).',
  ]);
  assert.deepEqual(a.accuracy, [
    'Linformer k=32: rel. error vs full 1e-7 at N=1024, for 0.33× on tfjs/wasm.',
    'sliding window w=64: rel. error vs full 0.5 at N=1024, for 4.0× on onnx/cpu and 4.0× on tfjs/wasm.',
    'SVD r=16: rel. error vs full 0.08 at N=1024 (0.07–0.08 over N=128–1024), for 1.3× on onnx/cpu and 1.3× on tfjs/wasm; retained spectral energy 0.93.',
    'Base weights: spectrum, decay 1.',
  ]);
  assert.deepEqual(a['full-scaling'], [
    'On onnx/cpu: time ∝ N^2.00, peak memory ∝ N^2.00 (fitted over N=256, 512, 1024).',
    'On tfjs/wasm: time ∝ N^2.00, peak memory ∝ N^2.00 (fitted over N=256, 512, 1024).',
  ]);
});

test('a variant faster at small N but not at the largest is not said to break even', () => {
  const lines = [128, 256].flatMap((seqLen) => [okLine({ seqLen, median: seqLen }),
    okLine({ seqLen, variant: 'sparse-block', label: 'block', median: seqLen === 128 ? 64 : 300 })]);
  assert.deepEqual(byId(findings(lines))['break-even'], ['block: faster at some N but not at the largest, on onnx/cpu (0.85× at N=256).']);
});

test('a finding whose data is missing is left out, never guessed', () => {
  const run = fixtureRun();
  const without = (pred: (l: ResultLine) => boolean) => findings(run.filter((l) => !pred(l)), fixtureMeta()).map((f) => f.id);
  assert.deepEqual(without((l) => l.variant === 'lora'), ['break-even', 'accuracy', 'full-scaling']);
  assert.deepEqual(without((l) => l.variant === 'full'), [], 'every rule compares with full attention');
  assert.deepEqual(without((l) => l.variant === 'full' && l.shape.seqLen !== 512), ['lora', 'break-even', 'accuracy'],
    'one N of full: no exponent to fit');
  assert.deepEqual(without((l) => !['full', 'lora'].includes(l.variant)), ['lora', 'full-scaling']);
  const unmeasured = run.map((l) => (l.status === 'ok' && l.variant !== 'full' ? { ...l, accuracy: { relErr: null, reference: '-', relErrVsFull: null } } : l));
  assert.ok(!findings(unmeasured as ResultLine[]).some((f) => f.id === 'accuracy'));
  const accuracy = byId(findings(run)).accuracy;
  assert.ok(!accuracy.some((s) => s.startsWith('Base weights')), 'no run.json: the weights are not named');
  const noDetails = run.map((l) => (l.status === 'ok' ? { ...l, details: undefined } : l));
  assert.ok(!byId(findings(noDetails)).accuracy.some((s) => s.includes('energy')));
  const train = run.map((l) => ({ ...l, mode: 'train' }) as ResultLine);
  assert.deepEqual(findings(train), [], 'training steps are not inference findings');
});

test('withinNoise: the p25–p75 ranges overlap', () => {
  assert.equal(withinNoise(okLine({ median: 1, spread: 0.02 }), okLine({ median: 1.015, spread: 0.02 })), true);
  assert.equal(withinNoise(okLine({ median: 1, spread: 0.02 }), okLine({ median: 1.03, spread: 0.02 })), false);
});
