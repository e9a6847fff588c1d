/**
 * The findings of several runs side by side, one row per comparison (subject, engine, N): each
 * run's ratio, 95 % interval and verdict, and whether any two runs say "faster" and "slower" of the
 * same comparison (a flip). Reads each run's findings.json (npm run report writes it).
 *   npx tsx scripts/verdicts.ts results/<run-a> results/<run-b> [...]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../src/report/findings.ts';
import type { ModeFinding } from '../src/report/mode-sections.ts';

/** A comparison of findings.json: an inference one, or a decode or training one (with its mode). */
type AnyFinding = Finding | ModeFinding;

const dirs = process.argv.slice(2);
if (dirs.length < 1) {
  console.error('usage: npx tsx scripts/verdicts.ts RUN_DIR [RUN_DIR...]');
  process.exit(2);
}
const runs = dirs.map((d) => JSON.parse(readFileSync(path.join(d, 'findings.json'), 'utf8')) as AnyFinding[]);
/**
 * What a comparison is about: its mode, subject and baseline, engine, N; a decode one's K/V heads and B,
 * and the baseline's N or K/V heads where they differ.
 */
const key = (f: AnyFinding) => {
  const kv = (d: ModeFinding & { mode: 'decode' }) => `KV=${d.kvHeads}${d.baselineKvHeads ? ` vs ${d.baselineKvHeads}` : ''}`;
  const decode = 'mode' in f && f.mode === 'decode'
    ? ` ${kv(f)} B=${f.batch}${f.baselineSeqLen ? ` vs N=${f.baselineSeqLen}` : ''}` : '';
  return `${'mode' in f ? `${f.mode}: ` : ''}${f.subject} vs ${f.baseline} | ${f.engine} | N=${f.seqLen}${decode}`;
};
const keys = [...new Set(runs.flatMap((r) => r.map(key)))];
const cell = (f: AnyFinding | undefined) => {
  if (!f) return '—';
  if (f.ratio === undefined || f.ci === undefined) return 'not compared (no rounds in common)';
  return `${f.ratio.toFixed(2)} (${f.ci[0].toFixed(2)}–${f.ci[1].toFixed(2)}) ${f.verdict}${'unreliable' in f && f.unreliable ? ' ⚠' : ''}`;
};
console.log(`| comparison | ${dirs.map((d) => path.basename(d)).join(' | ')} | flip |\n|---|${dirs.map(() => '---|').join('')}---|`);
let flips = 0;
for (const k of keys) {
  const found = runs.map((r) => r.find((f) => key(f) === k));
  const verdicts = new Set(found.map((f) => f?.verdict));
  const flip = verdicts.has('faster') && verdicts.has('slower');
  flips += Number(flip);
  console.log(`| ${k} | ${found.map(cell).join(' | ')} | ${flip ? 'FLIP' : ''} |`);
}
console.log(`\n${keys.length} comparisons, ${flips} flip(s) between faster and slower (⚠: a check of that run marked it unreliable)`);
