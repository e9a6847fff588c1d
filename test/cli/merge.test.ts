import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readResults } from '../../src/results/store.ts';
import { planIds, SUITE, writeShard } from '../run/shard-fixtures.ts';
import { parseSuite } from '../../src/run/suite.ts';
import { bench } from '../../src/cli/bench.ts';
import { merge } from '../../src/cli/merge.ts';
import { cliRun, npmRun, runInProcess, tmpDir } from './helpers.ts';

/** A mistake found once the engines are probed and the run folder opened, in this process: no job runs. */
async function assertRefusedRun(args: string[], expected: RegExp) {
  const r = await runInProcess(bench, args);
  assert.equal(r.code, 2, `exit code for bench ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr.trim(), expected);
}

/**
 * A user mistake the parsers or the merge reject (exit 2, one line, no stack), through the command's
 * own error boundary in this process; one spawned test shows `npm run` prints the same.
 */
async function assertOneLine(script: 'merge' | 'bench', args: string[], expected: RegExp) {
  const r = await runInProcess(script === 'merge' ? merge : bench, script === 'bench' ? [...args, '--plan'] : args);
  assert.equal(r.code, 2, `exit code for ${script} ${args.join(' ')}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
  assert.match(lines[0], expected);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

test('npm run merge: three shard folders into one run with its report; the unsharded case set', () => {
  const out = path.join(tmpDir(), 'merged');
  const r = cliRun('merge', ['--out', out, ...[2, 3, 1].map((i) => writeShard(i, 3))]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^merged 3 shard\\(s\\) of 3 on 3 machine\\(s\\): 12 of 12 case\\(s\\) → ${out} in \\d+\\.\\d s\\n`
    + `report: ${out}/report\\.html\\n$`));
  assert.deepEqual(readResults(out).map((l) => l.caseId).sort(), planIds());
  assert.ok(existsSync(path.join(out, 'report.html')) && existsSync(path.join(out, 'run.json')));
});

test('npm run merge --allow-missing: the report lists what is missing', () => {
  const out = path.join(tmpDir(), 'merged');
  const r = cliRun('merge', ['--allow-missing', '--out', out, writeShard(1, 3), writeShard(2, 3)]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /8 of 12 case\(s\), 4 missing/);
  assert.match(readFileSync(path.join(out, 'report.html'), 'utf8'), /merged from shards with 4 of 12 planned case\(s\) missing: /);
});

test('npm run merge: bad input is one line and exit 2', async () => {
  const out = () => path.join(tmpDir(), 'merged');
  const spawned = npmRun('merge', []);
  assert.equal(spawned.code, 2, spawned.stderr);
  assert.match(spawned.stderr.trim(), /^attnbench: merge expects --out DIR/, 'through npm run, as a user runs it');
  await assertOneLine('merge', [], /^attnbench: merge expects --out DIR and one or more shard folders .* Received: no argument$/);
  await assertOneLine('merge', ['--out', out()], /^attnbench: merge expects --out DIR and one or more shard folders/);
  const one = writeShard(1, 2);
  await assertOneLine('merge', ['--out', out(), one, one], /^attnbench: overlapping shards: .* and .* are both shard 1\/2$/);
  const other = parseSuite({ ...SUITE, name: 'other' }, 'test');
  await assertOneLine('merge', ['--out', out(), one, writeShard(2, 2, { suite: other })],
    /^attnbench: cannot merge different suites: .* ran 'shards', .* ran 'other'$/);
  await assertOneLine('merge', ['--out', out(), tmpDir()], /^attnbench: .* is not a shard of a run \(no run\.json\)/);
  const twice = writeShard(2, 2);
  writeFileSync(path.join(twice, 'results.jsonl'), readFileSync(path.join(one, 'results.jsonl'), 'utf8'), { flag: 'a' });
  await assertOneLine('merge', ['--out', out(), one, twice], /^attnbench: case '.*' appears twice: in .* and in .*$/);
  await assertOneLine('merge', ['--out', out(), writeShard(1, 2)],
    /^attnbench: 6 of 12 planned case\(s\) are missing \(shard\(s\) 2\/2 not given\)/);
});

test('--shard: 0/2, 3/2 and a/b are one line and exit 2, before any engine is probed', async () => {
  for (const bad of ['0/2', '3/2', 'a/b']) {
    await assertOneLine('bench', ['--suite', 'quick', '--shard', bad],
      new RegExp(`^attnbench: --shard expects i/n with 1 ≤ i ≤ n, e\\.g\\. 2/3 .*Received: ${bad}$`));
  }
});

test('--shard with --resume continues only the same shard: another shard into that folder is one line and exit 2', async () => {
  const dir = writeShard(1, 2), suiteFile = path.join(tmpDir(), 'shards.json');
  writeFileSync(suiteFile, JSON.stringify(SUITE));
  await assertRefusedRun(['--suite', suiteFile, '--shard', '2/2', '--out', dir, '--resume'],
    new RegExp(`^attnbench: --resume: ${dir} holds shard 1/2, not shard 2/2; resume each shard into its own folder$`));
  await assertRefusedRun(['--suite', suiteFile, '--out', dir, '--resume'], /holds shard 1\/2, not a whole run;/);
});
