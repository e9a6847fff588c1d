/** `npm run report -- DIR`: rebuilds DIR/report.html from DIR/results.jsonl (and the runs index). */
import path from 'node:path';
import { Command } from 'commander';
import { writeReport } from '../report/index.ts';
import { isMain, runCli } from './format.ts';
import { UserError, messages } from './messages.ts';

export async function report(argv: string[]): Promise<number> {
  const cmd = new Command('report')
    .description('Rebuild DIR/report.html from DIR/results.jsonl and DIR/run.json, and the index of the folder above.')
    .argument('<dir>', 'a run folder, e.g. results/2026-11-29T10-00-00-default')
    .exitOverride()
    .configureOutput({ outputError: () => undefined })
    .parse(argv, { from: 'user' });
  const dir = cmd.args[0];
  if (!dir) throw new UserError(messages.noResults('(none given)'));
  console.log(`report: ${await writeReport(dir, path.dirname(path.resolve(dir)))}`);
  return 0;
}

if (isMain(import.meta.url)) runCli(() => report(process.argv.slice(2)));
