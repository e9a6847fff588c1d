import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { comparisons, facts, QUESTIONS, type Fact } from '../../src/report/findings.ts';
import { speedupChart } from '../../src/report/charts/speedup.ts';
import { summaries, summaryBody } from '../../src/report/summaries.ts';
import { writeReport } from '../../src/report/index.ts';
import type { ResultLine } from '../../src/results/types.ts';
import { tmpDir } from '../cli/helpers.ts';
import { fixtureMeta, fixtureRun, okLine, writeRun } from './fixtures.ts';

const byId = (fs: Fact[]) => Object.fromEntries(fs.map((f) => [f.id, f.answers]));
const nb = '\u202f';
const LORA = (merged: boolean) => `LoRA r=8 α=16 on q,v (${merged ? 'merged' : 'unmerged'})`;

/** findings.json as the issue specifies it: one object per comparison, these fields, these verdicts. */
const FindingsFile = z.array(z.object({
  question: z.string().min(1), subject: z.string().min(1), baseline: z.string().min(1), engine: z.string().regex(/^\w+\/[\w-]+$/),
  seqLen: z.number().int().positive(), dModel: z.number().int().positive(), heads: z.number().int().positive(),
  batch: z.number().int().positive(), ratio: z.number().positive(), ci: z.tuple([z.number().positive(), z.number().positive()]),
  verdict: z.enum(['faster', 'slower', 'no measurable difference']), text: z.string().min(1),
  rounds: z.number().int().positive(), unreliable: z.string().optional(), notEfficient: z.string().optional(),
}).strict().refine((f) => f.ci[0] <= f.ratio && f.ratio <= f.ci[1], 'the interval holds the ratio'));

test('comparisons of the fixture run: verdicts follow the intervals; merged LoRA is no measurable difference', () => {
  const found = comparisons(fixtureRun());
  const at = (subject: string, engine: string, n: number) =>
    found.find((f) => f.subject === subject && f.engine === engine && f.seqLen === n)!;
  assert.equal(found.length, 4 * 4 * 2 + 4, 'every non-full case beside full at its engine and N');
  assert.equal(at(LORA(true), 'onnx/cpu', 1024).verdict, 'no measurable difference');
  assert.equal(at(LORA(false), 'onnx/cpu', 1024).verdict, 'slower');
  assert.equal(at('sliding window w=64', 'tfjs/wasm', 256).verdict, 'no measurable difference', 'the same median: ratio 1');
  assert.equal(at('sliding window w=64', 'tfjs/wasm', 128).verdict, 'slower');
  assert.equal(at('SVD r=16', 'onnx/cpu', 128).verdict, 'faster');
  const w = at('sliding window w=64', 'onnx/cpu', 1024);
  assert.equal(w.ratio, 0.25);
  assert.ok(w.ci[0] < 0.25 && w.ci[1] > 0.25 && w.ci[1] < 0.27, `${w.ci}`);
  assert.match(w.text, new RegExp('^sliding window w=64 vs full attention at N=1024 on onnx/cpu: faster, 4\\.0× speed-up '
    + '\\(latency ratio 0\\.25, 95 % CI 0\\.2\\d+–0\\.2\\d+\\)\\.$'));
  assert.deepEqual(comparisons(fixtureRun()), found, 'the same data give the same intervals (seeded bootstrap)');
});

test('summaries: break-even from the verdicts only', () => {
  const s = summaries(comparisons(fixtureRun())).map((x) => x.summary);
  assert.ok(s.includes('sliding window w=64 on onnx/cpu: faster from N=512 on, at every larger N measured.'), s.join('\n'));
  assert.ok(s.includes('SVD r=16 on tfjs/wasm: faster at every N measured (N=128–1024).'));
  assert.ok(s.includes('Linformer k=32 on tfjs/wasm: slower at every N measured.'));
  assert.ok(s.includes(`${LORA(true)} on onnx/cpu: no measurable difference at any N measured.`));
  const lines = [128, 256].flatMap((seqLen) => [okLine({ seqLen, median: seqLen }),
    okLine({ seqLen, variant: 'sparse-block', label: 'block', median: seqLen === 128 ? 64 : 300 })]);
  assert.deepEqual(summaries(comparisons(lines)).map((x) => x.summary),
    ['block on onnx/cpu: not faster at the largest N measured (N=256: slower).'], 'faster at small N only is no break-even');
});

