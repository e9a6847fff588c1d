import { test } from 'node:test';
import { prepareForward } from '../../src/engine/types.ts';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createEngine, listEngines } from '../../src/engine/resolve.ts';
import { relativeError } from '../../src/linalg/dense.ts';
import { inspectWeightsFile, loadWeightsFile } from '../../src/linalg/weights-file.ts';
import { openTensorFile } from '../../src/linalg/tensor-file.ts';
import { UserError } from '../../src/messages.ts';
import { full } from '../../src/variants/full.ts';
import { tmpDir } from '../cli/helpers.ts';
import { safetensorsBytes, schemeTensors, torchAttention, torchLayer, writeLayerFile, type Dtype, type Format,
  type SchemeId } from './layer-files.ts';

const D = 12, H = 3, N = 7;
const dir = tmpDir('attnbench-weights-');
const x = Float32Array.from({ length: N * D }, (_, i) => Math.sin(i * 0.37) * 1.3);

/** full's output on an engine for the weights in `file`, against nn.MultiheadAttention in float64 from the layer's arrays. */
async function fullVsTorch(file: string, layer: ReturnType<typeof torchLayer>, prefix = ''): Promise<number> {
  const base = loadWeightsFile(file, prefix), shape = { batch: 1, seqLen: N, dModel: D, heads: H };
  const info = (await listEngines()).find((i) => i.id === 'onnx/cpu')!;
  const prepared = await prepareForward(await createEngine(info), (ops, xx, ww) => full.forward(ops, xx, ww, shape, {}), base,
    { data: x, shape: [1, N, D] });
  try {
    return relativeError((await prepared.run()).y, torchAttention(layer, x, N, H));
  } finally {
    await prepared.dispose();
  }
}

const cases: Array<[SchemeId, Format, Dtype]> = [
  ['pytorch-mha', 'safetensors', 'F32'], ['pytorch-mha', 'safetensors', 'F16'], ['pytorch-mha', 'npz', 'F32'],
  ['hf-bert', 'safetensors', 'BF16'], ['hf-bert', 'npy folder', 'F16'], ['hf-bert', 'npz', 'F64'],
  ['hf-gpt2', 'safetensors', 'F32'], ['hf-gpt2', 'npy folder', 'F32'], ['hf-gpt2', 'safetensors', 'F16'],
  ['attnbench', 'safetensors', 'F64'], ['attnbench', 'npz', 'F16'], ['attnbench', 'safetensors', 'BF16'],
];

for (const [scheme, format, dtype] of cases) {
  test(`${scheme} names, ${format}, ${dtype}: full's output matches nn.MultiheadAttention on the file's arrays`, async () => {
    const layer = torchLayer(D, dtype, cases.findIndex((c) => c[0] === scheme && c[1] === format && c[2] === dtype) + 3);
    const file = writeLayerFile(dir, `${scheme}-${format.replace(' ', '-')}-${dtype}`, schemeTensors(layer, scheme, dtype), format);
    const layout = inspectWeightsFile(file);
    assert.equal(layout.scheme.id, scheme);
    assert.equal(layout.dModel, D);
    assert.equal(layout.biases, true);
    assert.ok(await fullVsTorch(file, layer) < 1e-5);
  });
}

test('orientation: PyTorch [out, in] weights are transposed to x·W, GPT-2 Conv1D [in, out] are not', () => {
  const layer = torchLayer(D, 'F32', 9);
  for (const scheme of ['pytorch-mha', 'hf-bert', 'hf-gpt2', 'attnbench'] as const) {
    const base = loadWeightsFile(writeLayerFile(dir, `orient-${scheme}`, schemeTensors(layer, scheme, 'F32'), 'safetensors'));
    for (const [p, torch] of [['q', layer.Wq], ['k', layer.Wk], ['v', layer.Wv], ['o', layer.Wo]] as const) {
      const W = base[`W${p}`].data; // W[i][j] (in i, out j) = torch[j][i]
      assert.equal(W[1 * D + 2], torch[2 * D + 1], `${scheme} W${p}[1][2]`);
      assert.equal(W[5 * D + 0], torch[0 * D + 5], `${scheme} W${p}[5][0]`);
    }
    assert.deepEqual(Array.from(base.bk.data), layer.bk.map(Math.fround));
  }
});

