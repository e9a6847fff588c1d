/**
 * A run's folder: run.json (what, where, when), results.jsonl (append-only, one line per finished
 * case, so a crash or Ctrl-C loses at most the case in flight) and report.html.
 *
 * Torn writes: a process killed mid-append leaves a last line without its newline. Readers skip a
 * malformed line with one warning naming it and never refuse a whole run for it; before a resumed
 * run appends, `setAsideTornTail` moves such a line to results.jsonl.torn (never deleted), so its
 * case runs again. run.json is replaced atomically (write a temporary file, then rename).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError, messages } from '../messages.ts';
import { checkRunMeta, type RunMeta } from './run-meta.ts';
import { lineProblem } from './line-schema.ts';
import { migrateLine, migrateRoundRecord, migrateRunMeta } from './migrate.ts';
import type { ResultLine, RoundRecord } from './types.ts';

/** Where runs go unless --out says otherwise; its index.html lists them. */
export const RESULTS_ROOT = 'results';
export const RESULTS_FILE = 'results.jsonl';
/** The journal of rounds measured (src/run/rounds.ts): what --resume continues from. */
export const ROUNDS_FILE = 'rounds.jsonl';
export const RUN_FILE = 'run.json';
export const REPORT_FILE = 'report.html';
/** The report's comparisons as data (src/report/findings.ts). */
export const FINDINGS_FILE = 'findings.json';
export const TORN_SUFFIX = '.torn';

/** The reason of a failed file-system call, e.g. "ENOSPC: no space left on device". */
const why = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** Creates the run folder, or checks that an existing one is a writable folder. */
export function createRunDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UserError(messages.outIsFile(dir));
  try {
    mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.write-test-${process.pid}`);
    writeFileSync(probe, '');
    renameSync(probe, path.join(dir, '.write-test'));
  } catch (e) {
    throw new UserError(messages.outUnwritable(dir, why(e)));
  }
}

/** Appends lines to a JSON-lines file of the run; a failed write (e.g. ENOSPC) is a one-line error. */
export function appendJsonLine(dir: string, file: string, value: unknown): void {
  const target = path.join(dir, file);
  try {
    appendFileSync(target, `${JSON.stringify(value)}\n`);
  } catch (e) {
    throw new UserError(messages.writeFailed(target, why(e)));
  }
}

export function appendResult(dir: string, line: ResultLine): void {
  appendJsonLine(dir, RESULTS_FILE, line);
}

/** Replaces a file whole: a reader sees the old content or the new, never half of one. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    throw new UserError(messages.writeFailed(file, why(e)));
  }
}

export function writeRunMeta(dir: string, meta: RunMeta): void {
  writeFileAtomic(path.join(dir, RUN_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

/**
 * A run folder's run.json, migrated (src/results/migrate.ts) and checked (src/results/run-meta.ts):
 * undefined when the folder has none, what is wrong (not JSON, or the first field that fails) when it is not a run.
 */
export function inspectRunMeta(dir: string): { meta: RunMeta } | { file: string; problem: string } | undefined {
  const file = path.join(dir, RUN_FILE);
  if (!existsSync(file)) return undefined;
  let text: string, raw: unknown;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { file, problem: `unreadable: ${why(e)}` };
  }
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { file, problem: `not JSON: ${(e as Error).message}` };
  }
  const checked = checkRunMeta(migrateRunMeta(raw));
  return 'meta' in checked ? checked : { file, problem: checked.problem };
}

/** A run folder's run.json (see inspectRunMeta); one that is not a run is a UserError naming the file and the field. */
export function readRunMeta(dir: string): RunMeta | undefined {
  const read = inspectRunMeta(dir);
  if (read && 'problem' in read) throw new UserError(messages.badRunMeta(read.file, read.problem));
  return read?.meta;
}

/**
 * If the file's last line is torn (no trailing newline, or not JSON), moves it to FILE.torn
 * (appended, never deleted) and cuts it from the file; returns its 1-based line number, if any.
 */
export function setAsideTornTail(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  if (text === '') return undefined;
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const start = body.lastIndexOf('\n') + 1, last = body.slice(start);
  if (text.endsWith('\n') && parses(last)) return undefined;
  appendFileSync(`${file}${TORN_SUFFIX}`, `${last}\n`);
  truncateSync(file, Buffer.byteLength(body.slice(0, start)));
  return body.slice(0, start).split('\n').length;
}

const parses = (text: string) => {
  try { JSON.parse(text); return true; } catch { return false; }
};

/** A malformed line a reader skipped. */
export interface SkippedLine {
  file: string;
  line: number;
  problem: string;
}

const warnSkipped = (s: SkippedLine) => console.error(messages.skippedResultsLine(s.file, s.line, s.problem));

/**
 * Every well-formed object of a JSON-lines file, `migrate`d, with `check` saying what a line must hold; a
 * malformed line is skipped and reported through `onSkip` (default: one warning on stderr).
 */
export function readJsonLines<T>(file: string, check: (v: unknown) => string | undefined,
  onSkip: (s: SkippedLine) => void = warnSkipped, migrate: (v: unknown) => unknown = (v) => v): T[] {
  const out: T[] = [];
  readFileSync(file, 'utf8').split('\n').forEach((text, i) => {
    if (text.trim() === '') return;
    let problem: string | undefined;
    try {
      const value = migrate(JSON.parse(text));
      problem = check(value);
      if (!problem) out.push(value as T);
    } catch (e) {
      problem = `not JSON: ${(e as Error).message}`;
    }
    if (problem) onSkip({ file, line: i + 1, problem });
  });
  return out;
}

/**
 * Every results line of a run, older lines migrated (src/results/migrate.ts); a line that fails the
 * schema is skipped with one warning naming its field. Fields the schema does not know are kept.
 */
export function readResults(dir: string, onSkip?: (s: SkippedLine) => void): ResultLine[] {
  const file = path.join(dir, RESULTS_FILE);
  if (!existsSync(file)) throw new UserError(messages.noResults(dir));
  return readJsonLines<ResultLine>(file, lineProblem, onSkip, migrateLine);
}

/** The round journal of a run (empty when it has none). */
export function readRounds(dir: string, onSkip?: (s: SkippedLine) => void): RoundRecord[] {
  const file = path.join(dir, ROUNDS_FILE);
  if (!existsSync(file)) return [];
  const check = (v: unknown) =>
    (typeof v === 'object' && v !== null && 'caseId' in v && 'round' in v ? undefined : 'missing caseId or round');
  return readJsonLines<RoundRecord>(file, check, onSkip, migrateRoundRecord);
}
