/**
 * A Llama-style grouped-query layer from a file (q_proj, k_proj, v_proj, o_proj; k and v narrower
 * than D) gives what PyTorch computes for such a layer: nn.Linear (x·Wᵀ + b) projections,
 * Hugging Face's repeat_kv (query head h reads K/V head ⌊h / g⌋), softmax(q·kᵀ/√E)·v, causal, then
 * o_proj. The reference is written here in float64 from the file's arrays, independent of src/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEngine, listEngines } from '../../src/engine/resolve.ts';
import { prepareForward } from '../../src/engine/types.ts';
import { relativeError } from '../../src/linalg/dense.ts';
import { inspectWeightsFile, loadWeightsFile } from '../../src/linalg/weights-file.ts';
import { parseSuite, withFileLayer } from '../../src/run/suite.ts';
import { UserError } from '../../src/messages.ts';
import { VARIANTS } from '../../src/variants/index.ts';
import type { AnyVariant, Shape } from '../../src/variants/types.ts';
import { tmpDir } from '../cli/helpers.ts';
import { writeLayerFile, type Tensor } from './layer-files.ts';

const D = 12, H = 4, KV = 2, E = D / H, DKV = KV * E, N = 9;
const dir = tmpDir('attnbench-llama-');
const x = Float32Array.from({ length: N * D }, (_, i) => Math.cos(i * 0.29) * 1.1);

interface LlamaLayer { q: number[]; k: number[]; v: number[]; o: number[]; bq: number[]; bk: number[]; bv: number[]; bo: number[] }

function llamaLayer(seed: number, biases: boolean): LlamaLayer {
  let s = seed;
  const rand = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const draw = (n: number, scale: number) => Array.from({ length: n }, () => Math.fround((rand() * 2 - 1) * scale));
  const bias = (n: number) => (biases ? draw(n, 0.1) : new Array<number>(n).fill(0));
  return { q: draw(D * D, 0.5), k: draw(DKV * D, 0.5), v: draw(DKV * D, 0.5), o: draw(D * D, 0.5),
    bq: bias(D), bk: bias(DKV), bv: bias(DKV), bo: bias(D) };
}

function llamaTensors(l: LlamaLayer, prefix: string, biases: boolean): Record<string, Tensor> {
  const t = (values: number[], shape: number[]): Tensor => ({ values, shape, dtype: 'F32' });
  const p = `${prefix}self_attn.`;
  return {
    [`${p}q_proj.weight`]: t(l.q, [D, D]), [`${p}k_proj.weight`]: t(l.k, [DKV, D]),
    [`${p}v_proj.weight`]: t(l.v, [DKV, D]), [`${p}o_proj.weight`]: t(l.o, [D, D]),
    ...(biases && { [`${p}q_proj.bias`]: t(l.bq, [D]), [`${p}k_proj.bias`]: t(l.bk, [DKV]),
      [`${p}v_proj.bias`]: t(l.bv, [DKV]), [`${p}o_proj.bias`]: t(l.bo, [D]) }),
  };
}

/** nn.Linear: x [n, in] · Wᵀ (W [out, in]) + b. */
const linear = (inp: ArrayLike<number>, W: number[], b: number[], n: number, inW: number, out: number) =>
  Float64Array.from({ length: n * out }, (_, idx) => {
    const i = Math.floor(idx / out), o = idx % out;
    let s = b[o];
    for (let c = 0; c < inW; c++) s += inp[i * inW + c] * W[o * inW + c];
    return s;
  });

/** LlamaAttention's forward (no rotary embedding), causal, in float64. */
function torchLlama(l: LlamaLayer): Float64Array {
  const q = linear(x, l.q, l.bq, N, D, D), k = linear(x, l.k, l.bk, N, D, DKV), v = linear(x, l.v, l.bv, N, D, DKV);
  const heads = new Float64Array(N * D), g = H / KV;
  for (let h = 0; h < H; h++) {
    const kv = Math.floor(h / g); // repeat_kv: K/V head kv serves query heads kv·g … kv·g + g − 1
    for (let i = 0; i < N; i++) {
      const scores = Array.from({ length: i + 1 }, (_, j) => {
        let s = 0;
        for (let e = 0; e < E; e++) s += q[i * D + h * E + e] * k[j * DKV + kv * E + e];
        return s / Math.sqrt(E);
      });
      const max = Math.max(...scores), p = scores.map((s) => Math.exp(s - max)), z = p.reduce((a, b) => a + b, 0);
      for (let e = 0; e < E; e++) heads[i * D + h * E + e] = p.reduce((acc, pj, j) => acc + (pj / z) * v[j * DKV + kv * E + e], 0);
    }
  }
  return linear(heads, l.o, l.bo, N, D, D);
}

const shape: Shape = { batch: 1, seqLen: N, dModel: D, heads: H, kvHeads: KV, causal: true };

for (const biases of [true, false]) {
  test(`a Llama grouped-query layer from a file (${biases ? 'with' : 'without'} biases): full, flash give PyTorch's output`, async () => {
    const layer = llamaLayer(biases ? 5 : 6, biases);
    const file = writeLayerFile(dir, `llama-${biases}`, llamaTensors(layer, 'model.layers.0.', biases), 'safetensors');
    const layout = inspectWeightsFile(file);
    assert.deepEqual([layout.scheme.id, layout.prefix, layout.dModel, layout.kvWidth, layout.biases],
      ['hf-llama', 'model.layers.0.self_attn.', D, DKV, biases]);
    const base = loadWeightsFile(file);
    assert.deepEqual(base.Wk.shape, [D, DKV]);
    const info = (await listEngines()).find((i) => i.id === 'onnx/cpu')!;
    const ref = torchLlama(layer);
    const configurations: Array<[AnyVariant, object]> = [[VARIANTS.full, {}], [VARIANTS.flash, { kernel: 'tiled', tile: 4 }]];
    for (const [v, o] of configurations) {
      const options = v.options.parse(o);
      const prepared = await prepareForward(await createEngine(info), (ops, xx, ww) => v.forward(ops, xx, ww, shape, options), base,
        { data: x, shape: [1, N, D] });
      try {
        assert.ok(relativeError((await prepared.run()).y, ref) < 1e-5, v.name);
      } finally {
        await prepared.dispose();
      }
    }
  });
}

test('a suite on a Llama grouped-query file takes kvHeads from it; a kvHeads that disagrees is refused in one line', () => {
  const file = writeLayerFile(dir, 'llama-suite', llamaTensors(llamaLayer(7, true), '', true), 'safetensors');
  const suite = parseSuite(withFileLayer({ name: 't', variants: [{ name: 'full' }], seqLen: [8], heads: H, weights: { file } }), 't');
  assert.equal(suite.kvHeads, KV);
  assert.throws(() => withFileLayer({ name: 't', variants: [{ name: 'full' }], seqLen: [8], heads: H, kvHeads: 1, weights: { file } }),
    (e: unknown) => e instanceof UserError && /K\/V projections of width 6 \(2 K\/V heads of 3\).*--kv-heads 2/.test((e as Error).message));
});
