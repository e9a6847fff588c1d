/**
 * Reads the outputs of scripts/variance-probe.ts (one JSON file per process) and prints the
 * decomposition docs/variance.md reports: warm-up, within-process spread and drift, between-process
 * spread of each case's median, and the ratio of each case to the first, paired within a process
 * (per-block log-ratios) and unpaired across processes (what rounds in separate processes give).
 *   npx tsx scripts/variance-analyse.ts out1.json out2.json …
 */
import { readFileSync } from 'node:fs';
import { median } from '../src/report/paired.ts';

interface Probe {
  engine: string; seq: number; prepMs: number; blocksMs: number;
  cases: Array<{ name: string; warmup: number[]; samples: number[] }>;
}
const probes = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, 'utf8')) as Probe);
const med = (xs: number[]) => median(xs);
const times = (x: number) => `${x.toFixed(2)}×`;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const spread = (xs: number[]) => Math.max(...xs) / Math.min(...xs) - 1;
const sd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

const p0 = probes[0];
console.log(`${p0.engine} N=${p0.seq}: ${probes.length} processes, ${p0.cases[0].samples.length} blocks, `
  + `prep ${(med(probes.map((p) => p.prepMs)) / 1000).toFixed(1)} s, blocks ${(med(probes.map((p) => p.blocksMs)) / 1000).toFixed(1)} s`);
for (const [k, c0] of p0.cases.entries()) {
  const per = probes.map((p) => p.cases[k]);
  const steady = per.map((c) => med(c.samples));
  const first = per.map((c, i) => c.warmup[0] / steady[i]);
  const early = per.map((c, i) => med(c.warmup.slice(1, 5)) / steady[i]);
  const late = per.map((c, i) => med(c.warmup.slice(-10)) / steady[i]);
  const within = per.map((c) => med(c.samples.map((x) => Math.abs(x - med(c.samples)))) * 1.4826 / med(c.samples));
  const third = Math.floor(c0.samples.length / 3);
  const drift = per.map((c) => med(c.samples.slice(-third)) / med(c.samples.slice(0, third)) - 1);
  console.log(`  ${c0.name}: medians ${steady.map((m) => m.toFixed(2)).join(' / ')} ms (between-process spread ${pct(spread(steady))}, `
    + `sd of log ${pct(sd(steady.map(Math.log)))}); within-process robust CV ${within.map(pct).join(' / ')}; `
    + `drift last/first third ${drift.map(pct).join(' / ')}; warm-up pass 1 ${first.map(times).join(' / ')}, `
    + `passes 2–5 ${early.map(times).join(' / ')}, last 10 ${late.map(times).join(' / ')} of steady`);
  if (k === 0) continue;
  const paired = probes.map((p) => p.cases[k].samples.map((s, b) => Math.log(s / p.cases[0].samples[b])));
  const perProcess = paired.map((l) => Math.exp(med(l)));
  const unpaired = probes.flatMap((p, i) => probes.flatMap((q, j) => (i === j ? [] : [med(p.cases[k].samples) / med(q.cases[0].samples)])));
  console.log(`    ${c0.name} / ${p0.cases[0].name}: paired per-process ${perProcess.map((r) => r.toFixed(3)).join(' / ')} `
    + `(spread ${pct(spread(perProcess))}, sd of log ${pct(sd(perProcess.map(Math.log)))}); within-process sd of per-block log-ratio `
    + `${paired.map((l) => pct(sd(l))).join(' / ')}; unpaired across processes `
    + `${Math.min(...unpaired).toFixed(3)}–${Math.max(...unpaired).toFixed(3)}`);
}
