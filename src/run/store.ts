/**
 * A run's folder: run.json (what, where, when), results.jsonl (append-only, one line per finished
 * case, so a crash or Ctrl-C loses at most the case in flight) and report.html.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError, messages } from '../cli/messages.ts';
import type { ResultLine } from './result.ts';
import type { RunMeta } from './env.ts';

/** Where runs go unless --out says otherwise; its index.html lists them. */
export const RESULTS_ROOT = 'results';
export const RESULTS_FILE = 'results.jsonl';
export const RUN_FILE = 'run.json';
export const REPORT_FILE = 'report.html';

export function createRunDir(dir: string): void {
  mkdirSync(dir, { recursive: true });
}

export function appendResult(dir: string, line: ResultLine): void {
  appendFileSync(path.join(dir, RESULTS_FILE), `${JSON.stringify(line)}\n`);
}

export function writeRunMeta(dir: string, meta: RunMeta): void {
  writeFileSync(path.join(dir, RUN_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

export function readRunMeta(dir: string): RunMeta | undefined {
  const file = path.join(dir, RUN_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunMeta) : undefined;
}

/** Every line of a run's results.jsonl; a torn last line (crash mid-write) is ignored. */
export function readResults(dir: string): ResultLine[] {
  const file = path.join(dir, RESULTS_FILE);
  if (!existsSync(file)) throw new UserError(messages.noResults(dir));
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: ResultLine[] = [];
  lines.forEach((text, i) => {
    if (text.trim() === '') return;
    try {
      const line = JSON.parse(text) as ResultLine;
      if (typeof line !== 'object' || line === null || !('status' in line) || !('caseId' in line)) throw new Error('missing status or caseId');
      out.push(line);
    } catch (e) {
      if (i === lines.length - 1) return; // no newline after it: torn by a crash mid-write
      throw new UserError(messages.badResultsLine(file, i + 1, (e as Error).message));
    }
  });
  return out;
}
