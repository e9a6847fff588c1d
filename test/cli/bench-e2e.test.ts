import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { cliRun, npmRun, ROOT, runInProcess, tmpDir } from './helpers.ts';
import { closeBrowser, openReport } from '../report/browser.ts';
import { bench } from '../../src/cli/bench.ts';
import { report } from '../../src/cli/report.ts';

let out = '';
let ran: ReturnType<typeof npmRun>;

after(closeBrowser); // one browser for the file's reports, each in a context of its own

before(() => {
  out = path.join(tmpDir(), 'run');
  ran = npmRun('bench', ['--suite', 'quick', '--out', out], 180_000);
});

test('npm run bench -- --suite quick exits 0 and says where the report is', () => {
  assert.equal(ran.code, 0, ran.stderr);
  assert.match(ran.stdout, new RegExp(`report: ${out}/report.html`));
  assert.match(ran.stdout, /── onnx\/cpu · inference · N=64\nfull attention +\d+\.\d{3} /);
});

test('run.json records suite, argv, environment and engines', () => {
  const meta = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.equal(meta.suite.name, 'quick');
  assert.deepEqual(meta.argv, ['--suite', 'quick', '--out', out]);
  for (const k of ['cpuModel', 'cores', 'totalMemory', 'os', 'node', 'loadAverage']) assert.ok(k in meta.environment, k);
  assert.equal(meta.environment.loadAverage.end.length, 3);
  assert.deepEqual(meta.selected, ['onnx/cpu', 'tfjs/wasm']);
  assert.ok(meta.engines.find((e: { id: string; available: boolean }) => e.id === 'tfjs/tensorflow-gpu' && !e.available));
  assert.ok(meta.finishedAt >= meta.startedAt);
  // tfjs/wasm is single-threaded: its three groups of a round ran in two lanes at once (one per core, lanes.ts), so the
  // round took less than its jobs' times added up; onnx's ran one at a time before them.
  const lanes = Math.min(2, availableParallelism());
  for (const r of meta.phases.rounds as Array<{ lanes: number; elapsed: number; wall: number; sampledWall: number; sampling: number }>) {
    assert.equal(r.lanes, lanes, JSON.stringify(r));
    assert.ok(lanes === 1 ? r.elapsed <= r.wall + 0.05 : r.elapsed < r.wall, JSON.stringify(r));
    assert.ok(r.sampledWall > 0 && r.sampledWall <= r.sampling + 1e-9 && r.sampledWall <= r.elapsed, JSON.stringify(r));
  }
  for (const id of ['onnx/cpu', 'tfjs/wasm']) { // measured before and after the cases, each shape's best kept
    const c = meta.ceilings[id];
    assert.ok(c?.gflops > 0 && c.medianMs > 0 && c.shapes.length >= 2, `${id}: ${JSON.stringify(c)}`);
    assert.equal(c.gflops, Math.max(...c.shapes.map((s: { gflops: number }) => s.gflops)), `${id}: the best shape's figure`);
    assert.match(c.shape, /^\[\d+(×\d+)+\]·\[\d+(×\d+)+\] float32$/);
  }
});

test('package.json runs each command as node src/cli/launch.mjs <command>: what the other tests spawn directly (cliRun)', () => {
  const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const command of ['bench', 'report', 'compare', 'merge', 'attend']) {
    assert.equal(scripts[command], `node src/cli/launch.mjs ${command}`);
  }
});