test('summaries are data first: subject, engine, trend and notes as fields, the sentence built from them once', () => {
  const s = summaries(comparisons(fixtureRun()));
  const of = (subject: string, engine: string) => s.find((x) => x.subject === subject && x.engine === engine)!;
  assert.deepEqual(of('sliding window w=64', 'onnx/cpu').trend, { kind: 'faster-from', seqLen: 512 });
  assert.deepEqual(of('SVD r=16', 'tfjs/wasm').trend, { kind: 'faster-everywhere', from: 128, to: 1024 });
  assert.deepEqual(of('Linformer k=32', 'tfjs/wasm').trend, { kind: 'slower-everywhere' });
  for (const x of s) {
    assert.deepEqual(x.notes, []);
    assert.equal(x.summary, `${x.subject} on ${x.engine}: ${summaryBody(x)}`);
  }
});

test('a line that saves no work at its N says so in its comparison and its summary', () => {
  const why = 'not efficient at this N: 1.20× full\'s FLOPs';
  const lines = [128, 256].flatMap((seqLen) => [okLine({ seqLen, median: 10 }),
    okLine({ seqLen, variant: 'linformer', label: 'Linformer k=128', median: seqLen === 128 ? 12 : 6,
      extra: seqLen === 128 ? { notEfficient: why } : {} })]);
  const found = comparisons(lines);
  assert.equal(found[0].notEfficient, why);
  assert.match(found[0].text, /: slower, 1\.2× the latency \(.*\) — not efficient at this N: 1\.20× full's FLOPs\.$/);
  assert.equal(found[1].notEfficient, undefined);
  assert.deepEqual(summaries(found).map((x) => x.summary), ['Linformer k=128 on onnx/cpu: faster from N=256 on, at every larger N '
    + 'measured (not efficient at N=128: its FLOPs there are not below the baseline\'s).']);
});

test('facts: adapter parameters, accuracy and full attention\'s scaling, stated without timing claims', () => {
  const f = facts(fixtureRun(), fixtureMeta());
  assert.deepEqual(f.map((x) => x.id), ['adapter-params', 'accuracy', 'full-scaling']);
  const a = byId(f);
  assert.deepEqual(a['adapter-params'], [`${LORA(true)}: 0 extra parameters at inference (adapters of 2${nb}048 parameters `
    + 'folded into the weights: nothing left to train).',
    `${LORA(false)}: +2${nb}048 parameters at inference (2${nb}048 trainable).`]);
  assert.deepEqual(a.accuracy, ['Linformer k=32: rel. error vs full 1e-7 at N=1024.',
    'sliding window w=64: rel. error vs full 0.5 at N=1024.',
    'SVD r=16: rel. error vs full 0.08 at N=1024 (0.07–0.08 over N=128–1024); retained spectral energy 0.93.',
    'Base weights: spectrum, decay 1.']);
  assert.deepEqual(a['full-scaling'], ['On onnx/cpu: time ∝ N^2.00, peak memory ∝ N^2.00 (fitted over N=256, 512, 1024).',
    'On tfjs/wasm: time ∝ N^2.00, peak memory ∝ N^2.00 (fitted over N=256, 512, 1024).']);
});

test('a finding whose data is missing is left out, never guessed', () => {
  const run = fixtureRun();
  const without = (pred: (l: ResultLine) => boolean) => facts(run.filter((l) => !pred(l)), fixtureMeta()).map((f) => f.id);
  assert.deepEqual(without((l) => l.variant === 'lora'), ['accuracy', 'full-scaling']);
  assert.deepEqual(without((l) => l.variant === 'full'), [], 'every rule compares with full attention');
  assert.deepEqual(comparisons(run.filter((l) => l.variant !== 'full')), []);
  const train = run.map((l) => ({ ...l, mode: 'train' }) as ResultLine);
  assert.deepEqual([facts(train), comparisons(train)], [[], []], 'training steps are not inference findings');
});

test('findings.json: written beside report.html, one object per comparison, in the specified schema', async () => {
  const dir = writeRun(path.join(tmpDir(), 'run'), fixtureRun());
  await writeReport(dir);
  const file = FindingsFile.parse(JSON.parse(readFileSync(path.join(dir, 'findings.json'), 'utf8')));
  assert.deepEqual(file, JSON.parse(JSON.stringify(comparisons(fixtureRun()))));
  const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  for (const f of file.slice(0, 5)) assert.ok(html.includes(f.text.replace(/&/g, '&amp;')), `the page shows: ${f.text}`);
});

test('results written before rounds and modes still read, report and compare: each line one round', async () => {
  const old = fixtureRun().map((l) => {
    const { mode: _m, ...rest } = l as ResultLine & { rounds?: unknown; roundSpread?: unknown };
    delete (rest as { rounds?: unknown }).rounds;
    delete (rest as { roundSpread?: unknown }).roundSpread;
    return rest;
  }) as unknown as ResultLine[];
  const dir = writeRun(path.join(tmpDir(), 'old'), old);
  await writeReport(dir);
  const file = FindingsFile.parse(JSON.parse(readFileSync(path.join(dir, 'findings.json'), 'utf8')));
  assert.equal(file.length, comparisons(fixtureRun()).length);
  assert.ok(file.every((f) => f.rounds === 1));
  assert.equal(file.find((f) => f.subject === 'sliding window w=64' && f.engine === 'onnx/cpu' && f.seqLen === 1024)!.verdict, 'faster');
});

test('exact-efficient: latency ratio with its interval and peak memory vs full at each N, and from which N it is faster', () => {
  const F = 'flash (fused)';
  const lines = [1024, 2048, 4096].flatMap((n, i) => [
    okLine({ seqLen: n, median: 10 * 4 ** i, peakBytes: 1000 * 4 ** i }),
    okLine({ variant: 'flash', label: F, seqLen: n, median: [10, 30, 80][i], peakBytes: 100 * 2 ** i }),
  ]);
  const answers = byId(facts(lines))['exact-efficient'];
  assert.equal(answers.length, 1);
  assert.match(answers[0], new RegExp(`^${F.replace(/[()]/g, '\\$&')} on onnx/cpu: N=1024: latency ×1 \\(95 % CI [\\d.]+–[\\d.]+\\), `
    + 'peak memory ×0.1 of full\'s; N=2048: latency ×0.75 .*peak memory ×0.05 of full\'s; N=4096: latency ×0.5 .*×0.025 of full\'s\\. '
    + 'Latency: faster from N=2048 on, at every larger N measured\\.$'));
});

test('a yardstick line is the other way round: full held against the engine\'s own module (ratio full / module), '
  + 'and the speed-up chart draws the module at that ratio', () => {
  const lines = [okLine({ median: 12 }), okLine({ variant: 'yardstick', label: 'plain module', median: 10, extra: { role: 'yardstick' } })];
  const [f] = comparisons(lines);
  assert.deepEqual([f.question, f.subject, f.baseline, f.yardstick, f.verdict], [QUESTIONS.yardstick, 'full attention', 'plain module',
    true, 'slower']);
  assert.ok(Math.abs(f.ratio - 1.2) < 1e-9 && f.ci[0] <= 1.2 && f.ci[1] >= 1.2, JSON.stringify(f));
  assert.match(f.text, /^full attention vs plain module at N=128 on onnx\/cpu: slower, 1\.2× the latency \(latency ratio 1\.2, /);
  assert.match(summaries([f])[0].summary, /^full attention vs plain module on onnx\/cpu: /);
  assert.match(JSON.stringify(speedupChart(lines, undefined, [f])),
    /"variant":"plain module","engine":"onnx\/cpu","seqLen":128,"speedup":1\.2/);
});
