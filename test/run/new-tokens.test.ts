/**
 * New tokens per decode step: `newTokens` swept as a suite key and by --new-tokens, a case id suffix
 * S<s> only when s ≠ 1 (so ids of one-token steps stay), swept only for the modes that read it
 * (decode); --plan gives a decode case the FLOPs of its step, not of a forward pass.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bench } from '../../src/cli/bench.ts';
import { describePlan, planCases } from '../../src/run/plan.ts';
import { parseSuite } from '../../src/run/suite.ts';
import type { EngineInfo } from '../../src/results/types.ts';
import { fullDecoder } from '../../src/variants/decode/dense.ts';
import { runInProcess } from '../cli/helpers.ts';

const onnx = { id: 'onnx/cpu', engine: 'onnx', backend: 'cpu' } as EngineInfo;

test('newTokens sweeps decode cases only; ids gain S<s> only when s is not 1', () => {
  const suite = parseSuite({ name: 's', variants: ['full'], seqLen: [16], dModel: 8, heads: 2, newTokens: [1, 3],
    modes: ['inference', 'decode'] }, 's');
  const ids = planCases(suite, [onnx], 'r').map((c) => c.caseId.split('|').slice(1).join('|'));
  assert.deepEqual(ids, ['onnx/cpu|B1N16D8H2', 'onnx/cpu|B1N16D8H2|decode', 'onnx/cpu|B1N16D8H2S3|decode']);
  const planned = describePlan(planCases(suite, [onnx], 'r'), 2 ** 30);
  const step = (s: number) => fullDecoder.flops({ batch: 1, seqLen: 16, dModel: 8, heads: 2, causal: true, newTokens: s }, {});
  assert.deepEqual(planned.slice(1).map((p) => p.flops), [step(1), step(3)]);
  assert.notEqual(planned[0].flops, step(1), 'an inference case keeps its forward pass\'s FLOPs');
});

test('--new-tokens sets the steps\' new tokens; --plan --json lists them with their step FLOPs; a bad value is one line', async () => {
  const args = ['--suite', 'decode', '--variants', 'full', '--seq', '32', '--d-model', '16', '--heads', '2', '--kv-heads', '1',
    '--engine', 'onnx', '--plan', '--json'];
  const r = await runInProcess(bench, [...args, '--new-tokens', '4']);
  assert.equal(r.code, 0, r.stderr);
  const cases = r.stdout.split('\n').map((l) => JSON.parse(l) as { caseId: string; newTokens: number; flops: number });
  assert.deepEqual(cases.map((c) => [c.caseId.split('|').slice(2).join('|'), c.newTokens]), [['B1N32D16H2K1S4|decode', 4]]);
  const shape = { batch: 1, seqLen: 32, dModel: 16, heads: 2, kvHeads: 1, causal: true, newTokens: 4 };
  assert.equal(cases[0].flops, fullDecoder.flops(shape, {}));
  const bad = await runInProcess(bench, [...args, '--new-tokens', '0']);
  assert.deepEqual([bad.code, bad.stderr], [2, 'attnbench: --new-tokens expects positive integers, e.g. 256,1024. Received: 0']);
});
