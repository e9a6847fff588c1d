/**
 * The lines a run's journal can give that its results.jsonl lacks (a kill between a case's last
 * round record and its results append, or a torn results line set aside): `npm run report` writes
 * them before it draws, so a report never leaves out a case whose every round was measured.
 */
import path from 'node:path';
import { UserError } from '../messages.ts';
import { lockRunDir } from '../results/lock.ts';
import { appendResult, readResults, readRounds, readRunMeta, RESULTS_FILE, setAsideTornTail } from '../results/store.ts';
import { journalByCase, linesFromJournal } from './rounds.ts';

export interface Recovered {
  /** The case ids whose lines were rebuilt from the journal. */
  caseIds: string[];
  /** Set when a live sweep holds the folder: it writes those lines itself. */
  inUse?: string;
  /** The 1-based number of a torn last results line moved to results.jsonl.torn first. */
  tornLine?: number;
}

export function recoverLines(dir: string): Recovered {
  const meta = readRunMeta(dir), journal = journalByCase(readRounds(dir, () => undefined));
  if (!meta || journal.size === 0) return { caseIds: [] };
  const missing = (done: Set<string>) => linesFromJournal(journal, meta.suite.timing.rounds, done);
  if (missing(new Set(readResults(dir, () => undefined).map((l) => l.caseId))).length === 0) return { caseIds: [] };
  let release: () => void;
  try {
    release = lockRunDir(dir);
  } catch (e) {
    if (e instanceof UserError) return { caseIds: [], inUse: e.message };
    throw e;
  }
  try {
    const tornLine = setAsideTornTail(path.join(dir, RESULTS_FILE)); // an append must not glue onto a torn line
    const lines = missing(new Set(readResults(dir, () => undefined).map((l) => l.caseId)));
    for (const l of lines) appendResult(dir, l);
    return { caseIds: lines.map((l) => l.caseId), ...(tornLine !== undefined && { tornLine }) };
  } finally {
    release();
  }
}
