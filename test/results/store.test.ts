import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/messages.ts';
import { LOCK_FILE, lockRunDir } from '../../src/results/lock.ts';
import { appendJsonLine, readResults, readRunMeta, RESULTS_FILE, setAsideTornTail, type SkippedLine, writeRunMeta }
  from '../../src/results/store.ts';
import { migrateLine } from '../../src/results/migrate.ts';
import type { RecordedSuite, RunMeta } from '../../src/results/run-meta.ts';
import { parseSuite } from '../../src/run/suite.ts';
import { fixtureMeta, okLine } from '../report/fixtures.ts';
import { ROOT, tmpDir } from '../cli/helpers.ts';

const good = (seqLen: number) => JSON.stringify(okLine({ seqLen }));

function runWith(text: string): { dir: string; file: string } {
  const dir = tmpDir();
  const file = path.join(dir, RESULTS_FILE);
  writeFileSync(file, text);
  return { dir, file };
}

test('a torn last line is skipped with one warning naming it, then set aside to .torn and cut', () => {
  const torn = good(256).slice(0, 100);
  const { dir, file } = runWith(`${good(64)}\n${good(128)}\n${torn}`);
  const skipped: SkippedLine[] = [];
  assert.deepEqual(readResults(dir, (s) => skipped.push(s)).map((l) => l.shape.seqLen), [64, 128]);
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0].line, 3);
  assert.match(skipped[0].problem, /not JSON/);

  assert.equal(setAsideTornTail(file), 3);
  assert.equal(readFileSync(`${file}.torn`, 'utf8'), `${torn}\n`);
  assert.equal(readFileSync(file, 'utf8'), `${good(64)}\n${good(128)}\n`);
  appendJsonLine(dir, RESULTS_FILE, okLine({ seqLen: 256 }));
  assert.deepEqual(readResults(dir, () => assert.fail('no line is malformed now')).map((l) => l.shape.seqLen), [64, 128, 256]);
  assert.equal(setAsideTornTail(file), undefined, 'a whole file is left as it is');
});

test('a complete last line without its newline is set aside too: the next append would glue onto it', () => {
  const { file } = runWith(`${good(64)}\n${good(128)}`);
  assert.equal(setAsideTornTail(file), 2);
  assert.equal(readFileSync(file, 'utf8'), `${good(64)}\n`);
});

test('a corrupt middle line is skipped with a warning; the run still reads', () => {
  const { dir } = runWith(`${good(64)}\n{"status": "ok", "trunc\n${good(256)}\n[1, 2]\n`);
  const skipped: SkippedLine[] = [];
  assert.deepEqual(readResults(dir, (s) => skipped.push(s)).map((l) => l.shape.seqLen), [64, 256]);
  assert.deepEqual(skipped.map((s) => s.line), [2, 4]);
  assert.match(skipped[1].problem, /^(?!.*\n)/, 'one line');
});

test('lines written before `mode` existed read as inference', () => {
  const { mode: _mode, ...old } = okLine({ seqLen: 64 });
  const { dir } = runWith(`${JSON.stringify(old)}\n`);
  assert.equal(readResults(dir)[0].mode, 'inference');
});

test('a full disk while appending is one user error naming the file and ENOSPC', () => {
  const dir = tmpDir();
  symlinkSync('/dev/full', path.join(dir, RESULTS_FILE));
  assert.throws(() => appendJsonLine(dir, RESULTS_FILE, okLine({})), (e: unknown) =>
    e instanceof UserError && /could not write .*results\.jsonl \(ENOSPC\); every line written before is kept/.test(e.message));
});

/** A process that holds the lock of `dir` until killed; resolves once it holds it. */
function holdLock(dir: string): Promise<ReturnType<typeof spawn>> {
  const child = spawn(process.execPath, ['--import', 'tsx', '-e',
    `import('./src/results/lock.ts').then((m) => { m.lockRunDir(${JSON.stringify(dir)}); console.log('locked'); `
      + 'setInterval(() => {}, 1000); })'],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout!.once('data', () => resolve(child)));
}

test('one writer per run folder: a second is refused with the pid; a dead writer\'s lock is taken over', async () => {
  const dir = tmpDir();
  const holder = await holdLock(dir);
  assert.throws(() => lockRunDir(dir),
    (e: unknown) => e instanceof UserError && e.message.includes(`run folder in use by pid ${holder.pid}`));
  holder.kill('SIGKILL');
  await new Promise((r) => holder.once('exit', r));
  assert.ok(existsSync(path.join(dir, LOCK_FILE)), 'a killed writer leaves its lock behind');
  const release = lockRunDir(dir);
  assert.equal(readFileSync(path.join(dir, LOCK_FILE), 'utf8').trim(), String(process.pid));
  release();
  assert.ok(!existsSync(path.join(dir, LOCK_FILE)));
});

test('a line with a wrong-typed or missing field is skipped with one warning naming the field', () => {
  const wrong = { ...okLine({ seqLen: 128 }), latencyMs: { ...okLine({ seqLen: 128 }).latencyMs, median: 'fast' } };
  const { caseId: _caseId, ...noCaseId } = okLine({ seqLen: 256 });
  const { dir } = runWith(`${good(64)}\n${JSON.stringify(wrong)}\n${JSON.stringify(noCaseId)}\n`);
  const skipped: SkippedLine[] = [];
  assert.deepEqual(readResults(dir, (s) => skipped.push(s)).map((l) => l.shape.seqLen), [64]);
  assert.deepEqual(skipped.map((s) => s.line), [2, 3]);
  assert.match(skipped[0].problem, /^field latencyMs\.median: .*number/);
  assert.match(skipped[1].problem, /^field caseId: /);
  assert.ok(skipped.every((s) => !s.problem.includes('\n')), 'each warning is one line');
});

