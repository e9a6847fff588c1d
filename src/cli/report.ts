/**
 * `npm run report -- DIR`: rebuilds DIR/report.html from DIR/results.jsonl and DIR/run.json, and
 * the runs index of the folder above; lines missing from results.jsonl whose every round is in
 * DIR/rounds.jsonl are rebuilt from it first (src/run/recover.ts). `npm run report -- --publish OUTDIR [RESULTS_ROOT]`: copies
 * every run of RESULTS_ROOT (default results) and an index.html into OUTDIR, a static site.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { writeReport } from '../report/index.ts';
import { publish } from '../report/publish.ts';
import { isMain, runCli } from './format.ts';
import { UserError, messages } from '../messages.ts';
import { RESULTS_FILE, RESULTS_ROOT, TORN_SUFFIX } from '../results/store.ts';
import { recoverLines } from '../run/recover.ts';

function reportCommand(): Command {
  return new Command('report')
    .usage('DIR | --publish OUTDIR [RESULTS_ROOT]')
    .description('Rebuild DIR/report.html and the runs index of the folder above it; '
      + 'or, with --publish, copy a results folder as a static site.')
    .argument('[path]', `a run folder (e.g. ${RESULTS_ROOT}/<run-id>); `
      + `with --publish, the results folder to copy (default ${RESULTS_ROOT})`)
    .option('--publish <outdir>', 'copy every run (run.json, results.jsonl, report.html) and index.html into OUTDIR')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
}

function folder(what: string, dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(messages.notAFolder(what, dir));
  return dir;
}

export async function report(argv: string[]): Promise<number> {
  const cmd = reportCommand().parse(argv, { from: 'user' });
  const target = cmd.args[0], outDir = cmd.opts<{ publish?: string }>().publish;
  if (outDir !== undefined) {
    const root = folder('--publish RESULTS_ROOT', target ?? RESULTS_ROOT);
    const done = await publish(root, outDir);
    for (const s of done.skipped) console.error(`publish: left out ${s}`);
    console.log(`published ${done.runs.length} run(s) from ${root} to ${outDir}: ${done.index}`);
    return 0;
  }
  if (target === undefined) throw new UserError(messages.reportArgs('no argument'));
  const dir = folder('report DIR', target);
  const recovered = recoverLines(dir);
  if (recovered.tornLine !== undefined) {
    const file = path.join(dir, RESULTS_FILE);
    console.error(messages.tornLineMoved(file, recovered.tornLine, `${file}${TORN_SUFFIX}`));
  }
  for (const id of recovered.caseIds) console.error(messages.lineFromJournal(id));
  if (recovered.inUse) console.error(`report: lines the journal holds were not written: ${recovered.inUse}`);
  console.log(`report: ${await writeReport(dir, path.dirname(path.resolve(dir)))}`);
  return 0;
}

if (isMain(import.meta.url)) runCli(() => report(process.argv.slice(2)));
