/**
 * results/index.html: every run under a results folder (date, machine, engines, suite, cases,
 * link), so the folder can be published as a static site as it is.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readRunMeta, REPORT_FILE } from '../results/store.ts';
import type { RunMeta } from '../results/run-meta.ts';
import { page, table } from './page.ts';

export const INDEX_FILE = 'index.html';

export function listRuns(root: string): Array<{ dir: string; meta: RunMeta }> {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ dir: d.name, meta: readRunMeta(path.join(root, d.name)) }))
    .filter((r): r is { dir: string; meta: RunMeta } => r.meta !== undefined)
    .sort((a, b) => b.meta.startedAt.localeCompare(a.meta.startedAt));
}

export function updateIndex(root: string): string {
  const runs = listRuns(root);
  const rows = table(runs, [
    { title: 'started', cell: (r) => r.meta.startedAt.replace('T', ' ').slice(0, 19),
      href: (r) => `${encodeURIComponent(r.dir)}/${REPORT_FILE}` },
    { title: 'suite', cell: (r) => r.meta.suite.name },
    { title: 'machine', cell: (r) => `${r.meta.environment.cpuModel}, ${r.meta.environment.cores} cores` },
    { title: 'engines', cell: (r) => r.meta.selected.join(', ') },
    { title: 'cases', cell: (r) => r.meta.cases, numeric: true },
    { title: 'status', cell: (r) => (r.meta.interrupted ? 'interrupted' : r.meta.finishedAt ? 'finished' : 'running or crashed') },
  ]);
  const body = `<h1>attnbench runs</h1><p class="sub">${runs.length} run(s). Each link opens a self-contained report.</p>\n${rows}`;
  const file = path.join(root, INDEX_FILE);
  writeFileSync(file, page('attnbench runs', body, { charts: false }));
  return file;
}
