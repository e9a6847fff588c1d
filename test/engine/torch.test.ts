/**
 * The torch engine on torch/cpu (Debian's python3-torch for /usr/bin/python3 where
 * ATTNBENCH_PYTHON does not name another interpreter): the probe, bfloat16 against the float64
 * reference (float32 conformance of every variant and option set is test/variants/conformance.test.ts's,
 * on every engine present, torch/cpu included), engine-side timing through the harness's rounds,
 * a worker dying in the middle of a case, and the one-line reasons of a missing interpreter or torch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createEngine, listEngines } from '../../src/engine/resolve.ts';
import { prepareForward, type Program } from '../../src/engine/types.ts';
import { relativeError } from '../../src/linalg/dense.ts';
import { createRng } from '../../src/linalg/rng.ts';
import { full } from '../../src/variants/full.ts';
import { roundedTo, tensorsRoundedTo } from '../../src/linalg/dtype.ts';
import { IMPLEMENTATION_TOLERANCE, toleranceOf } from '../../src/measure/accuracy.ts';
import { SHAPES, data, label, onEngine, runForward, variantCases } from '../variants/cases.ts';
import { cliRun, cliRunAsync, ROOT, tmpDir } from '../cli/helpers.ts';
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

test('the worker\'s rewrites keep what is computed: softmax in place only over scores no other op reads; '
  + 'projections of one input joined into one product, each output its own columns', async () => {
  const rng = createRng('inplace'), t = (...shape: number[]) =>
    ({ data: Float32Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.normal()), shape });
  const x = t(2, 3, 4);
  // The scaled scores feed the softmax and, beside it, the output: overwriting them in place would change y.
  // p, v, s: x·W + b three times with the same x (widths 4, 3, 3); s is overwritten by its softmax, so only p and v join.
  const program: Program = { inputs: { x }, fn: (ops, i, w) => {
    const scores = ops.scale(ops.matMul(i.x, w.K), 0.5), linear = (W: string, b: string) => ops.add(ops.matMul(i.x, w[W]), w[b]);
    return { outputs: { y: ops.add(scores, ops.softmax(scores)), p: linear('K', 'bk'), v: linear('V', 'bv'),
      s: ops.softmax(linear('V', 'bk3')) } };
  } };
  const weights = { K: t(4, 4), bk: t(4), V: t(4, 3), bv: t(3), bk3: t(3) };
  const onnx = all.find((e) => e.id === 'onnx/cpu')!;
  const [mine, theirs] = await Promise.all([cpu, onnx].map(async (info) => {
    const p = await (await createEngine(info)).prepare(program, weights);
    try { return await p.run(); } finally { await p.dispose(); }
  }));
  for (const name of ['y', 'p', 'v', 's']) assert.ok(relativeError(mine[name], theirs[name]) < 1e-6, name);
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

/**
 * One sweep covers the harness's side of the engine: torch 1.13 given SDPA's surface by the fixture (torch2-python),
 * whose worker is killed when it prepares flash's tiled kernel. Engine-timed rounds; SDPA's backend recorded and
 * selectable; a backend this torch lacks a skipped line; the yardstick a line paired with full; the killed case an error line.
 */