test('results.jsonl holds one complete line per case', () => {
  const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 6);
  for (const l of lines) {
    assert.equal(l.schema, 1);
    assert.equal(l.status, 'ok', l.reason);
    for (const k of ['runId', 'caseId', 'variant', 'options', 'label', 'engine', 'backend', 'device', 'timing', 'overheadMs', 'gflops']) {
      assert.ok(k in l, k);
    }
    assert.deepEqual(Object.keys(l.shape).sort(), ['batch', 'dModel', 'heads', 'seqLen']);
    assert.deepEqual(l.params, { total: 4 * 64 * 64 + 4 * 64, trainable: 4 * 64 * 64 + 4 * 64, inference: 4 * 64 * 64 + 4 * 64 });
    assert.equal(l.flops, 8 * l.shape.seqLen * 64 ** 2 + 4 * l.shape.seqLen ** 2 * 64);
    for (const k of ['median', 'mean', 'p75', 'p99', 'min', 'max', 'rme', 'samples']) assert.equal(typeof l.latencyMs[k], 'number', k);
    assert.ok(l.latencyMs.min <= l.latencyMs.median && l.latencyMs.median <= l.latencyMs.max);
    assert.ok(l.latencyMs.samples >= 5 && l.samplesMs.length === l.latencyMs.samples);
    assert.deepEqual(l.rounds.map((r: { round: number }) => r.round), [1, 2, 3], 'three interleaved rounds');
    assert.equal(l.rounds.reduce((n: number, r: { samplesMs: number[] }) => n + r.samplesMs.length, 0), l.samplesMs.length);
    assert.ok(l.rounds.every((r: { startedAt: string; endedAt: string }) => r.startedAt <= r.endedAt));
    assert.equal(typeof l.roundSpread, 'number');
    assert.ok(typeof l.memory.peakBytes === 'number' && l.memory.peakBytes >= 0 && l.memory.analyticBytes > 0);
    if (l.memory.analyticBytes > 1e6) assert.ok(l.memory.peakBytes > 0, `${l.caseId}: a pass of > 1 MB shows`);
    assert.match(l.memory.source, l.engine === 'onnx' ? /VmHWM/ : /tf\.profile/);
    assert.ok(l.accuracy.relErr < 1e-4, `relErr ${l.accuracy.relErr}`);
    assert.match(l.accuracy.reference, /float64 full reference/);
  }
});

