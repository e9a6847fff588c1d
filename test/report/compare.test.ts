import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compareRuns, hasRegression } from '../../src/report/compare.ts';
import type { ResultLine } from '../../src/results/types.ts';
import { compare } from '../../src/cli/compare.ts';
import { runInProcess, tmpDir } from '../cli/helpers.ts';
import { failedLine, fixtureMeta, fixtureRun, okLine, writeRun } from './fixtures.ts';

const SLOW = 'SVD r=16|onnx/cpu|B1N512D64H4';

/** NEW: the fixture run with SVD at N=512 on onnx 30 % slower, Linformer N=1024 gone, one new case, one case now skipped. */
function newRun(): ResultLine[] {
  return [
    ...fixtureRun().filter((l) => l.caseId !== 'Linformer k=32|tfjs/wasm|B1N1024D64H4').map((l) => {
      if (l.caseId === SLOW) return okLine({ variant: 'svd', label: 'SVD r=16', seqLen: 512, median: 0.8 * 16 * 1.3, runId: 'run-b' });
      if (l.caseId === 'sliding window w=64|onnx/cpu|B1N128D64H4') {
        return failedLine({ variant: 'sparse-window', label: 'sliding window w=64', seqLen: 128, status: 'error', reason: 'boom' });
      }
      return l;
    }),
    okLine({ label: 'new thing', seqLen: 128 }),
  ];
}

test('compareRuns: matched by case id; the slower case flagged; one-run cases listed; failed ones not comparable', () => {
  const cmp = compareRuns(fixtureRun(), newRun());
  const slower = cmp.cases.filter((c) => c.verdict === 'slower');
  assert.deepEqual(slower.map((c) => c.caseId), [SLOW]);
  assert.ok(Math.abs(slower[0].ratio! - 1.3) < 1e-12);
  assert.ok(slower[0].p! < 0.001, `p = ${slower[0].p}`);
  assert.deepEqual(cmp.onlyInBase.map((l) => l.caseId), ['Linformer k=32|tfjs/wasm|B1N1024D64H4']);
  assert.deepEqual(cmp.onlyInNew.map((l) => l.caseId), ['new thing|onnx/cpu|B1N128D64H4']);
  const oom = 'skipped: out of memory: the case exceeded its 4096 MB JavaScript heap';
  assert.deepEqual(cmp.cases.filter((c) => c.verdict === 'not comparable').map((c) => c.note),
    [`BASE: ${oom}; NEW: ${oom}`, 'NEW: error: boom']);
  assert.equal(cmp.cases.length, fixtureRun().length - 1);
  assert.equal(cmp.cases.filter((c) => c.verdict === 'unchanged').length, cmp.cases.length - 1 - 2);
  assert.equal(hasRegression(cmp), true);
  assert.equal(hasRegression(compareRuns(fixtureRun(), newRun(), 1.5)), false, '1.3× is within a 1.5× threshold');
});

test('compareRuns: a significant change within the threshold is unchanged; a large one either way is flagged', () => {
  const at = (median: number) => [okLine({ median, spread: 0.01 })];
  const verdict = (base: number, next: number) => compareRuns(at(base), at(next)).cases[0].verdict;
  assert.equal(verdict(1, 1.05), 'unchanged', 'significant (no overlap) but 5 % < 10 %');
  assert.equal(verdict(1, 1.2), 'slower');
  assert.equal(verdict(1.2, 1), 'faster');
  assert.equal(verdict(1, 1), 'unchanged');
});

let dir = '';
before(() => {
  dir = tmpDir('attnbench-compare-');
  writeRun(path.join(dir, 'base'), fixtureRun());
  writeRun(path.join(dir, 'new'), newRun(), fixtureMeta({ runId: 'run-b' }));
  writeRun(path.join(dir, 'same'), fixtureRun(), fixtureMeta({ runId: 'run-c' }));
});

// The command in this process (test/cli/output.test.ts spawns `npm run compare`, as a user runs it).
test('npm run compare: the slower case is flagged and the exit code is 1; compare.html written beside NEW', async () => {
  const r = await runInProcess(compare, [path.join(dir, 'base'), path.join(dir, 'new')]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /SVD r=16 .*onnx\/cpu .*512 .*1\.300 .*slower/);
  assert.match(r.stdout, /only in BASE \(1\):\n {2}Linformer k=32\|tfjs\/wasm\|B1N1024D64H4/);
  assert.match(r.stdout, /only in NEW \(1\):\n {2}new thing\|onnx\/cpu\|B1N128D64H4/);
  assert.match(r.stdout, /not comparable:\n(?: {2}.*\n)* {2}sliding window w=64 onnx\/cpu N=128: NEW: error: boom\n/);
  assert.match(r.stdout, /1 slower, 0 faster/);
  const html = readFileSync(path.join(dir, 'new', 'compare.html'), 'utf8');
  assert.match(html, /Mann–Whitney U/);
  assert.match(html, /new thing/);
  assert.match(html, /<svg/);
});

test('npm run compare: identical runs exit 0; --out chooses the file', async () => {
  const out = path.join(dir, 'same-vs-base.html');
  const r = await runInProcess(compare, [path.join(dir, 'base'), path.join(dir, 'same'), '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /45 case\(s\) in both runs: 0 slower, 0 faster, 44 unchanged, 1 not comparable/);
  assert.ok(existsSync(out));
});

test('npm run compare: bad input is one line and exit 2', async () => {
  for (const [args, message] of [
    [[path.join(dir, 'base')], /^attnbench: missing required argument 'new' \(see --help\)$/],
    [[path.join(dir, 'base'), path.join(dir, 'nope')], /^attnbench: compare BASE NEW expects a folder\. Received: .*nope$/],
    [[path.join(dir, 'base'), path.join(dir, 'new'), '--threshold', '0.9'],
      /^attnbench: --threshold expects a ratio of at least 1, e\.g\. 1\.10 .* Received: 0\.9$/],
  ] as const) {
    const r = await runInProcess(compare, [...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr.trim(), message);
  }
});
