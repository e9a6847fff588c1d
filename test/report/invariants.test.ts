import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CEILING_MARGIN, checkInvariants, unreliableCases, UNRELIABLE } from '../../src/report/invariants.ts';
import { compareRuns } from '../../src/report/compare.ts';
import { comparisons } from '../../src/report/findings.ts';
import { summaries } from '../../src/report/summaries.ts';
import { writeReport } from '../../src/report/index.ts';
import type { OkLine, ResultLine } from '../../src/results/types.ts';
import { tmpDir } from '../cli/helpers.ts';
import { fixtureRun, roundsAround, samplesAround, writeRun } from './fixtures.ts';

const MERGED = 'LoRA r=8 α=16 on q,v (merged)';

/** The fixture run with merged LoRA at N=1024 on onnx doctored: `factor` × its latency in every round, or in round 2 only. */
function doctored(factor: number, onlyRound?: number): ResultLine[] {
  return fixtureRun().map((l) => {
    if (l.status !== 'ok' || l.label !== MERGED || l.engine !== 'onnx' || l.shape.seqLen !== 1024) return l;
    const rounds = roundsAround(l.latencyMs.median, 0.02).map((r) => (onlyRound === undefined || r.round === onlyRound
      ? { ...r, median: r.median * factor, samplesMs: samplesAround(r.median * factor, 0.02) } : r));
    return { ...l, rounds } as OkLine;
  });
}

test('the fixture run passes its checks', () => {
  assert.deepEqual(checkInvariants(fixtureRun()), []);
});

test('merged LoRA measured 1.9× full, though it runs full\'s graph: the check fires and names both cases', () => {
  const v = checkInvariants(doctored(1.9));
  assert.equal(v.length, 1);
  assert.equal(v[0].check, 'same-graph');
  assert.match(v[0].text, new RegExp('^LoRA r=8 α=16 on q,v \\(merged\\) runs full attention\'s graph, yet measured 1\\.91× its latency '
    + '\\(95 % interval 1\\.\\d+–1\\.\\d+\\) at N=1024 on onnx/cpu: expected no measurable difference$'));
  assert.deepEqual(v[0].caseIds.map((id) => id.split('|')[0]), [MERGED, 'full attention']);
  assert.match(unreliableCases(v).get(v[0].caseIds[1])!, new RegExp(`^${UNRELIABLE}`));
});

