/**
 * Registry-driven conformance (as xformers' test_attentions.py): every variant × every engine
 * present here matches the float64 reference of its own pattern on fresh inputs; its parameter
 * formula matches the weights it holds; its FLOP formula matches the products its forward issues.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { matMulFlops, recordMatMuls } from '../../src/engine/flop-recorder.ts';
import { listEngines } from '../../src/engine/resolve.ts';
import { relativeError } from '../../src/linalg/dense.ts';
import { createRng } from '../../src/linalg/rng.ts';
import { countParams } from '../../src/variants/types.ts';
import { RECORDER_CAPABILITIES, SHAPES, data, label, onEngine, runForward, variantCases } from './cases.ts';

const TOLERANCE = 1e-4;
// torch/cpu is one of the engines where Debian's torch is (python3-torch for /usr/bin/python3), as in test/engine/torch.test.ts.
if (!process.env.ATTNBENCH_PYTHON && existsSync('/usr/bin/python3')) process.env.ATTNBENCH_PYTHON = '/usr/bin/python3';
const engines = (await listEngines()).filter((e) => e.available);
const rows = (n: number) => [...Array(n).keys()];

for (const info of engines) {
  test(`every variant matches its float64 reference on ${info.id}`, async () => {
    let skipped = 0;
    for (const c of variantCases()) {
      for (const s of SHAPES) {
        const { base, x } = data(s, `conformance:${info.id}:${label(c, s)}`);
        const run = onEngine(c, s, base, info.capabilities);
        if ('skipped' in run) {
          skipped++;
          continue;
        }
        const w = c.variant.init(s, run.options, createRng('init'), base);
        const y = await runForward(info, c.variant, s, run.options, w, x);
        const err = relativeError(y, c.variant.reference(s, run.options, x.data, w, rows(s.seqLen)));
        assert.ok(err < TOLERANCE, `${label(c, s)} on ${info.id}: relative error ${err}`);
      }
    }
    // Only the cases that say why: linformer's (every option set × the causal shapes), the fused kernel where there is none,
    // and the yardstick's modules: on the grouped-query shapes, and on every shape where the engine lacks the module.
    const causalShapes = SHAPES.filter((s) => s.causal).length, linformers = variantCases().filter((c) => c.name === 'linformer').length;
    const grouped = SHAPES.filter((s) => s.kvHeads !== undefined).length, modules = info.capabilities?.attentionModules ?? [];
    const yardsticks = variantCases().filter((c) => c.name === 'yardstick').map((c) => (c.options as { module: string }).module)
      .reduce((n, m) => n + ((m === 'auto' ? modules.length > 0 : modules.includes(m)) ? grouped : SHAPES.length), 0);
    assert.equal(skipped, linformers * causalShapes + (info.capabilities?.fusedAttention ? 0 : SHAPES.length) + yardsticks);
  });
}

test('params().inference equals the weights init returns; total = trainable + frozen ≥ inference', () => {
  for (const c of variantCases()) {
    for (const s of SHAPES) {
      const w = c.variant.init(s, c.options, createRng('init'), data(s, 'params').base);
      const p = c.variant.params(s, c.options);
      assert.equal(countParams(w), p.inference, label(c, s));
      assert.ok(p.trainable <= p.total && p.inference <= p.total, label(c, s));
    }
  }
});

test('params().trainable equals the elements of the weights trainable() names (absent: every weight)', () => {
  for (const c of variantCases()) {
    for (const s of SHAPES) {
      const w = c.variant.init(s, c.options, createRng('init'), data(s, 'trainable').base);
      const names = c.variant.trainable ? c.variant.trainable(s, c.options) : Object.keys(w);
      const elements = names.reduce((n: number, name: string) => n + w[name].data.length, 0);
      assert.equal(c.variant.params(s, c.options).trainable, elements, label(c, s));
    }
  }
});

test('flops() equals 2·Σ batch·m·k·n over the products the forward issues', () => {
  const wide = { batch: 2, seqLen: 70, dModel: 16, heads: 2 }, wideCausal = { ...wide, causal: true };
  const wideGrouped = { batch: 2, seqLen: 70, dModel: 32, heads: 4, kvHeads: 2, causal: true };
  for (const c of variantCases()) {
    for (const s of [...SHAPES, wide, wideCausal, wideGrouped]) {
      const { base } = data(s, 'flops');
      const run = onEngine(c, s, base, RECORDER_CAPABILITIES);
      if ('skipped' in run) continue;
      const w = c.variant.init(s, run.options, createRng('init'), base);
      const { matMuls } = recordMatMuls((ops, x, ww) => c.variant.forward(ops, x, ww, s, run.options), w, [s.batch, s.seqLen, s.dModel]);
      assert.equal(c.variant.flops(s, run.options), matMulFlops(matMuls), label(c, s));
    }
  }
});

test('memory() is a positive whole number of float32 values', () => {
  for (const c of variantCases()) {
    for (const s of SHAPES) {
      const bytes = c.variant.memory(s, c.options);
      assert.ok(bytes > 0 && Number.isInteger(bytes / 4), label(c, s));
    }
  }
});
