/**
 * The decode section's findings (src/report/decode.ts) on synthetic lines whose truth is known: a
 * sliding window's step at 16k vs 4k (the same cache), said constant only when the ratio's interval
 * lies within ±10 % of 1; pairs sampled in the same blocks are paired by block, others by round
 * (src/report/paired.ts, sharedBlocks), and the timing groups that decide it (src/run/rounds.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/linalg/rng.ts';
import { constancyText, decodeFindings } from '../../src/report/decode.ts';
import { pairedRatio, withinBand } from '../../src/report/paired.ts';
import { groupOf } from '../../src/run/rounds.ts';
import type { Case, DecodeOkLine, ResultLine } from '../../src/results/types.ts';

const R = 3, BLOCKS = 40;
/** Each round's moment (process factor, a drift and a slow spell), shared by every case of a block. */
const moments = (rng: ReturnType<typeof createRng>) => Array.from({ length: R }, () => {
  const process = Math.exp(0.3 * rng.normal());
  return Array.from({ length: BLOCKS }, (_, k) => process * (1 + (0.3 * k) / BLOCKS) * (k >= 20 && k < 30 ? 2.5 : 1));
});

/** A window step at context N, 2 ms × `factor` at each moment, 3 % noise; rounds stamped as the group round `group` of each. */
function step(N: number, factor: number, at: number[][], group: string, seed: string): DecodeOkLine {
  const rng = createRng(seed);
  const rounds = at.map((m, r) => ({ round: r + 1, startedAt: `${group}:${r}:start`, endedAt: `${group}:${r}:end`, median: 2 * factor,
    samplesMs: m.map((x) => 2 * factor * x * Math.exp(0.03 * rng.normal())), pairedBlocks: true, clock: 'performance.now',
    downloadInside: true }));
  return { status: 'ok', mode: 'decode', caseId: `sparse-window|N${N}|decode`, variant: 'sparse-window', label: 'sliding window w=4096',
    engine: 'onnx', backend: 'cpu', options: { window: 4096 }, shape: { batch: 1, seqLen: N, dModel: 512, heads: 8, kvHeads: 2 },
    rounds, noisy: [], step: { msPerStep: 2 * factor, tokensPerS: 500 / factor, achievedGBs: 1, gflops: 1 },
    decode: { context: N, newTokens: 1, cacheBytes: 4 * 2 * 2 * 4095 * 64 } } as unknown as DecodeOkLine;
}

const constancy = (lines: ResultLine[]) => decodeFindings(lines).filter((f) => f.includes('the cache stays'));

test('the same step at 4k and 16k in shared blocks, whatever the machine did: constant, within ±10 %', () => {
  const at = moments(createRng('same'));
  const [lo, hi] = [step(4096, 1, at, 'g', 'lo'), step(16384, 1, at, 'g', 'hi')];
  const p = pairedRatio(hi.rounds, lo.rounds)!;
  assert.equal(p.byBlock, true);
  assert.ok(withinBand(p) && p.ci[1] / p.ci[0] < 1.1, `${p.ci}`);
  const [found] = constancy([lo, hi]);
  assert.match(found, new RegExp(String.raw`the cache stays 4(\.00)?.MiB from N=4096 to N=16384 \(2 KV heads, B=1 on onnx/cpu\); `
    + String.raw`step at N=16384 vs N=4096: constant: the same within ±10 % `
    + String.raw`\(latency ratio (1|1\.0\d*|0\.99\d*), 95 % CI 0\.9\d*–1\.0\d*; 2 vs 2 ms\)\.$`));
});

test('the same samples in two timing groups pair by round: the process factors stay in, and constancy is not shown', () => {
  const rng = createRng('apart');
  const [lo, hi] = [step(4096, 1, moments(rng), 'a', 'lo'), step(16384, 1, moments(rng), 'b', 'hi')];
  const p = pairedRatio(hi.rounds, lo.rounds)!;
  assert.equal(p.byBlock, false);
  assert.equal(withinBand(p), false, `${p.ci}`);
  assert.match(constancyText(hi, lo)!, new RegExp(String.raw`^constancy not shown: no measurable difference, but the interval reaches `
    + String.raw`beyond ±10 % \(latency ratio [\d.]+, 95 % CI [\d.]+–[\d.]+, paired by round; 2 vs 2 ms\)$`));
});

test('a step that grows with the context in shared blocks: not constant, with its ratio', () => {
  const at = moments(createRng('grows'));
  const text = constancyText(step(16384, 1.3, at, 'g', 'hi'), step(4096, 1, at, 'g', 'lo'))!;
  assert.match(text, /^not constant: slower, 1\.3× the latency \(latency ratio 1\.3\d*, 95 % CI 1\.\d+–1\.\d+\) \(2\.6 vs 2 ms\)$/);
});

test('decode times a configuration\'s contexts in one group; inference keeps one group per shape', () => {
  const c = (mode: string, seqLen: number, kvHeads = 8) => ({ engine: { id: 'onnx/cpu' }, mode,
    shape: { batch: 1, seqLen, dModel: 512, heads: 8, kvHeads } }) as unknown as Case;
  assert.equal(groupOf(c('decode', 4096)), groupOf(c('decode', 16384)));
  assert.notEqual(groupOf(c('decode', 4096)), groupOf(c('decode', 4096, 2)));
  assert.notEqual(groupOf(c('inference', 4096)), groupOf(c('inference', 16384)));
});
