/**
 * A fresh `npm install` prints no warning and downloads no CUDA binaries: package.json's
 * allowScripts (npm >= 11.16) covers every dependency with an install script, and denies
 * onnxruntime-node's, whose script downloads the CUDA provider (README, Install, says how a CUDA
 * user runs it). No `.npmrc` key: npm 11 warns about keys it does not know.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli/helpers.ts';

const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout.trim();
const [major, minor] = npmVersion.split('.').map(Number);
const readsAllowScripts = major > 11 || (major === 11 && minor >= 16);

test('onnxruntime-node\'s install script (the CUDA download) is denied; no .npmrc', () => {
  assert.equal(pkg.allowScripts?.['onnxruntime-node'], false);
  assert.equal(existsSync(path.join(ROOT, '.npmrc')), false);
});

test('every installed dependency with an install script is covered by allowScripts', { skip: readsAllowScripts ? false
  : `npm ${npmVersion} does not read allowScripts (npm >= 11.16 does)` }, () => {
  const r = spawnSync('npm', ['install-scripts', 'ls', '--json'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), '', 'no npm warning');
  const pending = (JSON.parse(r.stdout) as { allowScripts?: Array<{ name: string }> }).allowScripts ?? [];
  assert.deepEqual(pending.map((p) => p.name), []);
});