test('a layer prefix: given, or found when the file holds one layer; several layers need --weights-prefix', async () => {
  const layer = torchLayer(D, 'F32', 11);
  const one = writeLayerFile(dir, 'one-layer', { ...schemeTensors(layer, 'hf-bert', 'F32', 'bert.encoder.layer.3.'),
    'bert.embeddings.word_embeddings.weight': { values: [1, 2, 3, 4], shape: [2, 2], dtype: 'F32' } }, 'safetensors');
  assert.equal(inspectWeightsFile(one).prefix, 'bert.encoder.layer.3.');
  assert.ok(await fullVsTorch(one, layer) < 1e-5);
  const other = torchLayer(D, 'F32', 12);
  const two = writeLayerFile(dir, 'two-layers', { ...schemeTensors(other, 'hf-gpt2', 'F32', 'h.0.'),
    ...schemeTensors(layer, 'hf-gpt2', 'F32', 'h.1.') }, 'safetensors');
  assert.throws(() => inspectWeightsFile(two),
    (e: Error) => e instanceof UserError && /2 attention layers.*'h\.0\.', 'h\.1\.'/.test(e.message));
  assert.ok(await fullVsTorch(two, layer, 'h.1.') < 1e-5);
  assert.throws(() => inspectWeightsFile(two, 'h.7.'), /no attention layer under the prefix 'h\.7\.'/);
});

test('a layer without biases (bias=False) reads zeros and says so; some biases without the others is an error', async () => {
  const layer = torchLayer(D, 'F32', 13);
  const zeros = { ...layer, bq: Array(D).fill(0), bk: Array(D).fill(0), bv: Array(D).fill(0), bo: Array(D).fill(0) };
  const file = writeLayerFile(dir, 'no-bias', schemeTensors(layer, 'pytorch-mha', 'F32', '', false), 'safetensors');
  assert.equal(inspectWeightsFile(file).biases, false);
  assert.ok(await fullVsTorch(file, zeros) < 1e-5);
  const tensors = schemeTensors(layer, 'pytorch-mha', 'F32');
  delete tensors['out_proj.bias'];
  const partial = writeLayerFile(dir, 'some-bias', tensors, 'safetensors');
  assert.throws(() => inspectWeightsFile(partial), /tensor out_proj\.bias \(bo, PyTorch nn\.MultiheadAttention names\) is missing/);
});

/** The one-line message a bad file gives, or a failure when it loads. */
function problemOf(write: (file: string) => void, name = 'bad.safetensors'): string {
  const file = path.join(dir, name);
  write(file);
  try {
    loadWeightsFile(file);
  } catch (e) {
    assert.ok(e instanceof UserError, `a UserError, not ${(e as Error).stack}`);
    assert.doesNotMatch(e.message, /\n/);
    return e.message;
  }
  throw new Error(`${name} loaded`);
}

