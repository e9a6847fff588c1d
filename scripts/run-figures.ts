/**
 * The figures docs/variance.md compares designs by, for one or two run folders (two: the same suite
 * back to back): wall time, timed samples and their share of it (duty cycle), comparisons marked
 * unreliable, the median interval width, merged LoRA vs full per engine and N, the median round
 * spread per engine, and (two runs) verdicts that flip between faster and slower or disagree where
 * both ratios are beyond 0.85 / 1.15.
 *   npx tsx scripts/run-figures.ts RUN_DIR [RUN_DIR2]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../src/report/findings.ts';
import { median } from '../src/report/paired.ts';
import { readResults, readRunMeta } from '../src/results/store.ts';

function figures(dir: string) {
  const meta = readRunMeta(dir)!, lines = readResults(dir);
  const found = JSON.parse(readFileSync(path.join(dir, 'findings.json'), 'utf8')) as Finding[];
  const wall = (Date.parse(meta.finishedAt!) - Date.parse(meta.startedAt)) / 1000;
  const timed = lines.reduce((a, l) => a + (l.status === 'ok' ? (l.rounds ?? []).reduce((b, r) => b + r.samplesMs.reduce((c, x) => c + x, 0), 0) : 0), 0) / 1000;
  const spreads = new Map<string, number[]>();
  for (const l of lines) if (l.status === 'ok') spreads.set(`${l.engine}/${l.backend}`, [...(spreads.get(`${l.engine}/${l.backend}`) ?? []), l.roundSpread ?? 0]);
  const merged = found.filter((f) => f.subject.includes('(merged)'));
  console.log(`${dir}: wall ${wall.toFixed(0)} s, timed ${timed.toFixed(0)} s (duty ${(100 * timed / wall).toFixed(0)} %), `
    + `${found.length} comparisons: ${found.filter((f) => f.unreliable).length} unreliable, `
    + `${found.filter((f) => f.verdict === 'faster').length} faster, ${found.filter((f) => f.verdict === 'slower').length} slower; `
    + `median interval width ${(100 * median(found.map((f) => f.ci[1] / f.ci[0] - 1))).toFixed(1)} %`);
  console.log(`  median round spread: ${[...spreads].map(([e, s]) => `${e} ${(100 * median(s)).toFixed(1)} %`).join(', ')}`);
  console.log(`  merged LoRA vs full: ${merged.map((f) => `${f.engine} N=${f.seqLen} ${f.ci[0].toFixed(3)}–${f.ci[1].toFixed(3)}`).join('; ')}`);
  return found;
}

const [a, b] = process.argv.slice(2).map(figures);
if (b) {
  const key = (f: Finding) => `${f.subject}|${f.engine}|${f.seqLen}`;
  const other = new Map(b.map((f) => [key(f), f]));
  const flips = a.filter((f) => { const g = other.get(key(f)); return g && new Set([f.verdict, g.verdict]).size === 2 && f.verdict !== 'no measurable difference' && g.verdict !== 'no measurable difference'; });
  const beyond = a.filter((f) => { const g = other.get(key(f)); return g && [f, g].every((x) => x.ratio < 0.85 || x.ratio > 1.15) && f.verdict !== g.verdict; });
  console.log(`two runs: ${flips.length} faster/slower flips; ${beyond.length} comparisons beyond 0.85/1.15 in both with different verdicts`
    + `${beyond.length ? `: ${beyond.map((f) => `${key(f)} ${f.verdict}/${other.get(key(f))!.verdict}`).join(', ')}` : ''}`);
}
