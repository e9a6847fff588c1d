/**
 * results/index.html: every run under a results folder (date, machine, engines, suite, cases,
 * link), so the folder can be published as a static site as it is.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { messages } from '../messages.ts';
import { inspectRunMeta, REPORT_FILE } from '../results/store.ts';
import type { RunMeta } from '../results/run-meta.ts';
import { escapeHtml } from './escape.ts';
import { page, table } from './page.ts';

export const INDEX_FILE = 'index.html';

/** A folder under a results folder with a run.json that is not a run: what is wrong with it, in one line. */
export interface NotARun {
  file: string;
  problem: string;
}

/**
 * The runs under `root`, newest first: each folder with a run.json that is a run. A folder whose
 * run.json is not (another tool's, a partial one) is in `others`, never the end of the listing.
 */
export function listRuns(root: string): { runs: Array<{ dir: string; meta: RunMeta }>; others: NotARun[] } {
  const runs: Array<{ dir: string; meta: RunMeta }> = [], others: NotARun[] = [];
  const dirs = existsSync(root) ? readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()) : [];
  for (const d of dirs) {
    const read = inspectRunMeta(path.join(root, d.name));
    if (read && 'meta' in read) runs.push({ dir: d.name, meta: read.meta });
    else if (read) others.push(read);
  }
  return { runs: runs.sort((a, b) => b.meta.startedAt.localeCompare(a.meta.startedAt)), others };
}

const warnNotARun = (index: string) => (n: NotARun) => console.error(messages.runLeftOutOfIndex(n.file, n.problem, index));

/** Writes ROOT/index.html listing its runs; each folder left out, its run.json not a run, is told to `onOther` (default: a warning). */
export function updateIndex(root: string, onOther?: (n: NotARun) => void): string {
  const file = path.join(root, INDEX_FILE), { runs, others } = listRuns(root);
  others.forEach(onOther ?? warnNotARun(file));
  const rows = table(runs, [
    { title: 'started', cell: (r) => r.meta.startedAt.replace('T', ' ').slice(0, 19),
      href: (r) => `${encodeURIComponent(r.dir)}/${REPORT_FILE}` },
    { title: 'suite', cell: (r) => r.meta.suite.name },
    { title: 'machine', cell: (r) => `${r.meta.environment.cpuModel}, ${r.meta.environment.cores} cores` },
    { title: 'engines', cell: (r) => r.meta.selected.join(', ') },
    { title: 'cases', cell: (r) => r.meta.cases, numeric: true },
    { title: 'status', cell: (r) => (r.meta.interrupted ? 'interrupted' : r.meta.finishedAt ? 'finished' : 'running or crashed') },
  ]);
  const leftOut = others.length === 0 ? ''
    : ` Left out, their run.json not a run: ${others.map((n) => escapeHtml(path.basename(path.dirname(n.file)))).join(', ')}.`;
  const sub = `${runs.length} run(s). Each link opens a self-contained report.${leftOut}`;
  const body = `<h1>attnbench runs</h1><p class="sub">${sub}</p>\n${rows}`;
  writeFileSync(file, page('attnbench runs', body, { charts: false }));
  return file;
}
