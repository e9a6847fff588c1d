/**
 * Half precision in a suite (issue 22 point 5): the dtype is a shape field swept as a list, a case-id
 * suffix and a label only when not float32 (old ids stay); a case whose engine lacks the dtype is a
 * skipped line with the engine's reason; values are rounded to the dtype as torch rounds them, memory
 * models count the dtype's bytes, and the accuracy tolerance follows the unit roundoff.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roundedTo } from '../../src/linalg/dtype.ts';
import { IMPLEMENTATION_TOLERANCE, implementationError, toleranceOf } from '../../src/measure/accuracy.ts';
import { caseData } from '../../src/measure/case.ts';
import { UserError } from '../../src/messages.ts';
import { planCases, shapesOf, unsupported } from '../../src/run/plan.ts';
import { parseSuite } from '../../src/run/suite.ts';
import type { EngineInfo } from '../../src/results/types.ts';
import { UNIT_ROUNDOFF } from '../../src/results/dtype.ts';
import { memoryInDtype } from '../../src/variants/analytic.ts';
import { full } from '../../src/variants/full.ts';
import { dtypeList } from '../../src/cli/format.ts';

const onnx = { id: 'onnx/cpu', engine: 'onnx', backend: 'cpu', capabilities: { gradients: false, memorySource: 'rss' } } as EngineInfo;
const torch = { id: 'torch/cpu', engine: 'torch', backend: 'cpu', capabilities: { gradients: false, memorySource: 'rss',
  dtypes: ['float32', 'bfloat16'], dtypeReasons: { float16: 'RuntimeError: "addmm_impl_cpu_" not implemented for \'Half\'' } },
} as EngineInfo;

test('dtype sweeps; case ids and labels name it only when not float32', () => {
  const suite = parseSuite({ name: 's', variants: ['full'], seqLen: [64], dModel: 64, heads: 8, dtype: ['float32', 'bfloat16'] }, 's');
  assert.deepEqual(shapesOf(suite).map((s) => s.dtype), [undefined, 'bfloat16']);
  const cases = planCases(suite, [torch], 'r');
  assert.deepEqual(cases.map((c) => c.caseId),
    ['full attention|torch/cpu|B1N64D64H8', 'full attention · bfloat16|torch/cpu|B1N64D64H8bf16']);
  const plain = parseSuite({ name: 's', variants: ['full'], seqLen: [64], dModel: 64, heads: 8 }, 's');
  assert.deepEqual(shapesOf(plain).map((s) => 'dtype' in s), [false], 'absent = float32, no key');
  assert.throws(() => parseSuite({ name: 's', variants: ['full'], seqLen: [64], dtype: 'float8' }, 's'), UserError);
});

test('--dtype takes a comma-separated list of the dtypes, and says what it accepts otherwise', () => {
  assert.deepEqual(dtypeList('float32,bfloat16'), ['float32', 'bfloat16']);
  assert.throws(() => dtypeList('float32,half'), (e: unknown) => e instanceof UserError && (e as Error).message
    === '--dtype expects one or more of float32, bfloat16, float16, comma-separated, e.g. float32,bfloat16. Received: float32,half');
});

test('a case in a dtype its engine lacks is skipped with the engine\'s reason; float32 everywhere, absent dtypes = float32 only', () => {
  const suite = parseSuite({ name: 's', variants: ['full'], seqLen: [64], dModel: 64, heads: 8, dtype: ['float32', 'bfloat16', 'float16'] },
    's');
  const why = planCases(suite, [onnx, torch], 'r').map((c) => [c.engine.id, c.shape.dtype ?? 'float32', unsupported(c) ?? 'runs']);
  assert.deepEqual(why, [
    ['onnx/cpu', 'float32', 'runs'], ['torch/cpu', 'float32', 'runs'],
    ['onnx/cpu', 'bfloat16', 'onnx/cpu does not compute in bfloat16; it computes in float32'], ['torch/cpu', 'bfloat16', 'runs'],
    ['onnx/cpu', 'float16', 'onnx/cpu does not compute in float16; it computes in float32'],
    ['torch/cpu', 'float16', 'torch/cpu does not compute in float16 (RuntimeError: "addmm_impl_cpu_" not implemented for \'Half\'); '
      + 'it computes in float32, bfloat16'],
  ]);
});

test('rounding to bfloat16 and float16 gives torch\'s values: nearest, ties to even, overflow to Infinity', () => {
  const xs = Float32Array.from([1, 1.00390625, 1.005859375, 3.14159, -2.71828, 1e-6, 65504, 70000, 1e-8, 0.1]);
  // torch.tensor(xs).bfloat16().float() and .half().float(), torch 1.13
  assert.deepEqual([...roundedTo(xs, 'bfloat16')], [1, 1, 1.0078125, 3.140625, -2.71875, 9.98377799987793e-7, 65536, 70144,
    1.0011717677116394e-8, 0.10009765625]);
  assert.deepEqual([...roundedTo(xs, 'float16')], [1, 1.00390625, 1.005859375, 3.140625, -2.71875, 0.0000010132789611816406, 65504,
    Infinity, 0, 0.0999755859375]);
  assert.equal(roundedTo(xs, 'float32'), xs, 'float32: the same array');
  const s = { batch: 1, seqLen: 8, dModel: 16, heads: 2, dtype: 'bfloat16' as const };
  const { base, x } = caseData({ seed: 1, shape: s, weights: { init: 'gaussian' } });
  for (const t of [x, base.Wq, base.bo]) assert.deepEqual(roundedTo(t.data, 'bfloat16'), t.data, 'a case\'s data is already rounded');
});

test('memory models count the dtype\'s bytes; the tolerance is 16 unit roundoffs, float32 staying at 1e-4', () => {
  const s = { batch: 1, seqLen: 128, dModel: 64, heads: 4 };
  assert.equal(memoryInDtype(full, { ...s, dtype: 'bfloat16' }, {}) * 2, memoryInDtype(full, s, {}));
  assert.equal(memoryInDtype(full, s, {}), full.memory(s, {}));
  assert.equal(toleranceOf('float32'), IMPLEMENTATION_TOLERANCE);
  assert.equal(toleranceOf('bfloat16'), 16 * UNIT_ROUNDOFF.bfloat16);
  assert.equal(toleranceOf('bfloat16'), 0.0625);
  assert.equal(toleranceOf('float16'), 16 * 2 ** -11);
  const a = { relErr: 0.01, relErrVsFull: 0.01, reference: 'float64 full reference, all rows of each batch entry' };
  assert.equal(implementationError(a, 'bfloat16'), undefined);
  assert.equal(implementationError(a, 'float16'), 'relative error 1.00e-2 vs its own float64 reference exceeds the float16 tolerance '
    + '0.00781 (float64 full reference, all rows of each batch entry)');
});