test('one round of a case far from its others: the rounds check fires', () => {
  const v = checkInvariants(doctored(1.5, 2));
  assert.deepEqual(v.map((x) => x.check), ['rounds-disagree']);
  assert.match(v[0].text, /round medians 64\.2, 96\.3, 64\.2 ms, 50 % apart, beyond what their sampling noise allows; this run's load/);
  assert.equal(v[0].caseIds.length, 1, 'a run without a load record of its own tasks cannot rule out a busy machine');
});

test('a doctored results file: the report shows the violation at the top, findings say unreliable, '
  + 'compare calls no regression', async () => {
  const dir = writeRun(path.join(tmpDir(), 'busy'), doctored(1.9));
  await writeReport(dir);
  const html = readFileSync(path.join(dir, 'report.html'), 'utf8');
  assert.ok(html.indexOf('id="checks"') < html.indexOf('id="findings"') && html.includes('1 check(s) failed.'));
  assert.ok(!html.includes('the machine was busy'), 'a graph that should match is not a busy machine');
  const findings = JSON.parse(readFileSync(path.join(dir, 'findings.json'), 'utf8')) as Array<{ subject: string; seqLen: number;
    engine: string; unreliable?: string }>;
  const flagged = findings.filter((f) => f.unreliable).map((f) => `${f.subject} ${f.engine} ${f.seqLen}`);
  assert.ok(flagged.includes(`${MERGED} onnx/cpu 1024`) && flagged.includes('SVD r=16 onnx/cpu 1024'), flagged.join('\n'));
  const cmp = compareRuns(fixtureRun(), doctored(1.9), 1.1);
  const merged = cmp.cases.find((c) => c.label === MERGED && c.engine === 'onnx/cpu' && c.seqLen === 1024)!;
  assert.equal(merged.verdict, 'unreliable', 'a 1.9× slower case the run itself flags is not called a regression');
  assert.ok(!cmp.cases.some((c) => c.verdict === 'slower'));
});

test('a subject whose comparisons a check made unreliable says so in its summary', () => {
  const lines = doctored(1.9);
  const found = comparisons(lines, unreliableCases(checkInvariants(lines)));
  const merged = summaries(found).find((x) => x.summary.startsWith(`${MERGED} on onnx/cpu`))!;
  assert.match(merged.summary, /\(1 of 4 comparisons unreliable: see the run's checks\)\.$/);
});

test(`a case beating its engine's measured matmul ceiling by more than ${CEILING_MARGIN}× flags the run, naming both figures`, () => {
  const run = fixtureRun();
  const best = Math.max(...run.flatMap((l) => (l.status === 'ok' && l.mode === 'inference' && l.engine === 'onnx' ? [l.gflops] : [])));
  const roof = (gflops: number) => ({ ceilings: { 'onnx/cpu': { gflops, shape: '[1024×1024]·[1024×1024] float32', medianMs: 1 } } });
  assert.deepEqual(checkInvariants(run, roof(best / CEILING_MARGIN)), [], 'within the margin');
  assert.deepEqual(checkInvariants(run), [], 'a run without a ceiling is not checked against one');
  const v = checkInvariants(run, roof(best / 2));
  assert.ok(v.length > 0 && v.every((x) => x.check === 'above-ceiling' && x.caseIds.length === 0));
  const top = v.find((x) => x.text.includes(`reached ${Number(best.toPrecision(3))} GFLOP/s, 2× the engine's measured matmul ceiling`));
  assert.ok(top, v.map((x) => x.text).join('\n'));
  assert.match(top.text,
    /on \[1024×1024\]·\[1024×1024\] float32\), beyond the 1\.25× noise allows: the ceiling was measured in a busy moment$/);
});

test('a decode step faster than its ideal flags the run, saying the roof it was given was measured low; at its ideal it does not', () => {
  const step = (fraction: number) => ({ msPerStep: 2, tokensPerS: 500, achievedGBs: 10, gflops: 1,
    ideal: { ms: 2 * fraction, fraction, bound: 'bandwidth' as const, bandwidthGBs: 8.4, bandwidthBytes: 128 * 2 ** 20,
      bandwidthMs: 2 * fraction, bandwidthFraction: fraction, matmulGflops: 100 } });
  const line = (fraction: number) => ({ status: 'ok', mode: 'decode', caseId: `full|decode${fraction}`, variant: 'full',
    label: 'full attention', engine: 'onnx', backend: 'cpu', options: {}, shape: { batch: 8, seqLen: 4096, dModel: 512, heads: 8 },
    rounds: [], step: step(fraction) }) as unknown as ResultLine;
  assert.deepEqual(checkInvariants([line(1)]), []);
  const v = checkInvariants([line(1.5)]);
  assert.deepEqual(v.map((x) => [x.check, x.caseIds]), [['above-ideal', []]]);
  assert.equal(v[0].text, 'full attention at N=4096 on onnx/cpu stepped in 2 ms, 1.5× its ideal: the bandwidth roof 8.4 GB/s '
    + '(a streaming read of 128\u202fMiB) it was given was measured low');
});

test('merged LoRA\'s decode step runs full\'s step graph: the same-graph check fires on decode lines as on inference lines', () => {
  const step = (variant: string, median: number) => ({ status: 'ok', mode: 'decode', caseId: `${variant}|decode`, variant,
    label: variant, engine: 'onnx', backend: 'cpu', options: {}, shape: { batch: 1, seqLen: 8192, dModel: 512, heads: 8 },
    ...(variant === 'lora' && { role: 'adapter', sameGraphAs: 'full' }), rounds: roundsAround(median, 0.02),
    step: { msPerStep: median, tokensPerS: 1000 / median, achievedGBs: 1, gflops: 1 } }) as unknown as ResultLine;
  assert.deepEqual(checkInvariants([step('full', 3), step('lora', 3)]), []);
  const v = checkInvariants([step('full', 3), step('lora', 5.7)]);
  assert.deepEqual(v.map((x) => [x.check, x.caseIds]), [['same-graph', ['lora|decode', 'full|decode']]]);
  assert.match(v[0].text, /^lora runs full's graph, yet measured 1\.9× its latency .* at N=8192 on onnx\/cpu: expected no measurable/);
});
