/**
 * `npm run bundle` (scripts/bundle.mjs): dist/attnbench/ runs with a bare Node and no npm install.
 * The test copies it to a temporary folder outside the repository (no node_modules above it) and
 * runs it there: the engines it holds, a one-case sweep, and a missing command.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { npmRun, ROOT, tmpDir } from './helpers.ts';

const dir = path.join(tmpDir('attnbench-bundle-'), 'attnbench');
const run = (args: string[]) => spawnSync(process.execPath, [path.join(dir, 'attnbench.mjs'), ...args],
  { cwd: path.dirname(dir), encoding: 'utf8', timeout: 180_000, env: { ...process.env, NODE_PATH: '', NO_COLOR: '1' } });

/** Bytes of every file under `d`. */
const sizeOf = (d: string): number => readdirSync(d, { withFileTypes: true })
  .reduce((n, e) => n + (e.isDirectory() ? sizeOf(path.join(d, e.name)) : statSync(path.join(d, e.name)).size), 0);

before(() => {
  const built = npmRun('bundle', [], 120_000);
  assert.equal(built.code, 0, built.stderr);
  cpSync(path.join(ROOT, 'dist', 'attnbench'), dir, { recursive: true });
});

test('the bundle is at most 60 MB unpacked and 25 MB as one .tar.gz', () => {
  assert.ok(path.relative(ROOT, dir).startsWith('..'), 'the copy is outside the repository');
  assert.ok(sizeOf(dir) <= 60e6, `${sizeOf(dir)} bytes unpacked`);
  const tgz = path.join(path.dirname(dir), 'attnbench.tar.gz');
  // gzip's fastest level: at most 25 MB at level 1 is at most that at tar's default level 6 (21.9 vs 19.7 MB here), in a third of the time.
  const tar = spawnSync('tar', ['-c', '-I', 'gzip -1', '-f', tgz, '-C', path.dirname(dir), 'attnbench']);
  assert.equal(tar.status, 0, String(tar.stderr));
  assert.ok(statSync(tgz).size <= 25e6, `${statSync(tgz).size} bytes as .tar.gz`);
});

test('bench --engines lists what the bundle holds: onnx/cpu available, torch probed, tfjs saying why not', () => {
  const r = run(['bench', '--engines']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /onnx\/cpu\s*│ yes/);
  assert.match(r.stdout, /torch\/cpu\s*│ (yes|no)/);
  // tfjs is loaded by a runtime require (src/engine/tfjs.ts) that the bundle does not follow: not held, and said so.
  assert.match(r.stdout, /tfjs\/wasm\s*│ no .*Cannot find module '@tensorflow\/tfjs/);
});

test('a one-case sweep runs from the copy and writes its results there', () => {
  const out = path.join(path.dirname(dir), 'run');
  const r = run(['bench', '--engine', 'onnx', '--variants', 'full', '--seq', '16', '--d-model', '16', '--heads', '2',
    '--rounds', '1', '--time', '20', '--no-ceilings', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const line = JSON.parse(readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim());
  assert.equal(line.status, 'ok', line.reason);
  assert.match(readFileSync(path.join(out, 'report.html'), 'utf8'), /vega/);
});

test('scripts/gpu-check.sh --cpu: the GPU check\'s plumbing from the copy, the cuda suite in bfloat16 on torch/cpu at a tiny '
  + 'shape and the yardstick, leaving results.jsonl, run.json, report.html and yardstick.txt', () => {
  const out = path.join(path.dirname(dir), 'gpu-check');
  const python = process.env.ATTNBENCH_PYTHON || '/usr/bin/python3';
  const r = spawnSync('sh', [path.join(ROOT, 'scripts/gpu-check.sh'), '--cpu'], { encoding: 'utf8', timeout: 400_000,
    env: { ...process.env, OUT: out, BUNDLE: dir, NODE: process.execPath, ATTNBENCH_PYTHON: python, NODE_PATH: '', NO_COLOR: '1' } });
  assert.equal(r.status, 0, r.stderr);
  const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 16, '8 configurations × causal and not');
  assert.ok(lines.every((l) => l.shape.dtype === 'bfloat16' && l.engine === 'torch' && l.backend === 'cpu'));
  const fused = lines.filter((l) => l.options.backend === 'flash');
  assert.ok(fused.length === 2 && fused.every((l) => l.status === 'skipped' && /backend 'flash' needs an engine/.test(l.reason)));
  const ok = lines.filter((l) => l.status === 'ok');
  assert.ok(ok.length >= 10, `${ok.length} ok: ${lines.filter((l) => l.status !== 'ok').map((l) => l.reason).join('; ')}`);
  assert.ok(ok.every((l) => l.accuracy.relErr === null || l.accuracy.relErr < 0.0625));
  const meta = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.ok(meta.ceilings['torch/cpu bfloat16'].gflops > 0, 'the bfloat16 ceiling');
  assert.match(readFileSync(path.join(out, 'report.html'), 'utf8'), /bfloat16/);
  assert.match(readFileSync(path.join(out, 'yardstick.txt'), 'utf8'), /bfloat16; yardstick mha.*\n[^]*ratio of medians/);
});

test('a missing command is one line and exit 2', () => {
  const r = run(['benchmark']);
  assert.equal(r.status, 2);
  assert.match(r.stderr.trim(),
    /^attnbench: attnbench expects a command first: one of bench, report, compare, merge, attend.*Received: benchmark$/);
});
