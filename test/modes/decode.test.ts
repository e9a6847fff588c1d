/**
 * The decode mode (src/modes/decode.ts): a tiny decode suite is planned, run in worker processes
 * and reported — every step checked against the causal float64 forward, its line fields derived
 * from its formulas, its latency and the run's ceilings (the bandwidth one measured at the cases'
 * working-set sizes), Linformer skipped with its reason, the decode section with its charts and
 * paired findings. And the pure parts: bandwidth sizes, the ideal step, further grids (`also`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { DECODE_QUESTIONS, idealOnBestRoof, type DecodeFinding } from '../../src/report/decode.ts';
import path from 'node:path';
import { runSuite } from '../../src/index.ts';
import { tmpDir } from '../cli/helpers.ts';
import { bandwidthAt, bandwidthSizes } from '../../src/measure/ceiling.ts';
import { rotation, rotationBytes } from '../../src/measure/rotation.ts';
import { decode } from '../../src/modes/index.ts';
import { messages } from '../../src/messages.ts';
import { shapesOf } from '../../src/run/plan.ts';
import { parseSuite } from '../../src/run/suite.ts';
import type { RunMeta } from '../../src/results/run-meta.ts';
import { REPORT_FILE, RUN_FILE } from '../../src/results/store.ts';
import type { DecodeOkLine, LatencyStats } from '../../src/results/types.ts';

const MiB = 2 ** 20;

/** One measured decode line's facts: its cache and byte formulas, its step figures, and its ideal on the run's roofs. */
function checkStep(l: DecodeOkLine, meta: RunMeta): void {
  const roof = meta.ceilings!['onnx/cpu'];
  const { decode: d, step, shape } = l, kv = shape.kvHeads ?? shape.heads, E = shape.dModel / shape.heads;
  assert.ok(l.caseId.endsWith('|decode') && l.mode === 'decode', l.caseId);
  assert.ok(d.relErr !== null && d.relErr < 1e-4, `${l.caseId}: ${d.relErr}`);
  const L = l.variant === 'sparse-window' ? Math.min(d.context, 7) : d.context; // the ring holds w − 1 slots
  assert.equal(d.cacheBytes, 4 * 2 * shape.batch * kv * L * E, l.caseId);
  assert.equal(d.bytes.cacheRead, d.cacheBytes, l.caseId);
  assert.equal(d.bytes.cacheWritten, 4 * 2 * shape.batch * kv * E, l.caseId);
  assert.equal(d.bytes.total, d.bytes.weights + d.bytes.cacheRead + d.bytes.cacheWritten);
  assert.equal(l.flops, d.flops);
  assert.equal(step.msPerStep, l.latencyMs.median);
  assert.ok(Math.abs(step.tokensPerS - 1000 / step.msPerStep) < 1e-9 * step.tokensPerS);
  // A line's ideal uses the ceilings known when it was written (the first roof, in round 1's worker); run.json keeps
  // each size's best of that and the second look after the rounds: the line's roofs are at most the run's, at the same size.
  const bw = bandwidthAt(roof, d.bytes.total)!, ideal = step.ideal!;
  assert.equal(ideal.bandwidthBytes, bw.bytes, l.caseId);
  assert.ok(ideal.bandwidthGBs > 0 && ideal.bandwidthGBs <= bw.gbs, `${l.caseId}: ${ideal.bandwidthGBs} vs ${bw.gbs}`);
  assert.ok(ideal.matmulGflops > 0 && ideal.matmulGflops <= roof.gflops, `${l.caseId}: ${ideal.matmulGflops} vs ${roof.gflops}`);
  assert.equal(ideal.ms, Math.max(d.bytes.total / ideal.bandwidthGBs / 1e6, d.flops / ideal.matmulGflops / 1e6));
  assert.ok(Math.abs(step.ideal!.fraction - step.ideal!.ms / step.msPerStep) < 1e-12);
  // On the run's best roofs (each size's best of both reads) a step's ideal is no longer, so its fraction no higher.
  const best = idealOnBestRoof(l, meta)!;
  assert.ok(best.bandwidthGBs >= ideal.bandwidthGBs && best.fraction <= ideal.fraction + 1e-12, `${l.caseId}: ${best.fraction}`);
}

