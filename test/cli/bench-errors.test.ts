import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { bench } from '../../src/cli/bench.ts';
import { errorOutcome } from '../../src/cli/format.ts';
import { cliRun, ROOT, runInProcess, tmpDir } from './helpers.ts';

/** A user mistake: exit 2, one line on stderr naming what was wrong and what is accepted, no stack. */
function assertOneLine(r: { code: number | null; stderr: string }, args: string[], expected: RegExp) {
  assert.equal(r.code, 2, `exit code for ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0], expected);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

/** Through `npm run bench`, as a user runs it: the command's error boundary is what a user sees. */
const assertUserError = (args: string[], expected: RegExp) => assertOneLine(cliRun('bench', args), args, expected);

/**
 * Mistakes found once the engines are probed or the run folder is touched, through the command's
 * own error boundary in this process (the engines load once per test file, not once per mistake).
 */
const assertRunRejected = async (args: string[], expected: RegExp) => assertOneLine(await runInProcess(bench, args), args, expected);

/**
 * Mistakes the flag and suite parsers reject, through the command's own error boundary in this
 * process (the spawned tests show that boundary is what `npm run bench` prints). `--plan` is
 * appended so that a mistake not caught prints a plan and fails the test, never starts a run.
 */
async function assertRejected(args: string[], expected: RegExp) {
  const log = console.log;
  console.log = () => undefined;
  const outcome = await bench([...args, '--plan']).then((code) => ({ code, text: '' }), errorOutcome)
    .finally(() => { console.log = log; });
  assertOneLine({ code: outcome.code, stderr: String(outcome.text) }, args, expected);
}

test('unknown variant', () => assertRejected(['--variants', 'full,nope', '--out', tmpDir()],
  /unknown variant 'nope'\. Known variants: full/));
test('unknown engine', () => assertRejected(['--engine', 'pytorch'], /--engine.*Allowed choices are torch, onnx, tfjs, all/));
test('unknown flag', () => assertRejected(['--sequence', '5'], /unknown option '--sequence'.*see --help/));
test('non-numeric --seq', () => assertRejected(['--seq', '256,abc'],
  /--seq expects positive integers, e\.g\. 256,1024\. Received: 256,abc/));
test('unknown backend', () => assertRejected(['--engine', 'tfjs', '--backend', 'metal'],
  /--backend expects one of tensorflow-gpu, tensorflow, wasm, cpu\. Received: metal/));
test('unknown suite', () => assertRejected(['--suite', 'nope'],
  /--suite expects a built-in suite \(cuda, decode, default, efficiency, flash, long-context, quick, training\) or a path/));

test('malformed suite files', async () => {
  const dir = tmpDir();
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, '{ "name": "x", ');
  await assertRejected(['--suite', bad], /suite .*bad\.json: \(file\): not valid JSON/);
  writeFileSync(bad, JSON.stringify({ name: 'x', variants: ['full'], seqLen: [64, -1] }));
  await assertRejected(['--suite', bad], /suite .*bad\.json: seqLen\.1: Too small/);
  writeFileSync(bad, JSON.stringify({ name: 'x', variants: ['full'], seqLen: [64], dModel: 50, heads: 8 }));
  await assertRejected(['--suite', bad], /heads: dModel must be a multiple of heads/);
  writeFileSync(bad, JSON.stringify({ name: 'x', variants: ['full'], seqLen: [64], colour: 'red' }));
  await assertRejected(['--suite', bad], /Unrecognized key.*colour/);
});

test('a bad ATTNBENCH_TFJS_KERNEL, before any engine starts', () => {
  process.env.ATTNBENCH_TFJS_KERNEL = 'fastest';
  try {
    assertUserError(['--suite', 'quick', '--out', tmpDir()],
      /ATTNBENCH_TFJS_KERNEL='fastest' is not a kernel choice; use loop, batched or measured/);
  } finally {
    delete process.env.ATTNBENCH_TFJS_KERNEL;
  }
});

test('--resume without --out', () => assertRejected(['--resume'], /--resume needs --out DIR/));

test('--out naming a file, or a folder that cannot be made', async () => {
  const file = path.join(tmpDir(), 'a-file');
  writeFileSync(file, 'x');
  await assertRunRejected(['--suite', 'quick', '--out', file],
    /--out expects a folder \(new or a run's\)\. Received: .*a-file, which is a file/);
  await assertRunRejected(['--suite', 'quick', '--out', path.join(file, 'sub')],
    /--out .*a-file\/sub cannot be written \((ENOTDIR|EEXIST)\); choose a writable folder/);
});

test('one writer per run folder: a second bench into a folder in use exits 2 with the pid', async () => {
  const dir = tmpDir();
  const holder = spawn(process.execPath, ['--import', 'tsx', '-e',
    `import('./src/results/lock.ts').then((m) => { m.lockRunDir(${JSON.stringify(dir)}); console.log('locked'); `
      + 'setInterval(() => {}, 1000); })'],
  { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => holder.stdout!.once('data', resolve));
  try {
    await assertRunRejected(['--suite', 'quick', '--out', dir], new RegExp(`run folder in use by pid ${holder.pid}`));
  } finally {
    holder.kill('SIGKILL');
  }
});

test('bad shape flags, variant options and numbers: one line each', async () => {
  await assertRejected(['--d-model', 'abc'], /--d-model expects positive integers, e.g\. 256,1024\. Received: abc/);
  await assertRejected(['--heads', '0'], /--heads expects positive integers/);
  await assertRejected(['--batch', '1,,2'], /--batch expects positive integers, e\.g\. 256,1024\. Received: 1,,2/);
  await assertRejected(['--seq', '256,,1024'], /--seq expects positive integers/);
  await assertRejected(['--heads', '5'], /heads: dModel must be a multiple of heads \(dModel 512, heads 5\)/);
  await assertRejected(['--variants', 'full,,lora'], /--variants: configuration 2 is empty/);
  await assertRejected(['--variants', 'full,lora:rank'], /--variants: configuration 2 has 'rank': options are key=value/);
  await assertRejected(['--variants', 'lora:rank=x'], /variant 'lora': option rank: .*see --list/);
  await assertRejected(['--variants', 'lora:colour=red'], /variant 'lora': option .*colour/);
  await assertRejected(['--max-memory', '-1'], /--max-memory expects a positive integer, e\.g\. 8192\. Received: -1/);
  await assertRejected(['--rounds', '0'], /--rounds expects a positive integer, e\.g\. 3\. Received: 0/);
  await assertRejected(['--time', '1.5'], /--time expects a positive integer, e\.g\. 250\. Received: 1\.5/);
  await assertRejected(['--case-timeout', 'soon'], /--case-timeout expects a positive integer, e\.g\. 300\. Received: soon/);
  await assertRejected(['--heap', '4GB'], /--heap expects a positive integer, e\.g\. 4096\. Received: 4GB/);
  await assertRejected(['--seed', '-3'], /--seed expects a positive integer, e\.g\. 1\. Received: -3/);
});
