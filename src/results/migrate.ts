/**
 * The one migration of older results: what code before the current schema (src/results/line-schema.ts,
 * and run.json's suite) wrote, or left out, brought up to date before a line is checked, so every reader sees complete
 * lines and no reader holds a default of its own. Each default is what the older code did when it
 * wrote no such field; a line of the current schema passes through unchanged (the same object).
 * Unknown fields are kept; a value that is not what a field expects is left for the schema to name.
 */
import { HARNESS_CLOCK, isRecord } from './schema.ts';

type Raw = Record<string, unknown>;

/**
 * A line of results.jsonl:
 * - `mode`: lines written before training steps were measured have none; they measured inference.
 * - `timing.rounds`: lines written before interleaved rounds were measured in one round.
 * - `timing.downloadInside`: before engines could time themselves, every sample was the harness's
 *   timing around a call, the outputs' download inside.
 * - `timing.clock` (measured lines): lines before it was recorded were timed on the harness's clock.
 * - `rounds` (measured lines): a line written before rounds was one round of its `samplesMs` (whose
 *   median is `latencyMs.median`), its time not recorded.
 * - each round's `clock` and `downloadInside`: as the line's `timing` before they were recorded.
 * - `roundSpread`: from the rounds' medians (0 with one round), as the writer computes it.
 * - `noisy`: older writers left it out when the timing was clean.
 */
export function migrateLine(raw: unknown): unknown {
  if (!isRecord(raw)) return raw;
  const measured = raw.status === 'ok';
  const timing = migrateTiming(raw.timing, measured);
  const fixes: Raw = {
    ...(raw.mode === undefined && { mode: 'inference' }),
    ...(timing !== raw.timing && { timing }),
  };
  if (measured) {
    const rounds = raw.rounds === undefined ? oneRound(raw) : migrateRounds(raw.rounds);
    if (rounds !== raw.rounds) fixes.rounds = rounds;
    if (raw.roundSpread === undefined && Array.isArray(rounds)) fixes.roundSpread = spreadOf(rounds);
    if (raw.noisy === undefined) fixes.noisy = [];
  }
  return Object.keys(fixes).length === 0 ? raw : { ...raw, ...fixes };
}

/**
 * run.json (src/results/run-meta.ts), its suite:
 * - `suite.modes`: runs from before training steps were measured have none; they measured inference.
 * - `suite.timing.rounds`: runs from before rounds measured one round per case.
 * Every other field a run before it lacks is optional in the schema (absent on older runs), or a
 * suite field whose default is what a suite that did not say meant (filled in when the run is checked).
 */
export function migrateRunMeta(raw: unknown): unknown {
  if (!isRecord(raw) || !isRecord(raw.suite)) return raw;
  const { suite } = raw, timing = suite.timing;
  const fixes: Raw = {
    ...(suite.modes === undefined && { modes: ['inference'] }),
    ...(isRecord(timing) && timing.rounds === undefined && { timing: { ...timing, rounds: 1 } }),
  };
  return Object.keys(fixes).length === 0 ? raw : { ...raw, suite: { ...suite, ...fixes } };
}

/** One line of rounds.jsonl (src/run/rounds.ts): a timing round's `clock` and `downloadInside`, as for a line's rounds. */
export function migrateRoundRecord(raw: unknown): unknown {
  if (!isRecord(raw) || !isRecord(raw.timing)) return raw;
  const timing = migrateRound(raw.timing);
  return timing === raw.timing ? raw : { ...raw, timing };
}

function migrateTiming(timing: unknown, measured: boolean): unknown {
  if (!isRecord(timing)) return timing;
  const fixes: Raw = {
    ...(timing.rounds === undefined && { rounds: 1 }),
    ...(timing.downloadInside === undefined && { downloadInside: true }),
    ...(measured && timing.clock === undefined && { clock: HARNESS_CLOCK }),
  };
  return Object.keys(fixes).length === 0 ? timing : { ...timing, ...fixes };
}

function migrateRound(round: unknown): unknown {
  if (!isRecord(round) || (round.clock !== undefined && round.downloadInside !== undefined)) return round;
  return { ...round, clock: round.clock ?? HARNESS_CLOCK, downloadInside: round.downloadInside ?? true };
}

function migrateRounds(rounds: unknown): unknown {
  if (!Array.isArray(rounds)) return rounds;
  const migrated = rounds.map(migrateRound);
  return migrated.every((r, i) => r === rounds[i]) ? rounds : migrated;
}

function oneRound(line: Raw): unknown {
  const median = isRecord(line.latencyMs) ? line.latencyMs.median : undefined;
  if (!Array.isArray(line.samplesMs) || typeof median !== 'number') return undefined;
  return [{ round: 1, median, samplesMs: line.samplesMs, clock: HARNESS_CLOCK, downloadInside: true }];
}

function spreadOf(rounds: unknown[]): unknown {
  const medians = rounds.map((r) => (isRecord(r) ? r.median : undefined));
  if (!medians.every((m): m is number => typeof m === 'number') || medians.length === 0) return undefined;
  return Math.max(...medians) / Math.min(...medians) - 1;
}
