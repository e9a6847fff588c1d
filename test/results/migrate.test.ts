/**
 * The one migration of older results (src/results/migrate.ts): each default, read from lines as
 * older code wrote them (fixtures/old-lines.jsonl: a line from before modes, rounds and clocks; a
 * line with rounds but no clocks; a skipped line from before modes), through readResults as every
 * reader reads them, checked against the schema.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/messages.ts';
import { HARNESS_CLOCK } from '../../src/results/schema.ts';
import { migrateLine } from '../../src/results/migrate.ts';
import { readResults, readRounds, readRunMeta, RESULTS_FILE, ROUNDS_FILE, RUN_FILE } from '../../src/results/store.ts';
import type { RunMeta } from '../../src/results/run-meta.ts';
import type { FailedLine, OkLine } from '../../src/results/types.ts';
import { okLine } from '../report/fixtures.ts';
import { tmpDir } from '../cli/helpers.ts';

const FIXTURES = path.join(import.meta.dirname, 'fixtures');

function oldRun() {
  const dir = tmpDir();
  copyFileSync(path.join(FIXTURES, 'old-lines.jsonl'), path.join(dir, RESULTS_FILE));
  copyFileSync(path.join(FIXTURES, 'old-rounds.jsonl'), path.join(dir, ROUNDS_FILE));
  const [beforeRounds, withRounds, skipped] = readResults(dir, (s) => assert.fail(`line ${s.line} read as malformed: ${s.problem}`));
  return { dir, beforeRounds: beforeRounds as OkLine, withRounds: withRounds as OkLine, skipped: skipped as FailedLine };
}

test('old lines read whole: every line of the fixture passes the schema after the migration', () => {
  assert.equal(readResults(oldRun().dir).length, 3);
});

test('mode: a line from before modes measured inference (measured and skipped lines alike)', () => {
  const { beforeRounds, skipped } = oldRun();
  assert.equal(beforeRounds.mode, 'inference');
  assert.equal(skipped.mode, 'inference');
});

test('timing.rounds: a line from before rounds was measured in one', () => {
  const { beforeRounds, withRounds, skipped } = oldRun();
  assert.equal(beforeRounds.timing.rounds, 1);
  assert.equal(skipped.timing.rounds, 1);
  assert.equal(withRounds.timing.rounds, 2, 'a recorded value is kept');
});

test('timing.downloadInside: before engines timed themselves, a sample included the download', () => {
  const { beforeRounds, skipped } = oldRun();
  assert.equal(beforeRounds.timing.downloadInside, true);
  assert.equal(skipped.timing.downloadInside, true);
});

test('timing.clock: a measured line from before clocks were recorded was timed on the harness\'s; a skipped line has none', () => {
  const { beforeRounds, withRounds, skipped } = oldRun();
  assert.equal(beforeRounds.timing.clock, HARNESS_CLOCK);
  assert.equal(withRounds.timing.clock, HARNESS_CLOCK);
  assert.equal(skipped.timing.clock, undefined, 'never timed');
});

test('rounds: a line from before rounds is one round of its samples, at its median, its time not recorded', () => {
  const { beforeRounds } = oldRun();
  assert.deepEqual(beforeRounds.rounds,
    [{ round: 1, median: 2, samplesMs: [1.8, 1.9, 2, 2.2, 2.6], clock: HARNESS_CLOCK, downloadInside: true }]);
});

test('each round\'s clock and downloadInside: the harness\'s, download inside, on rounds from before they were recorded', () => {
  const { withRounds } = oldRun();
  assert.deepEqual(withRounds.rounds.map((r) => [r.round, r.startedAt, r.median, r.clock, r.downloadInside]), [
    [1, '2026-11-25T08:59:00.000Z', 4, HARNESS_CLOCK, true], [2, '2026-11-25T08:59:30.000Z', 6, HARNESS_CLOCK, true]]);
});

test('roundSpread: from the round medians (6 / 4 − 1), 0 for the one round of a line from before rounds', () => {
  const { beforeRounds, withRounds } = oldRun();
  assert.equal(withRounds.roundSpread, 0.5);
  assert.equal(beforeRounds.roundSpread, 0);
});

test('noisy: older writers left it out on a clean timing; it reads as empty', () => {
  const { beforeRounds, withRounds } = oldRun();
  assert.deepEqual(beforeRounds.noisy, []);
  assert.deepEqual(withRounds.noisy, []);
});

test('the journal: a timing round from before clocks reads with the harness\'s clock, download inside; errors as they are', () => {
  const [timed, failed] = readRounds(oldRun().dir, (s) => assert.fail(s.problem));
  assert.ok('timing' in timed);
  assert.equal(timed.timing.clock, HARNESS_CLOCK);
  assert.equal(timed.timing.downloadInside, true);
  assert.deepEqual(failed, { caseId: 'full attention|onnx/cpu|B1N256D64H4', round: 2, error: 'exited with SIGKILL' });
});

test('a current line passes through the migration as the same object, recorded values never overwritten', () => {
  const line = okLine({ seqLen: 64 });
  assert.equal(migrateLine(line), line);
  const engineTimed = { ...line, timing: { ...line.timing, clock: 'cuda-events', downloadInside: false } };
  assert.equal(migrateLine(engineTimed), engineTimed);
});

/** run.json as the first writer wrote it (fixtures/old-run.json): no modes, timing without rounds, no phases, load or ceilings. */
function oldRunMeta(edit: (meta: RunMeta) => void = () => undefined): string {
  const dir = tmpDir(), meta = JSON.parse(readFileSync(path.join(FIXTURES, 'old-run.json'), 'utf8')) as RunMeta;
  edit(meta);
  writeFileSync(path.join(dir, RUN_FILE), JSON.stringify(meta));
  return dir;
}

