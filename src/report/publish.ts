/**
 * `npm run report -- --publish OUTDIR`: a results folder as a static site. Every run folder with
 * run.json and results.jsonl is copied (with its report.html, rendered here when it has none),
 * and OUTDIR/index.html lists them. The results folder itself is only read.
 */
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError, messages } from '../messages.ts';
import { readResults, REPORT_FILE, RESULTS_FILE, RUN_FILE } from '../results/store.ts';
import { renderReport } from './index.ts';
import { listRuns, updateIndex } from './runs-index.ts';

export interface Published {
  /** Run folder names copied. */
  runs: string[];
  /** Run folders left out, with the reason. */
  skipped: string[];
  index: string;
}

export async function publish(root: string, outDir: string): Promise<Published> {
  if (!existsSync(root)) throw new UserError(messages.noRuns(root));
  if (path.resolve(root) === path.resolve(outDir)) throw new UserError(messages.publishOntoItself(outDir));
  const runs: string[] = [], listed = listRuns(root);
  const skipped = listed.others.map((n) => `${path.relative(root, path.dirname(n.file))} (${n.problem})`);
  for (const { dir, meta } of listed.runs) {
    const from = path.join(root, dir), to = path.join(outDir, dir);
    if (!existsSync(path.join(from, RESULTS_FILE))) {
      skipped.push(`${dir} (no ${RESULTS_FILE})`);
      continue;
    }
    mkdirSync(to, { recursive: true });
    for (const file of [RUN_FILE, RESULTS_FILE]) copyFileSync(path.join(from, file), path.join(to, file));
    if (existsSync(path.join(from, REPORT_FILE))) copyFileSync(path.join(from, REPORT_FILE), path.join(to, REPORT_FILE));
    else writeFileSync(path.join(to, REPORT_FILE), await renderReport(readResults(from), meta));
    runs.push(dir);
  }
  if (runs.length === 0) throw new UserError(messages.noRuns(root));
  return { runs, skipped, index: updateIndex(outDir) };
}