test('report.html is self-contained: in a browser every chart renders, no errors or requests; a screenshot is taken', async () => {
  const file = path.join(out, 'report.html');
  assert.doesNotMatch(readFileSync(file, 'utf8'), /<script[^>]+src=|<link[^>]+href=|https?:\/\/cdn/i, 'nothing loaded from elsewhere');
  const page = await openReport(file);
  try {
    const charts = await page.charts();
    assert.ok(charts.length >= 3, JSON.stringify(charts));
    assert.deepEqual(charts.filter((c) => c.state !== 'live'), []);
    assert.deepEqual(page.consoleErrors, []);
    assert.deepEqual(page.requests, []);
    const series = await page.chartSeries('latency');
    assert.deepEqual(series, ['full attention'], 'one colour per variant configuration, engines in facets');
    assert.equal(await page.pathCount('latency'), 2 + 2, 'two lines and two p25–p75 bands');
  } finally {
    await page.close();
  }
  // The README's screenshot command: npx tsx scripts/report-screenshot.ts REPORT PNG.
  const png = path.join(tmpDir(), 'report.png');
  const shot = spawnSync('npx', ['tsx', 'scripts/report-screenshot.ts', file, png, '--height', '900'],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(shot.status, 0, shot.stderr);
  assert.ok(statSync(png).size > 10_000);
});

test('run.json samples the load through the run; rounds.jsonl journals facts and every round; findings.json is written', () => {
  const meta = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.ok(meta.load.length >= 3 && meta.load.every((s: { at: string; load1: number }) => s.at >= meta.startedAt && s.load1 >= 0));
  const journal = readFileSync(path.join(out, 'rounds.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(journal.map((r) => r.round), [0, 1, 2, 3].flatMap((r) => Array(6).fill(r)), 'round by round');
  assert.deepEqual(JSON.parse(readFileSync(path.join(out, 'findings.json'), 'utf8')), [], 'full alone: nothing to compare');
});

test('--resume after a torn write: the torn line set aside, completed rounds kept, only the missing round measured', () => {
  const copy = path.join(tmpDir(), 'resumed');
  cpSync(out, copy, { recursive: true });
  const results = readFileSync(path.join(copy, 'results.jsonl'), 'utf8').trim().split('\n');
  const journal = readFileSync(path.join(copy, 'rounds.jsonl'), 'utf8').trim().split('\n');
  const lost = JSON.parse(results.at(-1)!).caseId;
  const keep = journal.filter((l) => !(JSON.parse(l).caseId === lost && JSON.parse(l).round === 3));
  writeFileSync(path.join(copy, 'results.jsonl'), results.slice(0, -1).map((l) => `${l}\n`).join(''));
  appendFileSync(path.join(copy, 'results.jsonl'), results.at(-1)!.slice(0, 80)); // killed mid-write
  writeFileSync(path.join(copy, 'rounds.jsonl'), keep.map((l) => `${l}\n`).join(''));
  const r = cliRun('bench', ['--suite', 'quick', '--out', copy, '--resume', '--no-ceilings'], 120_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /results\.jsonl:6 was torn by an interrupted write: moved to .*results\.jsonl\.torn; its case's line is rebuilt/);
  assert.match(r.stderr, /1 case\(s\) × 3 round\(s\), 1 job\(s\) \(5 case\(s\) already done\)/);
  assert.match(r.stderr, /\[1\/1\] .* round 3 …/);
  assert.equal(readFileSync(path.join(copy, 'results.jsonl.torn'), 'utf8'), `${results.at(-1)!.slice(0, 80)}\n`);
  const after = readFileSync(path.join(copy, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(after.length, 6);
  assert.deepEqual(after.at(-1).rounds.slice(0, 2), JSON.parse(results.at(-1)!).rounds.slice(0, 2), 'rounds 1 and 2 kept as measured');
  const ceilings = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')).ceilings;
  assert.deepEqual(ceilings(copy), ceilings(out), '--no-ceilings: the ceilings measured before are kept, none measured again');
});

/** A copy of the run with its last results line cut to `tail` (a kill mid-append; '' = before the append), every round journaled. */
function cutLastLine(name: string, tail: (line: string) => string) {
  const copy = path.join(tmpDir(), name);
  cpSync(out, copy, { recursive: true });
  const results = readFileSync(path.join(copy, 'results.jsonl'), 'utf8').trim().split('\n');
  writeFileSync(path.join(copy, 'results.jsonl'), results.slice(0, -1).map((l) => `${l}\n`).join('') + tail(results.at(-1)!));
  return { copy, last: JSON.parse(results.at(-1)!) };
}

const caseIds = (dir: string) => readFileSync(path.join(dir, 'results.jsonl'), 'utf8').trim().split('\n')
  .map((l) => JSON.parse(l).caseId).sort();

test('--resume after the final line was torn with every round journaled: its line rebuilt from the journal, 6 of 6 cases', () => {
  const { copy, last } = cutLastLine('torn-final', (l) => l.slice(0, 80));
  const r = cliRun('bench', ['--suite', 'quick', '--out', copy, '--resume'], 120_000);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /results\.jsonl:6 was torn/);
  assert.match(r.stderr, new RegExp(`${last.caseId}: every round is in the journal; its results line is rebuilt from it`));
  assert.match(r.stderr, /0 job\(s\)/);
  assert.deepEqual(caseIds(copy), caseIds(out));
  const rebuilt = JSON.parse(readFileSync(path.join(copy, 'results.jsonl'), 'utf8').trim().split('\n').at(-1)!);
  assert.deepEqual(rebuilt.rounds, last.rounds, 'the measured rounds, not new ones');
  assert.deepEqual(rebuilt.latencyMs, last.latencyMs);
  assert.match(readFileSync(path.join(copy, 'report.html'), 'utf8'), /6 case\(s\) on onnx\/cpu, tfjs\/wasm/, 'the report holds it');
});

test('a kill between the last round\'s journal record and the results append: --resume and npm run report write the line',
  async (t) => {
  const resumed = cutLastLine('kill-before-append', () => ''); // the command in this process: the two tests above spawn it
  const r = await runInProcess(bench, ['--suite', 'quick', '--out', resumed.copy, '--resume']);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /torn/);
  assert.deepEqual(caseIds(resumed.copy), caseIds(out));
  const reported = cutLastLine('kill-then-report', () => '');
  const logged: string[] = [];
  t.mock.method(console, 'error', (m: string) => { logged.push(m); });
  t.mock.method(console, 'log', () => undefined);
  assert.equal(await report([reported.copy]), 0);
  assert.match(logged.join('\n'), new RegExp(`${reported.last.caseId}: every round is in the journal`));
  assert.deepEqual(caseIds(reported.copy), caseIds(out));
  assert.match(readFileSync(path.join(reported.copy, 'report.html'), 'utf8'), /6 case\(s\) on onnx\/cpu, tfjs\/wasm/);
});
