/**
 * The torch engine on torch/cpu (Debian's python3-torch for /usr/bin/python3 where
 * ATTNBENCH_PYTHON does not name another interpreter): the probe, conformance of every variant
 * and option set against the float64 reference, engine-side timing through the harness's rounds,
 * a worker dying in the middle of a case, and the one-line reasons of a missing interpreter or torch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createEngine, listEngines } from '../../src/engine/resolve.ts';
import { prepareForward } from '../../src/engine/types.ts';
import { relativeError } from '../../src/linalg/dense.ts';
import { createRng } from '../../src/linalg/rng.ts';
import { full } from '../../src/variants/full.ts';
import { roundedTo, tensorsRoundedTo } from '../../src/linalg/dtype.ts';
import { IMPLEMENTATION_TOLERANCE, toleranceOf } from '../../src/measure/accuracy.ts';
import { SHAPES, data, label, onEngine, runForward, variantCases } from '../variants/cases.ts';
import { cliRun, ROOT, tmpDir } from '../cli/helpers.ts';
import { comparisons, QUESTIONS } from '../../src/report/findings.ts';

if (!process.env.ATTNBENCH_PYTHON && existsSync('/usr/bin/python3')) process.env.ATTNBENCH_PYTHON = '/usr/bin/python3';
const all = await listEngines();
const cpu = all.find((i) => i.id === 'torch/cpu')!;
const rows = (n: number) => [...Array(n).keys()];

test('torch/cpu is available here, with its interpreter, version and threads; torch/cuda says why not in one line', () => {
  assert.ok(cpu.available, `torch/cpu: ${cpu.reason}`);
  assert.match(cpu.version ?? '', /^\d+\.\d+.* \(.*python3.*\)$/);
  assert.ok((cpu.threads ?? 0) >= 1);
  const cuda = all.find((i) => i.id === 'torch/cuda')!;
  if (!cuda.available) assert.match(cuda.reason ?? '', /^no CUDA device: [^\n]+$/);
});

test('the probe loads neither torch nor CUDA into this process', () => {
  const maps = readFileSync('/proc/self/maps', 'utf8');
  assert.doesNotMatch(maps, /libtorch|libcuda|libcudart/);
  assert.match(maps, /node/, 'the maps are read');
});

test('every variant and option set matches its float64 reference on torch/cpu', async () => {
  let ran = 0;
  for (const c of variantCases()) {
    for (const s of SHAPES) {
      const { base, x } = data(s, `torch:${label(c, s)}`);
      const run = onEngine(c, s, base, cpu.capabilities);
      if ('skipped' in run) continue;
      const w = c.variant.init(s, run.options, createRng('init'), base);
      const y = await runForward(cpu, c.variant, s, run.options, w, x);
      const err = relativeError(y, c.variant.reference(s, run.options, x.data, w, rows(s.seqLen)));
      assert.ok(err < 1e-4, `${label(c, s)} on torch/cpu: relative error ${err}`);
      ran++;
    }
  }
  assert.ok(ran >= variantCases().length * 3, `${ran} cases ran`);
});

test('bfloat16 on torch/cpu: every variant within the bfloat16 tolerance of the float64 reference of its rounded weights and input, '
  + 'and farther than float32 would be (it computed in bfloat16); float16 is declared absent with the probe\'s reason', async () => {
  assert.deepEqual(cpu.capabilities?.dtypes, ['float32', 'bfloat16']);
  assert.match(cpu.capabilities?.dtypeReasons?.float16 ?? '', /not implemented for 'Half'/);
  const tolerance = toleranceOf('bfloat16'), errors: number[] = [];
  for (const c of variantCases()) {
    for (const plain of SHAPES) {
      const s = { ...plain, dtype: 'bfloat16' as const };
      const { base, x } = data(s, `torch-bf16:${label(c, s)}`);
      const b = tensorsRoundedTo(base, 'bfloat16'), xb = { data: roundedTo(x.data, 'bfloat16'), shape: x.shape };
      const run = onEngine(c, s, b, cpu.capabilities);
      if ('skipped' in run) continue;
      const w = tensorsRoundedTo(c.variant.init(s, run.options, createRng('init'), b), 'bfloat16');
      const y = await runForward(cpu, c.variant, s, run.options, w, xb);
      const err = relativeError(y, c.variant.reference(s, run.options, xb.data, w, rows(s.seqLen)));
      assert.ok(err < tolerance && err > IMPLEMENTATION_TOLERANCE, `${label(c, s)} on torch/cpu in bfloat16: relative error ${err}`);
      errors.push(err);
    }
  }
  assert.ok(errors.length >= variantCases().length * 3, `${errors.length} cases ran`);
});

test('timeSamples returns count raw samples on the worker\'s monotonic clock, download outside', async () => {
  const s = { batch: 1, seqLen: 32, dModel: 32, heads: 2 };
  const { base, x } = data(s, 'torch:time');
  const p = await prepareForward(await createEngine(cpu), (ops, xx, ww) => full.forward(ops, xx, ww, s, {}), base, x);
  const t = await p.timeSamples!(7);
  await p.dispose();
  assert.equal(t.samplesMs.length, 7);
  assert.ok(t.samplesMs.every((ms) => ms > 0 && ms < 10_000));
  assert.equal(new Set(t.samplesMs).size > 1, true, 'samples are measured, not repeated');
  assert.match(t.clock, /monotonic/);
  assert.equal(t.downloadInside, false);
});

test('a sweep on torch/cpu: engine-timed rounds; the yardstick (torch\'s own module) a line paired with full; '
  + 'a worker killed mid-case is an error line and the sweep goes on', () => {
  const out = path.join(tmpDir(), 'run');
  const r = cliRun('bench', ['--engine', 'torch', '--backend', 'cpu', '--variants', 'full,yardstick', '--seq', '16,24', '--d-model', '32',
    '--heads', '2', '--rounds', '2', '--time', '20', '--no-report', '--no-ceilings', '--out', out], 180_000,
  { ATTNBENCH_PYTHON: path.join(ROOT, 'test/engine/fixtures/dying-python'), ATTNBENCH_REAL_PYTHON: process.env.ATTNBENCH_PYTHON });
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const at = (variant: string, n: number) => lines.find((l) => l.variant === variant && l.shape.seqLen === n);
  for (const variant of ['full', 'yardstick']) {
    assert.equal(at(variant, 24).status, 'error');
    assert.match(at(variant, 24).reason, /torch worker .* exited by SIGKILL/);
    const ok = at(variant, 16);
    assert.equal(ok.status, 'ok', ok.reason);
    assert.equal(ok.timing.downloadInside, false);
    assert.match(ok.timing.clock, /monotonic/);
    assert.deepEqual(ok.rounds.map((x: { round: number }) => x.round), [1, 2]);
    assert.ok(ok.rounds.every((x: { pairedBlocks?: boolean }) => x.pairedBlocks));
    assert.equal(ok.rounds.reduce((n: number, x: { samplesMs: number[] }) => n + x.samplesMs.length, 0), ok.samplesMs.length);
    assert.ok(ok.memory.peakBytes >= 0 && /torch worker/.test(ok.memory.source));
    assert.ok(ok.accuracy.relErr < 1e-4, `${variant}: ${ok.accuracy.relErr}`);
  }
  const mine = at('yardstick', 16), theirs = at('full', 16);
  assert.deepEqual([mine.role, mine.options, mine.label], ['yardstick', { module: 'mha' }, 'plain module']);
  // Paired with full block by block: each round sampled both the same number of times.
  assert.deepEqual(mine.rounds.map((x: { samplesMs: number[] }) => x.samplesMs.length),
    theirs.rounds.map((x: { samplesMs: number[] }) => x.samplesMs.length));
  const [f] = comparisons(lines.filter((l) => l.status === 'ok'));
  assert.equal(f.question, QUESTIONS.yardstick);
  assert.deepEqual([f.subject, f.baseline, f.yardstick, f.rounds, f.seqLen], ['full attention', 'plain module', true, 2, 16]);
  assert.ok(f.ci[0] <= f.ratio && f.ratio <= f.ci[1] && f.ratio > 0, JSON.stringify(f));
  assert.match(f.text, /^full attention vs plain module at N=16 on torch\/cpu: .*latency ratio [\d.]+, 95 % CI [\d.]+–[\d.]+/);
});

test('SDPA (torch >= 2.0, stubbed onto 1.13 by the fixture): the line records the backend that ran; flash:backend=NAME '
  + 'selects one; a backend this torch lacks is a skipped line; the yardstick runs SDPA; torch 1.13 itself declares none', () => {
  assert.deepEqual(cpu.capabilities?.attentionModules, ['mha']);
  assert.equal(cpu.capabilities?.fusedAttention, false);
  assert.equal(cpu.capabilities?.attentionBackends, undefined);
  const out = path.join(tmpDir(), 'sdpa');
  const r = cliRun('bench', ['--engine', 'torch', '--backend', 'cpu', '--variants',
    'flash,flash:backend=math,flash:backend=cudnn,yardstick',
    '--seq', '16', '--causal', '--d-model', '32', '--heads', '2', '--rounds', '1', '--time', '20', '--no-report', '--no-ceilings',
    '--out', out], 180_000,
  { ATTNBENCH_PYTHON: path.join(ROOT, 'test/engine/fixtures/sdpa-python'), ATTNBENCH_REAL_PYTHON: process.env.ATTNBENCH_PYTHON });
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const got = Object.fromEntries(lines.map((l) => [l.label, [l.status, l.options.kernel ?? l.options.module,
    l.attentionBackend ?? l.reason]]));
  assert.deepEqual(got, {
    'flash (engine\'s kernel, tile 256) · causal': ['ok', 'fused', 'flash'],
    'flash (fused, math) · causal': ['ok', 'fused', 'math'],
    'flash (fused, cudnn) · causal': ['skipped', 'auto', 'flash: backend \'cudnn\' needs an engine whose fused attention offers it '
      + 'by name (SDPA, torch ≥ 2.0); this one offers flash, efficient, math'],
    // The yardstick's module auto is SDPA on projected q, k, v where torch has it.
    'plain module · causal': ['ok', 'sdpa', 'flash'],
  });
  for (const l of lines.filter((x) => x.status === 'ok')) assert.ok(l.accuracy.relErr < 1e-4, `${l.label}: ${l.accuracy.relErr}`);
});

test('--engines says in one line why torch is missing: no interpreter, or an interpreter without torch', () => {
  const noTorch = path.join(tmpDir(), 'python-without-torch');
  writeFileSync(noTorch, `#!/bin/sh\nexec ${process.env.ATTNBENCH_PYTHON} -S "$@"\n`);
  chmodSync(noTorch, 0o755);
  const cases: Array<[string, RegExp]> = [
    ['/nonexistent/python3', /torch\/cpu\s.*\/nonexistent\/python3 not found: set ATTNBENCH_PYTHON/],
    [noTorch, /torch\/cpu\s.*torch not importable from .*python-without-torch: ModuleNotFoundError/],
  ];
  for (const [python, reason] of cases) {
    const r = cliRun('bench', ['--engines'], 60_000, { ATTNBENCH_PYTHON: python });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, reason);
  }
});
