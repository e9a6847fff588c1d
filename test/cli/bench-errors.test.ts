import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { npmRun, tmpDir } from './helpers.ts';

/** A user mistake: exit 2, one line on stderr naming what was wrong and what is accepted, no stack. */
function assertUserError(args: string[], expected: RegExp) {
  const r = npmRun('bench', args);
  assert.equal(r.code, 2, `exit code for ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0], expected);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

test('unknown variant', () => assertUserError(['--variants', 'full,nope', '--out', tmpDir()],
  /unknown variant 'nope'\. Known variants: full/));
test('unknown engine', () => assertUserError(['--engine', 'torch'], /--engine.*Allowed choices are onnx, tfjs, all/));
test('unknown flag', () => assertUserError(['--sequence', '5'], /unknown option '--sequence'.*see --help/));
test('non-numeric --seq', () => assertUserError(['--seq', '256,abc'],
  /--seq expects positive integers, e.g\. 256,1024\. Received: 256,abc/));
test('unknown backend', () => assertUserError(['--engine', 'tfjs', '--backend', 'metal'],
  /--backend expects one of tensorflow-gpu, tensorflow, wasm, cpu\. Received: metal/));
test('unknown suite', () => assertUserError(['--suite', 'nope'],
  /--suite expects a built-in suite \(default, efficiency, quick, training\) or a path/));

test('malformed suite files', () => {
  const dir = tmpDir();
  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, '{ "name": "x", ');
  assertUserError(['--suite', bad], /suite .*bad\.json: \(file\): not valid JSON/);
  writeFileSync(bad, JSON.stringify({ name: 'x', variants: ['full'], seqLen: [64, -1] }));
  assertUserError(['--suite', bad], /suite .*bad\.json: seqLen\.1: Too small/);
  writeFileSync(bad, JSON.stringify({ name: 'x', variants: ['full'], seqLen: [64], dModel: 50, heads: 8 }));
  assertUserError(['--suite', bad], /heads: dModel must be a multiple of heads/);
  writeFileSync(bad, JSON.stringify({ name: 'x', variants: ['full'], seqLen: [64], colour: 'red' }));
  assertUserError(['--suite', bad], /Unrecognized key.*colour/);
});

test('--resume without --out', () => assertUserError(['--resume'], /--resume needs --out DIR/));
