/**
 * The command line speaks the user's model: shape flags, variant options inline, help that lists
 * what exists, JSON lines out; a configuration from the command line plans exactly the cases the
 * same configuration in a suite file plans.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseVariantsFlag } from '../../src/cli/variants-flag.ts';
import { messages, UserError } from '../../src/messages.ts';
import { planCases, shapesOf } from '../../src/run/plan.ts';
import { parseSuite } from '../../src/run/suite.ts';
import type { EngineInfo } from '../../src/results/types.ts';
import { cliRun, npmRun, tmpDir } from './helpers.ts';

const onnx = { id: 'onnx/cpu', engine: 'onnx', backend: 'cpu' } as EngineInfo;

test('inline options: names, booleans, numbers, lists; the same variant with several option sets', () => {
  assert.deepEqual(parseVariantsFlag('full,lora:rank=16:merged=true,svd:energy=0.9,lora:rank=4:targets=q+k+v,sparse-window:window=512'), [
    'full', { name: 'lora', options: { rank: 16, merged: true } }, { name: 'svd', options: { energy: 0.9 } },
    { name: 'lora', options: { rank: 4, targets: ['q', 'k', 'v'] } }, { name: 'sparse-window', options: { window: 512 } }]);
  assert.deepEqual(parseVariantsFlag('linformer:projection=identity:k=1e3'),
    [{ name: 'linformer', options: { projection: 'identity', k: 1000 } }]);
  const error = (v: string) => { try { parseVariantsFlag(v); } catch (e) { if (e instanceof UserError) return e.message; } return ''; };
  assert.match(error('full,,lora'), /^--variants: configuration 2 is empty; .* Received: full,,lora$/);
  assert.match(error('full,lora,'), /configuration 3 is empty/);
  assert.match(error('lora:rank'), /^--variants: configuration 1 has 'rank': options are key=value after the name/);
  assert.match(error('lora:=3'), /has '=3'/);
  assert.match(error('lora:targets=q++v'), /has 'targets=q\+\+v'/);
  assert.match(error('lora:rank=2:rank=3'), /configuration 1 sets option rank twice/);
});

test('a configuration from the command line plans the same cases as the same one in a suite file', () => {
  const base = { name: 's', seqLen: [64, 128], dModel: 64, heads: 4 };
  const cli = parseSuite({ ...base, variants: parseVariantsFlag('full,lora:rank=16:merged=true:targets=q+k+v,sparse-window:window=32') },
    'cli');
  const file = parseSuite(JSON.parse(JSON.stringify({ ...base, variants: ['full', { name: 'lora', options: { targets: ['q', 'k', 'v'],
    merged: true, rank: 16 } }, { name: 'sparse-window', options: { window: 32 } }] })), 'file');
  const ids = (s: typeof cli) => planCases(s, [onnx], 'r').map((c) => c.caseId);
  assert.deepEqual(ids(cli), ids(file));
  assert.ok(ids(cli).includes('LoRA r=16 α=16 on q,k,v (merged)|onnx/cpu|B1N64D64H4'));
});

test('shape lists: every batch × width × heads × N is swept, labels name the shape, heads must divide every width', () => {
  const suite = parseSuite({ name: 's', variants: ['full'], seqLen: [64, 128], dModel: [64, 96], heads: [4, 8], batch: 2 }, 's');
  assert.equal(shapesOf(suite).length, 2 * 2 * 2);
  const ids = planCases(suite, [onnx], 'r').map((c) => c.caseId);
  assert.ok(ids.includes('full attention · D=96 H=8 B=2|onnx/cpu|B2N128D96H8'), ids.join('\n'));
  assert.throws(() => parseSuite({ ...suite, heads: [4, 5] }, 'x'),
    /heads: dModel must be a multiple of heads \(dModel 64, heads 5\)/);
  const one = planCases(parseSuite({ name: 's', variants: ['full'], seqLen: [64], dModel: [64], heads: 4 }, 's'), [onnx], 'r');
  assert.deepEqual(one.map((c) => c.caseId), ['full attention|onnx/cpu|B1N64D64H4'], 'one shape: labels and case ids as before');
});

test('causal: a suite sweeps causal and/or bidirectional shapes; causal case ids and labels differ, the others stay as they were', () => {
  const both = parseSuite({ name: 's', variants: ['full'], seqLen: [64], dModel: 64, heads: 4, causal: [false, true] }, 's');
  const shape = { batch: 1, seqLen: 64, dModel: 64, heads: 4 };
  assert.deepEqual(shapesOf(both), [shape, { ...shape, causal: true }]);
  const cases = planCases(both, [onnx], 'r');
  assert.deepEqual(cases.map((c) => c.caseId), ['full attention|onnx/cpu|B1N64D64H4', 'full attention · causal|onnx/cpu|B1N64D64H4c']);
  assert.deepEqual(cases.map((c) => c.shape.causal), [undefined, true]);
  assert.throws(() => parseSuite({ ...both, causal: 'yes' }, 'x'), /causal/);
});

/**
 * One real sweep for the two tests below: flags over a built-in suite (its variants, shapes and
 * engines replaced), every case causal, the final table as JSON lines. Two head counts, so each
 * configuration runs twice and the labels name the shape.
 */