test('reading keeps the fields the schema does not know (other modes, newer shape fields)', () => {
  const line = { ...okLine({ seqLen: 64 }), decode: { cacheLen: 512 } };
  const withDtype = { ...line, shape: { ...line.shape, dtype: 'bfloat16', kvHeads: 2 } };
  const { dir } = runWith(`${JSON.stringify(withDtype)}\n`);
  const [read] = readResults(dir, () => assert.fail('the line is well-formed')) as unknown as Array<typeof withDtype>;
  assert.deepEqual(read.decode, { cacheLen: 512 });
  assert.equal(read.shape.dtype, 'bfloat16');
  assert.equal(read.shape.kvHeads, 2);
});

test('migrateLine gives an old line without `mode` the inference mode and leaves a current line as it is', () => {
  const { mode: _mode, ...old } = okLine({ seqLen: 64 });
  assert.equal((migrateLine(old) as { mode: string }).mode, 'inference');
  const train = { ...okLine({ seqLen: 64 }), mode: 'train' };
  assert.equal(migrateLine(train), train);
});

test('RecordedSuite records causal (a type checked by tsc: it was missing before)', () => {
  const suite: RecordedSuite = {
    name: 's', description: '', variants: ['full'], seqLen: [64], dModel: 64, heads: 2, batch: 1, causal: [false, true],
    seed: 1, modes: ['inference'], weights: { init: 'gaussian' }, input: { input: 'gaussian' },
    timing: { rounds: 1, timeMs: 10, warmupMs: 1, warmupIterations: 1, minSamples: 1, targetRme: 2, lanes: 1 },
  };
  assert.deepEqual(suite.causal, [false, true]);
});

test('a results line is checked by its status and its mode: one warning line names the file, the line, the field, what it expects', () => {
  const train = { ...okLine({ seqLen: 32 }), mode: 'train', caseId: 'c|train',
    train: { optimizer: 'adam', learningRate: 1e-3, lossFirst: 1, lossLast: 'low', steps: 3, checkpointBytes: 4 },
    memory: { peakBytes: 1, source: 's', weightsBytes: 1, gradientBytes: 1, optimizerStateBytes: 1, activationBytes: 0 } };
  const ownMode = { ...okLine({ seqLen: 48 }), mode: 'counted', counted: 3 };
  const badStatus = { ...okLine({ seqLen: 96 }), status: 'done' };
  const { dir, file } = runWith([good(64), JSON.stringify(train), JSON.stringify(ownMode), JSON.stringify(badStatus)].join('\n'));
  const warnings: string[] = [];
  const error = console.error;
  console.error = (text: string) => warnings.push(text);
  try {
    assert.deepEqual(readResults(dir).map((l) => l.shape.seqLen), [64, 48], 'a mode without fields of its own here keeps the common check');
  } finally {
    console.error = error;
  }
  assert.deepEqual(warnings, [
    `warning: ${file}:2: not a results line (field train.lossLast: Invalid input: expected number, received string); skipped`,
    `warning: ${file}:4: not a results line (field status: Invalid option: expected one of "ok"|"skipped"|"error"); skipped`,
  ]);
});

test('run.json reads back as written: every recorded field, the suite in the same key order (resume compares it as text)', () => {
  const dir = tmpDir(), base = fixtureMeta();
  const suite = parseSuite({ name: 'rich', variants: ['full', { name: 'lora', options: { rank: 4 } }], seqLen: [64], dModel: [64, 128],
    heads: 4, kvHeads: [1, 2], dtype: ['float32', 'bfloat16'], causal: [false, true], modes: ['inference', 'train'],
    also: [{ seqLen: [128], kvHeads: 1 }], weights: { init: 'spectrum' }, input: { input: 'correlated' }, timing: { rounds: 2 } }, 'x');
  const ceiling = { shape: '[64×64]·[64×64] float32', gflops: 12.5, medianMs: 0.04 };
  const meta: RunMeta = { ...base, suite, interrupted: true, maxMemoryBytes: 2 ** 30, machine: 'host',
    ceilings: { 'onnx/cpu': { ...ceiling, shapes: [ceiling],
      bandwidth: [{ what: 'ReduceSum', bytes: 2 ** 24, gbs: 9.5, medianMs: 1.8 }] } },
    phases: { ceilings: 1.5, checks: 3, rounds: [{ round: 1, wall: 4, prepare: 1, warmup: 1, sampling: 1.5, other: 0.5 }] },
    load: [{ at: '2026-11-29T10:00:00.000Z', load1: 0.5, runnable: 1, own: 1 },
      { at: '2026-11-29T10:00:01.000Z', load1: 0.5, runnable: null }],
    plan: { fingerprint: 'abc', cases: 8 }, shard: { index: 1, count: 2 } };
  writeRunMeta(dir, meta);
  const read = readRunMeta(dir)!;
  assert.deepEqual(read, JSON.parse(JSON.stringify(meta)));
  assert.equal(JSON.stringify(read.suite), JSON.stringify(suite));
});
