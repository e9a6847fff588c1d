import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { report } from '../../src/cli/report.ts';
import { cliRun, npmRun, runInProcess, tmpDir } from '../cli/helpers.ts';
import { fixtureMeta, fixtureRun, writeRun } from './fixtures.ts';

let root = '';
before(() => {
  root = path.join(tmpDir('attnbench-report-'), 'results');
  writeRun(path.join(root, 'run-a'), fixtureRun());
  writeRun(path.join(root, 'run-b'), fixtureRun().slice(0, 5), fixtureMeta({ runId: 'run-b', startedAt: '2026-11-30T09:00:00.000Z' }));
  mkdirSync(path.join(root, 'not-a-run'));
  mkdirSync(path.join(root, 'foreign')); // another tool's run.json, or a partial one: not a run
  writeFileSync(path.join(root, 'foreign', 'run.json'), JSON.stringify({ schema: 1, runId: 'x', suite: fixtureMeta().suite }));
});

test('npm run report -- DIR rebuilds DIR/report.html and the index of the folder above', () => {
  const r = cliRun('report', [path.join(root, 'run-a')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), `report: ${path.join(root, 'run-a', 'report.html')}`);
  assert.equal(r.stderr.trim(), `warning: ${path.join(root, 'foreign', 'run.json')} is not an attnbench run.json (field argv: Invalid `
    + `input: expected array, received undefined); its folder is left out of ${path.join(root, 'index.html')}`);
  const index = readFileSync(path.join(root, 'index.html'), 'utf8');
  assert.match(index, /2 run\(s\)\. Each link opens a self-contained report\. Left out, their run\.json not a run: foreign\./);
  assert.doesNotMatch(index, /href="foreign/);
  assert.ok(index.indexOf('href="run-b/report.html"') < index.indexOf('href="run-a/report.html"'), 'newest first');
  assert.match(index, /Fixture CPU, 2 cores/);
  assert.match(readFileSync(path.join(root, 'run-a', 'report.html'), 'utf8'), /<h2>Findings<\/h2>/);
});

// In this process: the test above and the one below spawn the command.
test('npm run report -- --publish OUTDIR RESULTS_ROOT copies every run and the index; renders a missing report', async () => {
  const out = path.join(path.dirname(root), 'site');
  const r = await runInProcess(report, ['--publish', out, root]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`published 2 run\\(s\\) from ${root} to ${out}: ${out}/index.html`));
  assert.equal(r.stderr.trim(), 'publish: left out foreign (field argv: Invalid input: expected array, received undefined)');
  assert.deepEqual(readdirSync(out).sort(), ['index.html', 'run-a', 'run-b']);
  for (const run of ['run-a', 'run-b']) {
    assert.deepEqual(readdirSync(path.join(out, run)).sort(), ['report.html', 'results.jsonl', 'run.json'], run);
    assert.equal(readFileSync(path.join(out, run, 'results.jsonl'), 'utf8'), readFileSync(path.join(root, run, 'results.jsonl'), 'utf8'));
  }
  assert.ok(!existsSync(path.join(root, 'run-b', 'report.html')), 'the results folder is only read');
  assert.match(readFileSync(path.join(out, 'index.html'), 'utf8'), /href="run-a\/report.html"/);
});

test('npm run report: bad input is one line and exit 2', async () => {
  const spawned = npmRun('report', []);
  assert.equal(spawned.code, 2, spawned.stderr);
  assert.match(spawned.stderr.trim(), /^attnbench: report expects a run folder/, 'through npm run, as a user runs it');
  const empty = tmpDir('attnbench-empty-'), doctored = path.join(empty, 'doctored');
  const meta = fixtureMeta();
  writeRun(doctored, fixtureRun().slice(0, 2), { ...meta, environment: { ...meta.environment, cores: 'two' as unknown as number } });
  const measured = readFileSync(path.join(doctored, 'results.jsonl'), 'utf8');
  for (const [args, message] of [
    [[], new RegExp('^attnbench: report expects a run folder \\(npm run report -- results/<run-id>\\) or --publish OUTDIR '
      + '\\[RESULTS_ROOT\\].*Received: no argument$')],
    [[path.join(root, 'nope')], /^attnbench: report DIR expects a folder\. Received: .*nope$/],
    [[path.join(root, 'not-a-run')], /^attnbench: .*not-a-run holds no results\.jsonl/],
    [[doctored], new RegExp(`^attnbench: ${doctored}/run\\.json is not an attnbench run\\.json \\(field environment\\.cores: `
      + 'Invalid input: expected number, received string\\): give the folder of a run written by npm run bench$')],
    [['--publish', path.join(empty, 'out'), path.join(root, 'nope')],
      /^attnbench: --publish RESULTS_ROOT expects a folder\. Received: .*nope$/],
    [['--publish', root, root], /^attnbench: --publish OUTDIR must differ from the results folder it copies\. Received: /],
    [['--publish', path.join(empty, 'out'), empty],
      /^attnbench: .* holds no runs to publish \(folders with run\.json and results\.jsonl\)$/],
    [['--publish'], /^attnbench: option '--publish <outdir>' argument missing \(see --help\)$/],
    [[root, 'extra'], /^attnbench: too many arguments/],
  ] as const) {
    const r = await runInProcess(report, [...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr.trim(), message, args.join(' '));
  }
  assert.equal(readFileSync(path.join(doctored, 'results.jsonl'), 'utf8'), measured, 'nothing measured is lost');
  assert.ok(!existsSync(path.join(doctored, 'report.html')));
});