test('a sweep on torch/cpu with SDPA stubbed in: engine-timed rounds; the line records the SDPA backend that ran, '
  + 'flash:backend=NAME selects one, one this torch lacks is a skipped line; the yardstick (SDPA on projected q, k, v) is a line '
  + 'paired with full; a worker killed mid-case is an error line and the sweep goes on; torch 1.13 itself declares no SDPA', () => {
  assert.equal(cpu.capabilities?.fusedAttention, false);
  assert.equal(cpu.capabilities?.attentionBackends, undefined);
  assert.deepEqual(cpu.capabilities?.attentionModules, ['mha']);
  const out = path.join(tmpDir(), 'run');
  const r = cliRun('bench', ['--engine', 'torch', '--backend', 'cpu', '--variants',
    'full,yardstick,flash,flash:backend=math,flash:backend=cudnn,flash:kernel=tiled', '--seq', '16', '--causal', '--d-model', '32',
    '--heads', '2', '--rounds', '1', '--time', '20', '--no-report', '--no-ceilings', '--out', out], 180_000,
  { ATTNBENCH_PYTHON: path.join(ROOT, 'test/engine/fixtures/torch2-python'), ATTNBENCH_REAL_PYTHON: process.env.ATTNBENCH_PYTHON });
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const by = Object.fromEntries(lines.map((l) => [l.label, l]));
  const got = Object.fromEntries(lines.map((l) => [l.label, [l.status, l.role, l.options.kernel ?? l.options.module,
    l.attentionBackend ?? (l.status === 'ok' ? undefined : l.reason)]]));
  assert.match(got['flash (tiled, tile 256) · causal'][3], /torch worker .* exited by SIGKILL/);
  got['flash (tiled, tile 256) · causal'][3] = 'killed';
  assert.deepEqual(got, {
    'full attention · causal': ['ok', 'baseline', undefined, undefined],
    // The yardstick's module auto is SDPA on projected q, k, v where torch has it.
    'plain module · causal': ['ok', 'yardstick', 'sdpa', 'flash'],
    'flash (engine\'s kernel, tile 256) · causal': ['ok', 'exact-efficient', 'fused', 'flash'],
    'flash (fused, math) · causal': ['ok', 'exact-efficient', 'fused', 'math'],
    'flash (fused, cudnn) · causal': ['skipped', 'exact-efficient', 'auto', 'flash: backend \'cudnn\' needs an engine whose fused '
      + 'attention offers it by name (SDPA, torch ≥ 2.0); this one offers flash, efficient, math'],
    'flash (tiled, tile 256) · causal': ['error', 'exact-efficient', 'tiled', 'killed'],
  });
  for (const ok of lines.filter((l) => l.status === 'ok')) {
    assert.equal(ok.timing.downloadInside, false);
    assert.match(ok.timing.clock, /monotonic/);
    assert.deepEqual(ok.rounds.map((x: { round: number }) => x.round), [1]);
    assert.ok(ok.rounds.every((x: { pairedBlocks?: boolean }) => x.pairedBlocks));
    assert.equal(ok.rounds.reduce((n: number, x: { samplesMs: number[] }) => n + x.samplesMs.length, 0), ok.samplesMs.length);
    assert.ok(ok.memory.peakBytes >= 0 && /torch worker/.test(ok.memory.source));
    assert.ok(ok.accuracy.relErr < 1e-4, `${ok.label}: ${ok.accuracy.relErr}`);
  }
  // The yardstick is paired with full block by block (each round sampled both as often), and held against it.
  const [mine, theirs] = [by['plain module · causal'], by['full attention · causal']];
  assert.deepEqual(mine.rounds.map((x: { samplesMs: number[] }) => x.samplesMs.length),
    theirs.rounds.map((x: { samplesMs: number[] }) => x.samplesMs.length));
  const f = comparisons(lines.filter((l) => l.status === 'ok')).find((c) => c.question === QUESTIONS.yardstick)!;
  assert.deepEqual([f.subject, f.baseline, f.yardstick, f.rounds], ['full attention · causal', 'plain module · causal', true, 1]);
  assert.ok(f.ci[0] <= f.ratio && f.ratio <= f.ci[1] && f.ratio > 0, JSON.stringify(f));
  assert.match(f.text, /^full attention · causal vs plain module · causal at N=16 on torch\/cpu: .*latency ratio [\d.]+, 95 % CI /);
});

test('--engines says in one line why torch is missing: no interpreter, or an interpreter without torch', async () => {
  const noTorch = path.join(tmpDir(), 'python-without-torch');
  writeFileSync(noTorch, `#!/bin/sh\nexec ${process.env.ATTNBENCH_PYTHON} -S "$@"\n`);
  chmodSync(noTorch, 0o755);
  const cases: Array<[string, RegExp]> = [
    ['/nonexistent/python3', /torch\/cpu\s.*\/nonexistent\/python3 not found: set ATTNBENCH_PYTHON/],
    [noTorch, /torch\/cpu\s.*torch not importable from .*python-without-torch: ModuleNotFoundError/],
  ];
  const runs = await Promise.all(cases.map(([python]) => cliRunAsync('bench', ['--engines'], 60_000, { ATTNBENCH_PYTHON: python })));
  runs.forEach((r, i) => {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, cases[i][1]);
  });
});