let swept: { r: ReturnType<typeof cliRun>; out: string } | undefined;
function causalJsonSweep() {
  if (swept) return swept;
  const out = path.join(tmpDir(), 'causal-json');
  const r = cliRun('bench', ['--suite', 'quick', '--variants',
    'full,lora:rank=2:merged=true,linformer:k=8,flash:kernel=tiled:tile=8,flash:kernel=fused', '--seq', '24', '--d-model', '16',
    '--heads', '2,4', '--engine', 'onnx', '--causal', '--rounds', '1', '--time', '20', '--json', '--no-report', '--no-ceilings',
    '--out', out], 120_000);
  assert.equal(r.code, 0, r.stderr);
  return (swept = { r, out });
}

test('--causal: a causal linformer is a skipped line with its reason; full and flash (tiled and fused) run causal and exact', () => {
  const { out } = causalJsonSweep();
  const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const by = (v: string, kernel?: string) => lines.filter((l) => l.variant === v && (!kernel || l.options.kernel === kernel));
  assert.equal(lines.length, 5 * 2);
  assert.ok(lines.every((l) => l.shape.causal === true && l.caseId.endsWith('c')), 'every case causal');
  for (const l of by('linformer')) assert.deepEqual([l.status, l.reason], ['skipped', messages.causalLinformer()]);
  for (const ok of [...by('full'), ...by('lora'), ...by('flash')]) {
    assert.equal(ok.status, 'ok', ok.reason);
    assert.ok(ok.accuracy.relErr < 1e-4, `${ok.label}: ${ok.accuracy.relErr}`);
    assert.match(ok.label, / · causal$/);
  }
  assert.deepEqual([...by('flash', 'tiled'), ...by('flash', 'fused')].map((l) => l.details),
    [{ kernel: 'tiled', tile: 8 }, { kernel: 'tiled', tile: 8 }, { kernel: 'fused' }, { kernel: 'fused' }]);
});

test('--help lists every built-in suite with its description and ends with five worked examples; --list shows the syntax', () => {
  const help = npmRun('bench', ['--help']);
  assert.equal(help.code, 0, help.stderr);
  const suites = [['default', 'Every attention variant'], ['efficiency', 'Measured speed-up vs analytic FLOP'], ['quick', 'Smoke suite'],
    ['training', 'One training step'], ['flash', 'Exact attention three ways'], ['long-context', 'Long sequences'],
    ['decode', 'Decode steps']];
  for (const [name, words] of suites) assert.match(help.stdout, new RegExp(`\\n  ${name} +${words}`));
  assert.equal(help.stdout.match(/\n {2}npm run bench -- /g)?.length, 5);
  assert.match(help.stdout, /--mode <list> +what each case measures, from the mode registry:\s+inference, train, decode/);
  assert.match(help.stdout, /--d-model <list>[\s\S]*--heads <list>[\s\S]*--batch <list>[\s\S]*--causal[\s\S]*--json/);
  const list = cliRun('bench', ['--list']);
  assert.match(list.stdout, /--variants name\[:key=value…\],…/);
  assert.match(list.stdout, /inline: lora:rank=8:alpha=16:targets=q\+v:merged=false/);
  assert.equal(list.stdout.match(/\n {2}inline: /g)?.length, 8, 'an inline example per variant');
});

test('--json: the final table as JSON lines on stdout, progress on stderr; shape flags recorded in run.json', () => {
  const { r, out } = causalJsonSweep();
  const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(rows.length, 5 * 2, 'five configurations × two head counts');
  for (const row of rows) {
    assert.equal(row.status, row.variant === 'linformer' ? 'skipped' : 'ok', row.reason);
    assert.deepEqual([row.engine, row.seqLen, row.dModel], ['onnx/cpu', 24, 16]);
    if (row.status === 'ok') assert.deepEqual([typeof row.medianMs, row.rounds], ['number', 1]);
  }
  assert.deepEqual(rows.map((x) => x.heads).sort(), [2, 2, 2, 2, 2, 4, 4, 4, 4, 4]);
  assert.match(r.stderr, /\[1\/\d+\] .* checks …/, 'progress on stderr');
  const meta = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
  assert.deepEqual([meta.suite.name, meta.suite.dModel, meta.suite.heads, meta.suite.timing.rounds, meta.suite.causal],
    ['quick', 16, [2, 4], 1, true]);
  assert.deepEqual(meta.ceilings, {}, '--no-ceilings: no matmul ceiling measured');
});