test('run.json from before modes, rounds, phases and load reads through the migration, checked against the schema', () => {
  const meta = readRunMeta(oldRunMeta())!;
  assert.equal(meta.suite.timing.rounds, 1, 'a suite from before rounds measured one round per case');
  assert.deepEqual(meta.suite.modes, ['inference'], 'a suite from before modes measured inference');
  assert.deepEqual(meta.suite.input, { input: 'gaussian' }, 'before inputs were chosen they were gaussian, the default');
  assert.equal(meta.phases, undefined);
  assert.equal(meta.load, undefined);
  assert.deepEqual(meta.selected, ['onnx/cpu']);
  const current = readRunMeta(oldRunMeta((m) => { m.suite.timing.rounds = 4; m.suite.modes = ['train']; }))!;
  assert.equal(current.suite.timing.rounds, 4, 'recorded values are never overwritten');
  assert.deepEqual(current.suite.modes, ['train']);
});

test('run.json that is not a run: one line naming the file, the field and what it expects', () => {
  for (const [edit, field] of [
    [(m: RunMeta) => Object.assign(m.environment, { cores: 'two' }), /field environment\.cores: Invalid input: expected number/],
    [(m: RunMeta) => Reflect.deleteProperty(m, 'startedAt'), /field startedAt: Invalid input: expected string, received undefined/],
    [(m: RunMeta) => Object.assign(m, { schema: 2 }), /field schema: Invalid input: expected 1/],
    [(m: RunMeta) => Object.assign(m.engines[0], { available: 'yes' }), /field engines\.0\.available: Invalid input: expected boolean/],
  ] as const) {
    const dir = oldRunMeta(edit), file = path.join(dir, RUN_FILE);
    assert.throws(() => readRunMeta(dir), (e: Error) => {
      assert.ok(e instanceof UserError, 'a user error: one line, exit 2');
      assert.equal(e.message.split('\n').length, 1);
      assert.ok(e.message.startsWith(`${file} is not an attnbench run.json (`), e.message);
      assert.match(e.message, field);
      return true;
    });
  }
  const dir = tmpDir();
  writeFileSync(path.join(dir, RUN_FILE), '{"schema": 1, "runId": ');
  assert.throws(() => readRunMeta(dir),
    (e: Error) => e instanceof UserError && /run\.json is not an attnbench run\.json \(not JSON: /.test(e.message));
  assert.equal(readRunMeta(tmpDir()), undefined, 'a folder without run.json has none');
});