test('bad files: truncated, malformed, unknown dtype, misshapen or missing tensors — each one line, never a wrong load', () => {
  const good = safetensorsBytes(schemeTensors(torchLayer(D, 'F32', 14), 'pytorch-mha', 'F32'));
  assert.match(problemOf((f) => writeFileSync(f, good.subarray(0, good.length - 4))),
    /lie beyond the file's .* data bytes \(truncated\?\)/);
  assert.match(problemOf((f) => writeFileSync(f, good.subarray(0, 6))), /shorter than the 8-byte header length/);
  assert.match(problemOf((f) => writeFileSync(f, good.subarray(0, 40))), /header length \d+ exceeds the file's 40 bytes/);
  const badJson = Buffer.from(good);
  badJson[8] = 0x5b; // '[' where '{' was: a header that is not one JSON object
  assert.match(problemOf((f) => writeFileSync(f, badJson)), /header is not JSON|not a list of sizes|data_offsets/);
  const ints = safetensorsBytes({ in_proj_weight: { values: [], shape: [0], dtype: 'F32' } });
  const i8 = Buffer.from(Buffer.from(ints).toString('latin1').replace('"F32"', '"I8" '), 'latin1');
  assert.match(problemOf((f) => writeFileSync(f, i8)), /tensor in_proj_weight has dtype I8; accepted: F32, F16, BF16, F64/);
  const misshapen = schemeTensors(torchLayer(D, 'F32', 15), 'pytorch-mha', 'F32');
  misshapen['out_proj.weight'] = { values: Array(D * (D + 1)).fill(0.5), shape: [D, D + 1], dtype: 'F32' };
  assert.match(problemOf((f) => writeFileSync(f, safetensorsBytes(misshapen))),
    new RegExp(`tensor out_proj.weight has shape \\[${D}, ${D + 1}\\]; expected \\[${D}, ${D}\\] \\(D = ${D}, from in_proj_weight\\)`));
  const missing = schemeTensors(torchLayer(D, 'F32', 16), 'hf-bert', 'F32');
  delete missing['attention.self.value.weight'];
  assert.match(problemOf((f) => writeFileSync(f, safetensorsBytes(missing))),
    /attention\.self\.value\.weight \(Wv, Hugging Face BERT names\) is missing/);
  assert.match(problemOf((f) => writeFileSync(f, safetensorsBytes({ 'lm_head.weight': { values: [1], shape: [1], dtype: 'F32' } }))),
    /no attention layer: expected one of in_proj_weight .*; the file holds lm_head\.weight/);
  assert.match(problemOf((f) => writeFileSync(f, 'PK not a zip'), 'bad.npz'), /not a valid npz \(zip\) file/);
  assert.match(problemOf((f) => writeFileSync(f, 'x'), 'weights.bin'), /--weights expects a \.safetensors file, a \.npz file or a folder/);
  assert.match(problemOf(() => undefined, 'absent.safetensors'), /absent\.safetensors, which does not exist/);
});

test('bad .npy files: truncated data, Fortran order, big-endian or integer dtypes', () => {
  const folder = writeLayerFile(dir, 'npy-bad', schemeTensors(torchLayer(D, 'F32', 17), 'attnbench', 'F32'), 'npy folder');
  const wq = path.join(folder, 'Wq.npy');
  const bytes = Buffer.from(openTensorFile(folder).read('Wq').buffer); // the data only
  const header = Buffer.from(`\x93NUMPY\x01\x00`, 'latin1');
  const dict = (descr: string, fortran = 'False') => {
    const text = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': (${D}, ${D}), }`.padEnd(117) + '\n';
    const len = Buffer.alloc(2);
    len.writeUInt16LE(text.length);
    return Buffer.concat([header, len, Buffer.from(text, 'latin1')]);
  };
  const attempt = (content: Buffer) => {
    writeFileSync(wq, content);
    try {
      inspectWeightsFile(folder);
      return 'loaded';
    } catch (e) {
      assert.ok(e instanceof UserError, (e as Error).stack);
      return e.message;
    }
  };
  assert.equal(attempt(Buffer.concat([dict('<f4'), bytes])), 'loaded');
  assert.match(attempt(Buffer.concat([dict('<f4'), bytes.subarray(0, bytes.length - 8)])),
    /Wq\.npy: not a valid \.npy file: \d+ bytes for shape \[12,12\]/);
  assert.match(attempt(Buffer.concat([dict('<f4', 'True'), bytes])), /Fortran order/);
  assert.match(attempt(Buffer.concat([dict('>f4'), bytes])), /Unsupported dtype: >f4|dtype/);
  assert.match(attempt(Buffer.concat([dict('<i4'), bytes])), /tensor Wq has dtype i4; accepted: f4, f2, f8/);
});
