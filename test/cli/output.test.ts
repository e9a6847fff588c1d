/**
 * Output fits pipes and logs (and a fresh machine gets one line, not a stack): colour only on a
 * terminal unless FORCE_COLOR or NO_COLOR say otherwise; a browser-less machine stops npm test with
 * the one-line instruction.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { colourOn } from '../../src/cli/format.ts';
import { fixtureRun, writeRun } from '../report/fixtures.ts';
import { ROOT, tmpDir } from './helpers.ts';

const ESC = '\u001b[';

/**
 * The compare command (`npm run compare` is `node src/cli/launch.mjs compare`) with stdout a pipe, in the
 * environment given (no colour variables unless set).
 */
function comparePiped(env: Record<string, string>): string {
  const dir = tmpDir();
  const base = writeRun(path.join(dir, 'base'), fixtureRun()), next = writeRun(path.join(dir, 'new'), fixtureRun());
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'FORCE_COLOR' && k !== 'NO_COLOR'));
  const r = spawnSync(process.execPath, ['src/cli/launch.mjs', 'compare', base, next],
    { cwd: ROOT, encoding: 'utf8', env: { ...clean, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('piped output has no escape codes; FORCE_COLOR brings them back (FORCE_COLOR=0 and NO_COLOR: colourOn below)', () => {
  const piped = comparePiped({});
  assert.match(piped, /case\(s\) in both runs/);
  assert.ok(!piped.includes(ESC), 'no escape codes in a pipe');
  assert.ok(comparePiped({ FORCE_COLOR: '1' }).includes(ESC), 'FORCE_COLOR=1 colours the table');
});

test('colourOn: a terminal colours unless NO_COLOR; FORCE_COLOR wins', () => {
  assert.equal(colourOn({ isTTY: true }, {}), true);
  assert.equal(colourOn({ isTTY: false }, {}), false);
  assert.equal(colourOn({ isTTY: false }, { FORCE_COLOR: '0' }), false, 'FORCE_COLOR=0 leaves a pipe plain');
  assert.equal(colourOn({ isTTY: true }, { NO_COLOR: '1' }), false);
  assert.equal(colourOn({ isTTY: true }, { NO_COLOR: '' }), true, 'an empty NO_COLOR is unset (no-color.org)');
  assert.equal(colourOn({ isTTY: false }, { FORCE_COLOR: '1', NO_COLOR: '1' }), true);
  assert.equal(colourOn({ isTTY: true }, { FORCE_COLOR: '0' }), true, 'FORCE_COLOR=0 forces nothing');
});

test('no browser and no apt: npm test stops at its pretest with one line saying what to run', () => {
  const node = path.dirname(process.execPath);
  const r = spawnSync('npm', ['test'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, ATTNBENCH_CHROMIUM: '/nonexistent/chromium-headless-shell', PATH: node } }); // no apt-get on PATH
  assert.notEqual(r.status, 0);
  const ours = r.stderr.split('\n').filter((l) => l.startsWith('attnbench:'));
  assert.deepEqual(ours, ['attnbench: ATTNBENCH_CHROMIUM=/nonexistent/chromium-headless-shell is not an executable file: '
    + 'point it at a chromium-headless-shell binary, or unset it to use /usr/bin/chromium-headless-shell '
    + '(apt-get install -y chromium-headless-shell)']);
  assert.doesNotMatch(r.stderr, /\n\s+at |browserType\.launch/, 'no stack, no launch error');
  assert.doesNotMatch(r.stdout + r.stderr, /tsc --noEmit|node:test|# tests/, 'nothing after the pretest ran');
});
