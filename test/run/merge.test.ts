import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/messages.ts';
import { mergeShards } from '../../src/run/merge.ts';
import { readResults, readRunMeta } from '../../src/results/store.ts';
import { parseSuite } from '../../src/run/suite.ts';
import { writeReport } from '../../src/report/index.ts';
import { tmpDir } from '../cli/helpers.ts';
import { planIds, SUITE, writeShard } from './shard-fixtures.ts';

const merge = (dirs: string[], allowMissing = false) => mergeShards(dirs, path.join(tmpDir(), 'merged'), allowMissing, ['test']);

/** Merging fails with a UserError whose one line matches. */
function refuses(dirs: string[], expected: RegExp, allowMissing = false) {
  assert.throws(() => merge(dirs, allowMissing), (e: unknown) => e instanceof UserError && expected.test(e.message)
    && !e.message.includes('\n'), String(expected));
}

test('three shards merged: the unsharded case set, each line tagged with its shard and machine, every shard\'s environment', async () => {
  const dirs = [3, 1, 2].map((i) => writeShard(i, 3));
  const merged = merge(dirs);
  const lines = readResults(merged.dir);
  assert.deepEqual(lines.map((l) => l.caseId).sort(), planIds(), 'exactly the plan of the whole suite');
  assert.equal(lines.length, 12);
  assert.deepEqual(merged.missing, []);
  for (const l of lines) assert.equal(l.shard?.machine, `machine-${l.shard?.index}`);
  assert.deepEqual([...new Set(lines.map((l) => l.shard?.index))], [1, 2, 3], 'lines in shard order');
  const meta = readRunMeta(merged.dir)!;
  assert.deepEqual(meta.shards!.map((s) => [s.index, s.count, s.machine, s.environment.cpuModel]),
    [[1, 3, 'machine-1', 'CPU 1'], [2, 3, 'machine-2', 'CPU 2'], [3, 3, 'machine-3', 'CPU 3']]);
  assert.deepEqual(Object.keys(meta.shards![0]).sort(), ['cases', 'count', 'dir', 'engines', 'environment', 'fallbacks', 'finishedAt',
    'index', 'lines', 'machine', 'runId', 'startedAt'], 'its place in the plan, its folder, and its own run.json\'s fields');
  assert.equal(meta.cases, 12);
  assert.equal(meta.startedAt, '2026-11-29T10:00:01.000Z');
  assert.equal(meta.finishedAt, '2026-11-29T10:05:03.000Z');
  assert.equal(meta.suite.name, 'shards');
  const html = readFileSync(await writeReport(merged.dir), 'utf8');
  assert.match(html, /<h3>Shards<\/h3>/);
  assert.match(html, /<pre>npm run merge -- test<\/pre>/, 'the command that made the merged run');
  for (const i of [1, 2, 3]) assert.ok(html.includes(`${i}/3 · machine-${i}`), `the cases table names shard ${i}'s machine`);
  assert.throws(() => mergeShards(dirs, merged.dir, false, []), (e: unknown) => e instanceof UserError
    && /^--out .*merged already holds a run \(results\.jsonl\): choose a new folder$/.test(e.message));
});

test('merge refuses: different suites, different plans, different splits, overlapping shards, duplicates, foreign cases', () => {
  const other = parseSuite({ ...SUITE, name: 'other' }, 'test');
  refuses([writeShard(1, 2), writeShard(2, 2, { suite: other })], /^cannot merge different suites: .* ran 'shards', .* ran 'other'$/);
  const longer = parseSuite({ ...SUITE, timing: { ...SUITE.timing, timeMs: 50 } }, 'test');
  refuses([writeShard(1, 2), writeShard(2, 2, { suite: longer })], /^cannot merge different plans: /);
  refuses([writeShard(1, 2), writeShard(2, 3)], /^cannot merge shards of different splits: .* is shard 1\/2, .* is shard 2\/3$/);
  refuses([writeShard(1, 2), writeShard(1, 2), writeShard(2, 2)], /^overlapping shards: .* and .* are both shard 1\/2$/);
  refuses([writeShard(1, 2, { extraFrom: 2 })], /^case '.*' in .* is not in the plan of shard 1\/2$/);
});

test('a case written twice across shards is refused, naming both folders', () => {
  const a = writeShard(1, 2), b = writeShard(2, 2);
  const first = readFileSync(path.join(a, 'results.jsonl'), 'utf8').split('\n')[0];
  writeFileSync(path.join(b, 'results.jsonl'), `${readFileSync(path.join(b, 'results.jsonl'), 'utf8')}${first}\n`);
  refuses([a, b], /^case '.*' appears twice: in .*attnbench-shard-.* and in .*attnbench-shard-.*$/);
});

test('missing cases: refused with their count, or merged with --allow-missing and listed', () => {
  refuses([writeShard(1, 3), writeShard(3, 3)], /^4 of 12 planned case\(s\) are missing \(shard\(s\) 2\/3 not given\); .*--allow-missing/);
  refuses([writeShard(1, 2, { drop: 1 }), writeShard(2, 2)], /^1 of 12 planned case\(s\) are missing \(shards incomplete\)/);
  const merged = merge([writeShard(1, 3), writeShard(3, 3)], true);
  assert.equal(merged.missing.length, 4);
  assert.deepEqual(readRunMeta(merged.dir)!.missing, merged.missing);
  assert.deepEqual([...readResults(merged.dir).map((l) => l.caseId), ...merged.missing].sort(), planIds());
});

test('not a shard: a file, a folder without run.json, a whole (unsharded) run, a run.json that is not a run', () => {
  const file = path.join(tmpDir(), 'file');
  writeFileSync(file, '');
  refuses([file], /is not a shard of a run \(not a folder\)/);
  refuses([tmpDir()], /is not a shard of a run \(no run\.json\)/);
  const whole = writeShard(1, 1), meta = JSON.parse(readFileSync(path.join(whole, 'run.json'), 'utf8'));
  delete meta.shard;
  writeFileSync(path.join(whole, 'run.json'), JSON.stringify(meta));
  refuses([whole], /is not a shard of a run \(its run\.json records no --shard i\/n\)/);
  writeFileSync(path.join(whole, 'run.json'), JSON.stringify({ ...meta, shard: { index: '1', count: 1 } }));
  refuses([whole], /is not a shard of a run \(run\.json: field shard\.index: Invalid input: expected number, received string\)/);
  writeFileSync(path.join(whole, 'run.json'), '{"schema": 1,');
  refuses([whole], /is not a shard of a run \(run\.json: not JSON: /);
});

test('a --weights run merges where its weights file is absent: validating the recorded suite reads no file', () => {
  const missing = path.join(tmpDir(), 'gone.safetensors');
  const suite = parseSuite({ ...SUITE, weights: { init: 'file', file: missing, prefix: 'encoder.layer.0.' } }, 'run.json');
  assert.equal(suite.weights.init, 'file');
  assert.equal(suite.dModel, 64, 'the recorded D, not one read from the file');
  const dirs = [1, 2].map((i) => writeShard(i, 2, { suite }));
  const merged = merge(dirs);
  assert.equal(readResults(merged.dir).length, planIds(suite).length);
});
