/**
 * Which per-round estimator of a ratio scatters least between rounds, on runs already made: for every
 * same-graph pair (merged LoRA vs full, whose true ratio is 1) in the run folders given, each
 * estimator's per-round log-ratios, their standard deviation over the rounds (the noise a comparison's
 * between-round t interval carries) and their median (its bias). docs/variance.md, session 6.
 *   npx tsx scripts/estimators.ts RUN_DIR…
 * Estimators: the median of per-block log-ratios (what src/report/paired.ts uses), their
 * Hodges–Lehmann estimate and 25 %-trimmed mean, and the log of the ratio of each case's median,
 * lower quartile and minimum (Chen & Revels 2016 argue for the minimum under additive noise).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { quantile as sortedQuantile } from '../src/measure/latency.ts';
import { median } from '../src/report/paired.ts';
import { readResults } from '../src/results/store.ts';
import type { OkLine } from '../src/results/types.ts';

const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
const quantile = (a: number[], p: number) => sortedQuantile(sorted(a), p);
const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const sd = (a: number[]) => Math.sqrt(a.reduce((x, y) => x + (y - mean(a)) ** 2, 0) / (a.length - 1));
const walsh = (a: number[]) => a.flatMap((x, i) => a.slice(i).map((y) => (x + y) / 2));
const trimmed = (a: number[]) => { const s = sorted(a), k = Math.floor(s.length / 4); return mean(s.slice(k, s.length - k)); };
const logs = (s: number[], b: number[]) => s.map((x, i) => Math.log(x / b[i]));

const ESTIMATORS: Record<string, (s: number[], b: number[]) => number> = {
  'median of block log-ratios': (s, b) => median(logs(s, b)),
  'Hodges–Lehmann of block log-ratios': (s, b) => median(walsh(logs(s, b))),
  'trimmed mean of block log-ratios': (s, b) => trimmed(logs(s, b)),
  'ratio of medians': (s, b) => Math.log(median(s) / median(b)),
  'ratio of lower quartiles': (s, b) => Math.log(quantile(s, 0.25) / quantile(b, 0.25)),
  'ratio of minima': (s, b) => Math.log(Math.min(...s) / Math.min(...b)),
};

const shapeOf = (l: OkLine) => `${l.engine}/${l.backend} ${JSON.stringify(l.shape)}`;
const spread = new Map<string, Record<string, number[]>>(), bias = new Map<string, Record<string, number[]>>();
for (const dir of process.argv.slice(2).filter((d) => existsSync(path.join(d, 'results.jsonl')))) {
  const ok = readResults(dir).flatMap((l) => (l.status === 'ok' && l.mode === 'inference' && l.rounds[0]?.pairedBlocks ? [l] : []));
  for (const merged of ok.filter((l) => l.variant === 'lora' && (l.options as { merged?: boolean }).merged)) {
    const full = ok.find((l) => l.variant === 'full' && shapeOf(l) === shapeOf(merged));
    if (!full) continue;
    for (const [name, estimate] of Object.entries(ESTIMATORS)) {
      const perRound = merged.rounds.map((r, i) => {
        const n = Math.min(r.samplesMs.length, full.rounds[i].samplesMs.length);
        return estimate(r.samplesMs.slice(0, n), full.rounds[i].samplesMs.slice(0, n));
      });
      for (const [m, x] of [[spread, sd(perRound)], [bias, Math.abs(median(perRound))]] as const) {
        const byName = m.get(merged.engine) ?? {};
        (byName[name] ??= []).push(x);
        m.set(merged.engine, byName);
      }
    }
  }
}
for (const [engine, byName] of spread) {
  console.log(`${engine}: ${Object.values(byName)[0].length} same-graph comparisons`);
  for (const name of Object.keys(ESTIMATORS)) {
    const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
    console.log(`  ${name.padEnd(36)} sd over rounds: median ${pct(median(byName[name]))}, mean ${pct(mean(byName[name]))}; `
      + `|median over rounds|: median ${pct(median(bias.get(engine)![name]))}`);
  }
}
