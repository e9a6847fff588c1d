/**
 * `npm run compare -- BASE NEW [--threshold 1.10] [--out FILE]`: every case both runs measured,
 * with medians, NEW/BASE and a Mann–Whitney U test on the raw samples (src/report/compare.ts), as a
 * terminal table and as compare.html (default: in NEW's folder). Cases in one run only are listed.
 * Exit code 1 when a case is significantly slower than the threshold, 0 otherwise, 2 on bad input.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import { Command } from 'commander';
import { compareRuns, DEFAULT_THRESHOLD, hasRegression, type Comparison } from '../report/compare.ts';
import { renderComparison } from '../report/compare-page.ts';
import { sig, times } from '../report/format.ts';
import { readResults, readRunMeta } from '../results/store.ts';
import type { ResultLine } from '../results/types.ts';
import { isMain, runCli, tableStyle } from './format.ts';
import { UserError, messages } from '../messages.ts';

const COMPARE_FILE = 'compare.html';

interface CompareFlags {
  threshold: number;
  out?: string;
}

function compareCommand(): Command {
  return new Command('compare')
    .description('Compare two runs case by case: medians, NEW/BASE, and a Mann–Whitney U test on the raw samples. '
      + 'Exits 1 when a case is significantly slower than --threshold.')
    .argument('<base>', 'the run folder to compare against, e.g. results/<run-id>')
    .argument('<new>', 'the run folder to check')
    .option('--threshold <ratio>', 'NEW/BASE above which a significant difference counts as slower (as asv -f)',
      parseThreshold, DEFAULT_THRESHOLD)
    .option('--out <file>', `where to write the HTML comparison (default: NEW/${COMPARE_FILE})`)
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
}

function parseThreshold(value: string): number {
  const t = Number(value);
  if (value.trim() === '' || !Number.isFinite(t) || t < 1) throw new UserError(messages.threshold(value));
  return t;
}

function runFolder(dir: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(messages.notAFolder('compare BASE NEW', dir));
  return dir;
}

function comparisonTable(cmp: Comparison): string {
  const t = new Table({ head: ['variant', 'engine', 'N', 'BASE ms', 'NEW ms', 'NEW/BASE', 'p', 'verdict'], style: tableStyle() });
  for (const c of cmp.cases) {
    t.push([c.label, c.engine, c.seqLen, sig(c.baseMedian, 4), sig(c.newMedian, 4), c.ratio === undefined ? '' : c.ratio.toFixed(3),
      sig(c.p, 2), c.verdict]);
  }
  const noted = (v: string) => {
    const cs = cmp.cases.filter((c) => c.note && c.verdict === v);
    return cs.length === 0 ? [] : [`${v}:`, ...cs.map((c) => `  ${c.label} ${c.engine} N=${c.seqLen}: ${c.note}`)];
  };
  const only = (name: string, lines: ResultLine[]) =>
    (lines.length === 0 ? [] : [`only in ${name} (${lines.length}):`, ...lines.map((l) => `  ${l.caseId}`)]);
  const count = (v: string) => cmp.cases.filter((c) => c.verdict === v).length;
  return [t.toString(), ...noted('not comparable'), ...noted('unreliable'), ...only('BASE', cmp.onlyInBase), ...only('NEW', cmp.onlyInNew),
    `${cmp.cases.length} case(s) in both runs: ${count('slower')} slower, ${count('faster')} faster, ${count('unchanged')} unchanged, `
    + `${count('not comparable')} not comparable, ${count('unreliable')} unreliable `
    + `(significant at α = ${cmp.alpha} by Mann–Whitney U, threshold ${times(cmp.threshold)})`].join('\n');
}

export async function compare(argv: string[]): Promise<number> {
  const cmd = compareCommand().parse(argv, { from: 'user' });
  const [baseDir, newDir] = cmd.args.map(runFolder);
  const f = cmd.opts<CompareFlags>();
  const cmp = compareRuns(readResults(baseDir), readResults(newDir), f.threshold);
  const out = f.out ?? path.join(newDir, COMPARE_FILE);
  writeFileSync(out, await renderComparison(cmp, { dir: baseDir, meta: readRunMeta(baseDir) }, { dir: newDir, meta: readRunMeta(newDir) }));
  console.log(comparisonTable(cmp));
  console.log(`compare: ${out}`);
  return hasRegression(cmp) ? 1 : 0;
}

if (isMain(import.meta.url)) runCli(() => compare(process.argv.slice(2)));
