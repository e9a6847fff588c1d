/**
 * `npm run merge -- --out DIR SHARD_DIR...`: shard folders (npm run bench -- --shard i/n) into one
 * run folder (src/run/merge.ts), then its report.html.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Command } from 'commander';
import { mergeShards } from '../run/merge.ts';
import { UserError, messages } from '../messages.ts';
import { isMain, runCli } from './format.ts';

interface MergeFlags {
  out?: string;
  allowMissing?: boolean;
}

export function mergeCommand(): Command {
  return new Command('merge')
    .usage('--out DIR SHARD_DIR...')
    .description('Merge the shards of one plan (npm run bench -- --shard i/n --out SHARD_DIR) into one run folder: '
      + 'run.json with every shard\'s environment, results.jsonl with each line tagged with its shard and machine, report.html.')
    .argument('[shards...]', 'the shard folders, in any order')
    .option('--out <dir>', 'the merged run folder to write (new)')
    .option('--allow-missing', 'merge even when cases of the plan are missing; the report lists them')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
}

export async function merge(argv: string[]): Promise<number> {
  const started = performance.now();
  const cmd = mergeCommand().parse(argv, { from: 'user' });
  const f = cmd.opts<MergeFlags>(), dirs = cmd.args;
  if (!f.out || dirs.length === 0) throw new UserError(messages.mergeArgs(argv.join(' ') || 'no argument'));
  const merged = mergeShards(dirs, f.out, Boolean(f.allowMissing), argv);
  const { writeReport } = await import('../report/index.ts'); // vega: loaded once the shards are known to merge
  const report = await writeReport(merged.dir, path.dirname(path.resolve(merged.dir)));
  const shards = merged.meta.shards ?? [];
  console.log(`merged ${shards.length} shard(s) of ${shards[0]?.count} on ${new Set(shards.map((s) => s.machine)).size} machine(s): `
    + `${merged.lines} of ${merged.meta.cases} case(s)${merged.missing.length ? `, ${merged.missing.length} missing` : ''} `
    + `→ ${merged.dir} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`report: ${report}`);
  return 0;
}

if (isMain(import.meta.url)) runCli(() => merge(process.argv.slice(2)));