test('a decode suite is planned, run, checked against the causal float64 forward and reported', async () => {
  const out = tmpDir('attnbench-decode-');
  // Vega's logger warns through console.warn('WARN', …): the report's charts must compile without one.
  const warned: string[] = [], warn = console.warn;
  console.warn = (...m: unknown[]) => { warned.push(m.join(' ')); };
  const { lines } = await runSuite({ name: 'decode-tiny', variants: ['full', { name: 'lora', options: { rank: 2, merged: false } },
    { name: 'lora', options: { rank: 2, merged: true } }, { name: 'sparse-window', options: { window: 8 } }, 'linformer'],
  seqLen: [16, 32], dModel: 16, heads: 2, kvHeads: 2, also: [{ seqLen: [32], kvHeads: 1 }], engines: ['onnx/cpu'], modes: ['decode'],
  timing: { rounds: 1, timeMs: 20, warmupMs: 5, warmupIterations: 1, minSamples: 3, targetRme: 50 } }, { out })
    .finally(() => { console.warn = warn; });
  assert.deepEqual(warned.filter((w) => w.startsWith('WARN')), [], 'the decode charts compile without a Vega-Lite warning');
  assert.equal(lines.length, 15);
  const linformer = lines.filter((l) => l.variant === 'linformer');
  assert.deepEqual(linformer.map((l) => (l.status === 'skipped' ? l.reason : l.status)), Array(3).fill(messages.decodeLinformer()));
  const meta = JSON.parse(readFileSync(path.join(out, RUN_FILE), 'utf8')) as RunMeta;
  const roof = meta.ceilings!['onnx/cpu'];
  const ok = lines.filter((l): l is DecodeOkLine => l.status === 'ok');
  assert.equal(ok.length, 12, JSON.stringify(lines.filter((l) => l.status !== 'ok')));
  assert.deepEqual(roof.bandwidth!.map((b) => b.bytes), bandwidthSizes(ok.map((l) => l.decode.bytes.total)));
  for (const l of ok) checkStep(l, meta);
  const html = readFileSync(path.join(out, REPORT_FILE), 'utf8');
  assert.match(html, /of ideal, best roof/);
  for (const id of ['decode', 'decode-time', 'decode-cache', 'decode-roofline', 'decode-cases']) {
    assert.match(html, new RegExp(`id="${id}"`));
  }
  assert.match(html, /full attention · D=16 H=2 KV=1 B=1: 1 KV heads vs 2 at N=32, B=1 on onnx\/cpu: cache 2\.0× smaller/);
  // A configuration's contexts share blocks (Mode.timedAcross): its steps at 16 and 32 pair by block, K/V heads by round.
  const window = ok.filter((l) => l.variant === 'sparse-window' && (l.shape.kvHeads ?? l.shape.heads) === 2)
    .map((l) => l.rounds[0].startedAt);
  assert.ok(window.length === 2 && window[0] === window[1], JSON.stringify(window));
  const constancy = /sliding window w=8 · D=16 H=2 B=1: the cache stays 896\u202fB from N=16 to N=32[^<]*/.exec(html)?.[0];
  assert.ok(constancy && !constancy.includes('paired by round'), constancy);
  assert.match(html, /1 KV heads vs 2 at N=32, B=1 on onnx\/cpu: cache 2\.0× smaller[^<]*, paired by round/);
  assert.match(html, /\(unmerged\) · D=16 H=2 B=1 \(its adapters(&#39;|') products every token\) vs LoRA r=2 α=16 on q,v \(merged\)/);
  // findings.json holds the decode section's comparisons, each with its mode and the numbers its sentence states.
  const found = JSON.parse(readFileSync(path.join(out, 'findings.json'), 'utf8')) as DecodeFinding[];
  const byQuestion = (q: string) => found.filter((f) => f.question === q);
  assert.ok(found.length > 0 && found.every((f) => f.mode === 'decode' && f.ci[0] <= f.ratio && f.ratio <= f.ci[1]), JSON.stringify(found));
  // vs full: lora ×2 and the window at 2 contexts × 2 KV settings less the 1-KV ones that lack a lora (1 KV: full, lora ×2, window)
  assert.equal(byQuestion(DECODE_QUESTIONS.vsFull).length, 9);
  assert.equal(byQuestion(DECODE_QUESTIONS.unmerged).length, 3);
  const kv = byQuestion(DECODE_QUESTIONS.kvHeads);
  assert.deepEqual(kv.map((f) => [f.kvHeads, f.baselineKvHeads, f.seqLen, f.pairedBy]), Array(4).fill([1, 2, 32, 'round']));
  const [ring] = byQuestion(DECODE_QUESTIONS.constant);
  assert.deepEqual([ring.seqLen, ring.baselineSeqLen, ring.kvHeads, ring.pairedBy], [32, 16, 2, 'block']);
  assert.ok(['constant', 'not constant', 'constancy not shown'].includes(ring.constancy!) && constancy.includes(ring.constancy!));
});

test('bandwidth sizes: each working set to its nearest power of two, from 1 MiB; the ceiling nearest a size', () => {
  assert.deepEqual(bandwidthSizes([10, 3 * MiB, 12.6e6, 37.8e6, 36e6]), [MiB, 4 * MiB, 16 * MiB, 32 * MiB]);
  const roof = { bandwidth: [MiB, 16 * MiB, 64 * MiB].map((bytes) => ({ what: '', bytes, gbs: bytes / MiB, medianMs: 1 })) };
  assert.equal(bandwidthAt(roof, 3 * MiB)?.bytes, MiB); // nearest on a log scale: ×3 from 1 MiB, ×5.3 from 16
  assert.equal(bandwidthAt(roof, 5 * MiB)?.bytes, 16 * MiB); // ×5 from 1 MiB, ×3.2 from 16
  assert.equal(bandwidthAt(roof, 40 * MiB)?.bytes, 64 * MiB);
  assert.equal(bandwidthAt({}, MiB), undefined);
});

test('the ideal step is the larger of its compute and bandwidth times; no ideal without a bandwidth roof', () => {
  const facts = { shape: { batch: 2, seqLen: 8, dModel: 4, heads: 1 },
    decode: { newTokens: 3, bytes: { total: 2e6 }, flops: 1e9 } } as unknown as Parameters<typeof decode.timedFields>[0];
  const latency = { median: 10 } as LatencyStats;
  const ceiling = { shape: '', gflops: 50, medianMs: 1, bandwidth: [{ what: '', bytes: 2 * MiB, gbs: 1, medianMs: 2 }] };
  const { step } = decode.timedFields(facts, latency, ceiling) as { step: DecodeOkLine['step'] };
  assert.equal(step.tokensPerS, 600);
  assert.equal(step.achievedGBs, 0.2);
  assert.equal(step.gflops, 100);
  assert.deepEqual(step.ideal, { ms: 20, fraction: 2, bound: 'compute', bandwidthGBs: 1, bandwidthBytes: 2 * MiB, bandwidthMs: 2,
    bandwidthFraction: 0.2, matmulGflops: 50 });
  assert.equal((decode.timedFields(facts, latency, { ...ceiling, bandwidth: undefined }) as { step: DecodeOkLine['step'] }).step.ideal,
    undefined);
});

test('a suite\'s further grids (`also`) add their shapes once', () => {
  const suite = parseSuite({ name: 's', variants: ['full'], seqLen: [1024, 4096], heads: 8, kvHeads: [8, 2],
    also: [{ seqLen: [4096], kvHeads: 1 }, { seqLen: [4096], batch: 8 }, { seqLen: [1024] }] }, 'test');
  const ids = shapesOf(suite).map((s) => `B${s.batch}N${s.seqLen}K${s.kvHeads ?? s.heads}`);
  assert.deepEqual(ids, ['B1N1024K8', 'B1N4096K8', 'B1N1024K2', 'B1N4096K2', 'B1N4096K1', 'B8N4096K8', 'B8N4096K2']);
  assert.throws(() => parseSuite({ name: 's', variants: ['full'], seqLen: [8], heads: 8, also: [{ kvHeads: 3 }] }, 'test'),
    /kvHeads must divide heads \(heads 8, kvHeads 3\)/);
});

test('the streaming read rotates over twice the last-level cache that sysfs gives, else 512 MiB', () => {
  const sysfs = tmpDir('attnbench-sysfs-');
  for (const [i, level, size] of [[0, 1, '48K'], [2, 2, '2048K'], [3, 3, '266240K']] as const) {
    mkdirSync(path.join(sysfs, `index${i}`));
    writeFileSync(path.join(sysfs, `index${i}`, 'level'), `${level}\n`);
    writeFileSync(path.join(sysfs, `index${i}`, 'size'), `${size}\n`);
  }
  assert.equal(rotationBytes(sysfs), 2 * 266240 * 1024);
  assert.equal(rotationBytes(path.join(sysfs, 'absent')), 512 * MiB);
});

test('a rotation gives each pass the next slot of the pool, and none for a slot beyond it', () => {
  const turn = rotation([3, 5])!, first = turn.next();
  assert.deepEqual(first.map((a) => a.length), [3, 5]);
  assert.equal(first[1].byteOffset, first[0].byteOffset + 12);
  assert.equal(turn.next()[0].byteOffset, first[0].byteOffset + 32);
  const more = Array.from({ length: turn.slots }, () => turn.next()[0].byteOffset);
  assert.equal(new Set(more).size, turn.slots, 'no slot twice before the pool is read');
  assert.ok(more.includes(0) && more.every((o) => o + 32 <= turn.bytes), 'it wraps to the start of its span');
  assert.equal(turn.slots, 1024);
  assert.equal(rotation([rotationBytes()]), undefined);
});

test('rotations taking turns read consecutive slots, never the slot another just read', () => {
  const a = rotation([8])!, b = rotation([8])!, c = rotation([3, 5])!;
  const offsets = [a, b, c, a, b].map((t) => t.next()[0].byteOffset);
  assert.deepEqual(offsets.slice(1).map((o, i) => o - offsets[i]), [32, 32, 32, 32]);
});
