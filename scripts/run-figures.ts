/**
 * The figures docs/variance.md compares designs by, for one or two run folders (two: the same suite
 * back to back): wall time, timed samples and their share of it (duty cycle), comparisons marked
 * unreliable, the median interval width, merged LoRA vs full per engine and N, the median round
 * spread per engine, where the wall time went (run.json `phases`, src/run/phases.ts), and (two runs)
 * verdicts that flip between faster and slower or disagree where both ratios are beyond 0.85 / 1.15.
 *   npx tsx scripts/run-figures.ts RUN_DIR [RUN_DIR2]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../src/report/findings.ts';
import { median, pairedRatio } from '../src/report/paired.ts';
import { readResults, readRunMeta } from '../src/results/store.ts';

function figures(dir: string) {
  const meta = readRunMeta(dir)!, lines = readResults(dir);
  const found = JSON.parse(readFileSync(path.join(dir, 'findings.json'), 'utf8')) as Finding[];
  const width = (fs: Finding[]) => `${(100 * median(fs.map((f) => f.ci[1] / f.ci[0] - 1))).toFixed(1)} %`;
  const engineWidths = (fs: Finding[]) => [...new Set(fs.map((f) => f.engine))]
    .map((e) => `${e} ${width(fs.filter((f) => f.engine === e))}`).join(', ');
  const wall = (Date.parse(meta.finishedAt!) - Date.parse(meta.startedAt)) / 1000;
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  const samples = sum(lines.map((l) => (l.status === 'ok' ? sum(l.rounds.map((r) => sum(r.samplesMs))) : 0))) / 1000;
  // With lanes (src/run/lanes.ts) two groups sample at once: the duty cycle counts the wall some group sampled, not the sum.
  const lanes = meta.phases?.rounds.some((r) => (r.lanes ?? 1) > 1) ?? false;
  const timed = lanes ? sum(meta.phases!.rounds.map((r) => r.sampledWall ?? r.sampling)) : samples;
  const push = (m: Map<string, number[]>, k: string, x: number) => m.set(k, [...(m.get(k) ?? []), x]);
  const spreads = new Map<string, number[]>();
  for (const l of lines) if (l.status === 'ok') push(spreads, `${l.engine}/${l.backend}`, l.roundSpread);
  const merged = found.filter((f) => f.subject.includes('(merged)'));
  // The paired design's between-process figure: per comparison, largest / smallest per-round ratio − 1.
  const ok = lines.flatMap((l) => (l.status === 'ok' ? [l] : []));
  const between = new Map<string, number[]>();
  for (const l of ok) {
    const full = ok.find((f) => f.variant === 'full' && f.engine === l.engine && f.backend === l.backend
      && f.shape.seqLen === l.shape.seqLen);
    const p = l.variant === 'full' || !full ? undefined : pairedRatio(l.rounds, full.rounds);
    if (p && p.rounds > 1) push(between, `${l.engine}/${l.backend}`, Math.max(...p.perRound) / Math.min(...p.perRound) - 1);
  }
  const timedText = lanes ? `wall with a group sampling ${timed.toFixed(0)} s (duty ${(100 * timed / wall).toFixed(0)} %; `
    + `timed samples ${samples.toFixed(0)} s over the lanes)` : `timed ${timed.toFixed(0)} s (duty ${(100 * timed / wall).toFixed(0)} %)`;
  console.log(`${dir}: wall ${wall.toFixed(0)} s, ${timedText}, `
    + `${found.length} comparisons: ${found.filter((f) => f.unreliable).length} unreliable, `
    + `${found.filter((f) => f.verdict === 'faster').length} faster, ${found.filter((f) => f.verdict === 'slower').length} slower; `
    + `median interval width ${width(found)} (${engineWidths(found)})`);
  console.log(`  median round spread of a case: ${[...spreads].map(([e, s]) => `${e} ${(100 * median(s)).toFixed(1)} %`).join(', ')}; `
    + `of a comparison's per-round ratios: ${[...between].map(([e, s]) => `${e} ${(100 * median(s)).toFixed(1)} %`).join(', ')}`);
  if (meta.phases) {
    const p = meta.phases, total = (k: 'prepare' | 'warmup' | 'sampling' | 'other') => sum(p.rounds.map((r) => r[k])).toFixed(0);
    console.log(`  phases: ceilings ${p.ceilings.toFixed(0)} s, checks ${p.checks.toFixed(0)} s, ${p.rounds.length} rounds `
      + `${sum(p.rounds.map((r) => r.wall)).toFixed(0)} s (prepare ${total('prepare')}, warm-up ${total('warmup')}, `
      + `sampling ${total('sampling')}, other ${total('other')}); per round ${p.rounds.map((r) => r.wall.toFixed(0)).join(' / ')} s`
      + `${lanes ? `, each round's own wall ${p.rounds.map((r) => (r.elapsed ?? r.wall).toFixed(0)).join(' / ')} s` : ''}`);
  }
  const interval = (f: Finding) => `${f.engine} N=${f.seqLen} ${f.ci[0].toFixed(3)}–${f.ci[1].toFixed(3)}`;
  console.log(`  merged LoRA vs full: ${merged.map(interval).join('; ')}`);
  return found;
}

const [a, b] = process.argv.slice(2).map(figures);
if (b) {
  const key = (f: Finding) => `${f.subject}|${f.engine}|${f.seqLen}`;
  const other = new Map(b.map((f) => [key(f), f]));
  const decided = (f: Finding) => f.verdict !== 'no measurable difference';
  const flips = a.filter((f) => { const g = other.get(key(f)); return g && f.verdict !== g.verdict && decided(f) && decided(g); });
  const far = (x: Finding) => x.ratio < 0.85 || x.ratio > 1.15;
  const beyond = a.filter((f) => { const g = other.get(key(f)); return g && far(f) && far(g) && f.verdict !== g.verdict; });
  console.log(`two runs: ${flips.length} faster/slower flips; ${beyond.length} comparisons beyond 0.85/1.15 in both with different verdicts`
    + `${beyond.length ? `: ${beyond.map((f) => `${key(f)} ${f.verdict}/${other.get(key(f))!.verdict}`).join(', ')}` : ''}`);
}
