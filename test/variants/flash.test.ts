/**
 * flash: the tiled kernel never builds an N×N product and, causal, issues only the tiles on and
 * below the diagonal; the kernel is chosen by the engine's declared capability and recorded; on
 * tfjs, where a scope per tile frees its temporaries, its peak memory grows about linearly in N
 * while full's grows about quadratically (tf.profile counts allocations exactly: no timing here).
 */
import { prepareForward } from '../../src/engine/types.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, listEngines } from '../../src/engine/resolve.ts';
import { ONNX_CAPABILITIES } from '../../src/engine/onnx/index.ts';
import { TFJS_CAPABILITIES } from '../../src/engine/tfjs.ts';
import { messages } from '../../src/messages.ts';
import { createRng } from '../../src/linalg/rng.ts';
import { flash } from '../../src/variants/flash.ts';
import { full } from '../../src/variants/full.ts';
import { linformer } from '../../src/variants/linformer.ts';
import { projectionFlops } from '../../src/variants/mha.ts';
import type { AnyVariant, Shape } from '../../src/variants/types.ts';
import { data, hasSquareProduct } from './cases.ts';

const tiled = flash.options.parse({ kernel: 'tiled', tile: 16 });

test('backend=NAME selects one of the engine\'s fused kernels: it means kernel fused, is refused with kernel=tiled, and is a '
  + 'reason on an engine that offers none by name', () => {
  const s: Shape = { batch: 1, seqLen: 32, dModel: 16, heads: 2 }, base = data(s, 'backend').base;
  const o = flash.options.parse({ backend: 'flash' });
  assert.equal(flash.describe(o), 'flash (fused, flash)');
  assert.equal(flash.resolve!(s, o, base, TFJS_CAPABILITIES).kernel, 'fused');
  assert.equal(flash.unsupported!(s, o, ONNX_CAPABILITIES), messages.noAttentionBackend('flash', 'flash', []));
  assert.match(messages.noAttentionBackend('flash', 'flash', []), /this one offers none/);
  assert.equal(flash.unsupported!(s, o, { ...ONNX_CAPABILITIES, attentionBackends: ['flash', 'math'] }), undefined);
  assert.deepEqual(flash.details!(s, flash.resolve!(s, o, base, ONNX_CAPABILITIES), base), { kernel: 'fused', backend: 'flash' });
  const bad = flash.options.safeParse({ kernel: 'tiled', backend: 'math' });
  assert.ok(!bad.success && bad.error.issues[0].message === messages.backendNeedsFused());
  assert.equal(flash.describe(flash.options.parse({})), 'flash (engine\'s kernel, tile 256)', 'auto keeps the old label and case ids');
});

test('tiled flash never issues an N×N product; full does', () => {
  for (const causal of [false, true]) {
    const s: Shape = { batch: 2, seqLen: 70, dModel: 16, heads: 2, causal };
    assert.equal(hasSquareProduct(flash, s, tiled), false);
    assert.equal(hasSquareProduct(full, s, {}), true);
  }
});

test('causal tiled flash counts only the tiles on and below the diagonal; fused and dense count all N² scores', () => {
  const s: Shape = { batch: 1, seqLen: 64, dModel: 32, heads: 4, causal: true };
  const core = 4 * s.batch * s.seqLen ** 2 * s.dModel, projections = 4 * projectionFlops(s);
  // 4 tiles of 16: 10 of the 16 tile pairs are visited.
  assert.equal(flash.flops(s, tiled), projections + (core * 10) / 16);
  assert.equal(flash.flops({ ...s, causal: false }, tiled), projections + core);
  assert.equal(flash.flops(s, flash.options.parse({ kernel: 'fused' })), full.flops(s, {}));
  assert.equal(full.flops(s, {}), projections + core);
});

test('kernel auto resolves to the engine\'s fused kernel where declared, else tiled; a fused kernel the engine lacks is a reason', () => {
  const s: Shape = { batch: 1, seqLen: 32, dModel: 16, heads: 2 };
  const auto = flash.options.parse({}), base = data(s, 'kernel').base;
  assert.equal(flash.resolve!(s, auto, base, ONNX_CAPABILITIES).kernel, 'fused');
  assert.equal(flash.resolve!(s, auto, base, TFJS_CAPABILITIES).kernel, 'tiled');
  const fused = flash.options.parse({ kernel: 'fused' });
  assert.equal(flash.unsupported!(s, fused, TFJS_CAPABILITIES), messages.noFusedKernel('flash'));
  assert.equal(flash.unsupported!(s, fused, ONNX_CAPABILITIES), undefined);
  assert.deepEqual(flash.details!(s, flash.resolve!(s, auto, base, TFJS_CAPABILITIES), base), { kernel: 'tiled', tile: 256 });
  assert.equal(linformer.unsupported!({ ...s, causal: true }, linformer.options.parse({}), ONNX_CAPABILITIES), messages.causalLinformer());
  assert.equal(linformer.unsupported!(s, linformer.options.parse({}), ONNX_CAPABILITIES), undefined);
});

const tfjsCpu = (await listEngines()).find((e) => e.id === 'tfjs/cpu' && e.available);

async function peakBytes(v: AnyVariant, s: Shape, o: object): Promise<number> {
  const { base, x } = data(s, 'memory');
  const engine = await createEngine(tfjsCpu!);
  const p = await prepareForward(engine, (ops, xx, ww) => v.forward(ops, xx, ww, s, o), v.init(s, o, createRng('i'), base), x);
  try {
    return (await p.peakMemory()).peakBytes;
  } finally {
    await p.dispose();
  }
}

test('tfjs: tiled flash peak memory grows about 2× per doubling of N, full\'s about 4×', { skip: !tfjsCpu && 'no tfjs/cpu' }, async () => {
  const o = flash.options.parse({ kernel: 'tiled', tile: 32 });
  const at = (n: number): Shape => ({ batch: 1, seqLen: n, dModel: 32, heads: 4 });
  const flashGrowth = (await peakBytes(flash, at(512), o)) / (await peakBytes(flash, at(256), o));
  const fullGrowth = (await peakBytes(full, at(512), {})) / (await peakBytes(full, at(256), {}));
  assert.ok(flashGrowth > 1.5 && flashGrowth < 2.5, `flash grew ${flashGrowth}×`);
  // Full holds two N² tensors at its peak (scores, probabilities; the scale is on q) beside O(N·D) ones: 3.4× measured.
  assert.ok(fullGrowth > 3, `full grew ${fullGrowth}×`);
});
