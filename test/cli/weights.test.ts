import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dump, parse } from 'npyjs';
import { relativeError } from '../../src/linalg/dense.ts';
import { safetensorsBytes, schemeTensors, torchAttention, torchLayer, writeLayerFile } from '../linalg/layer-files.ts';
import { attend } from '../../src/cli/attend.ts';
import { createEngine, listEngines } from '../../src/engine/resolve.ts';
import { FORWARD_OUTPUT, forwardProgram } from '../../src/engine/types.ts';
import { inspectWeightsFile, readBaseWeights } from '../../src/linalg/weights-file.ts';
import { buildConfiguration } from '../../src/measure/case.ts';
import { resolveVariant } from '../../src/run/plan.ts';
import { bench } from '../../src/cli/bench.ts';
import { cliRun, runInProcess, tmpDir, type Ran } from './helpers.ts';

const D = 12, dir = tmpDir('attnbench-weights-cli-');
const layer = torchLayer(D, 'F16', 21);
const bert = writeLayerFile(dir, 'bert-layer', schemeTensors(layer, 'hf-bert', 'F16', 'encoder.layer.0.'), 'safetensors');

/** A user mistake: exit 2, one line on stderr, no stack. */
function assertUserError(r: Ran, expected: RegExp) {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr.trim(), expected);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
}

const jsonLines = (out: string) => out.trim().split('\n').map((l) => JSON.parse(l));

test('--plan at GPT-3 size (D 12288, 96 heads): LoRA r=1 and r=8 on q,v train 49 152 and 393 216 parameters per layer', async () => {
  const args = ['--plan', '--variants', 'full,lora:rank=1:targets=q+v,lora:rank=8:targets=q+v,svd:energy=0.9', '--d-model', '12288',
    '--heads', '96', '--seq', '2048', '--engine', 'onnx', '--max-memory', '4096'];
  const out = tmpDir();
  const text = cliRun('bench', [...args, '--out', out]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /LoRA r=1 .*│ 49 152 /);
  assert.match(text.stdout, /LoRA r=8 .*│ 393 216 /);
  assert.match(text.stdout, /SVD energy≥0\.9 .*depends on the weights/);
  assert.match(text.stdout, /4 case\(s\), 0 of them skipped by --max-memory; nothing was run/);
  assert.equal(existsSync(path.join(out, 'run.json')), false, 'a plan writes no run');
  const [full, r1, r8, svd] = jsonLines((await runInProcess(bench, [...args, '--json'])).stdout);
  const fullParams = 4 * 12288 ** 2 + 4 * 12288;
  assert.deepEqual(full.params, { total: fullParams, trainable: fullParams, inference: fullParams });
  assert.equal(r1.params.trainable, 49_152);
  assert.equal(r8.params.trainable, 393_216);
  assert.equal(full.flops, 8 * 2048 * 12288 ** 2 + 4 * 2048 ** 2 * 12288);
  assert.equal(full.analyticMemoryBytes, 4 * (3 * 2048 * 12288 + 2 * 96 * 2048 ** 2));
  assert.equal(full.skipped, null);
  assert.deepEqual([svd.params, svd.flops, svd.skipped], ['depends on the weights', 'depends on the weights', 'depends on the weights']);
  const tight = jsonLines((await runInProcess(bench, [...args, '--json', '--max-memory', '1000'])).stdout);
  assert.match(tight[0].skipped, /analytic peak memory 3360 MB exceeds --max-memory 1000 MB/);
});

test('--plan with --weights: D and the layer come from the file; a --d-model or --heads that disagrees is one line', async () => {
  const [c] = jsonLines((await runInProcess(bench, ['--plan', '--json', '--weights', bert, '--heads', '3', '--variants', 'full',
    '--seq', '8', '--engine', 'onnx', '--backend', 'cpu'])).stdout);
  assert.deepEqual([c.dModel, c.heads, c.engine, c.params.total], [D, 3, 'onnx/cpu', 4 * D * D + 4 * D]);
  assertUserError(await runInProcess(bench, ['--plan', '--weights', bert, '--d-model', '16', '--heads', '4']),
    /--weights .*bert-layer\.safetensors holds a layer of width D = 12, but the run asks for dModel 16/);
  assertUserError(await runInProcess(bench, ['--plan', '--weights', bert, '--heads', '5']),
    /holds a layer of width D = 12, which --heads 5 does not divide; heads must divide 12, e.g\. 1, 2, 4, 12/);
  assertUserError(await runInProcess(bench, ['--plan', '--weights-prefix', 'h.0.']),
    /--weights-prefix names a layer inside --weights FILE/);
});

test('bad weights files on the command line: one line, exit 2', async () => {
  const bytes = readFileSync(bert), cut = path.join(dir, 'cut.safetensors');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 10));
  assertUserError(await runInProcess(bench, ['--plan', '--weights', cut, '--heads', '3']),
    /cut\.safetensors: not a valid safetensors file: .*truncated/);
  assertUserError(await runInProcess(bench, ['--plan', '--weights', path.join(dir, 'nope.npz'), '--heads', '3']),
    /nope\.npz, which does not exist/);
  const bf = path.join(dir, 'mixed.safetensors'), tensors = schemeTensors(torchLayer(D, 'F32', 2), 'pytorch-mha', 'F32');
  tensors['out_proj.weight'] = { values: Array(D * 3).fill(0), shape: [3, D], dtype: 'F32' };
  writeFileSync(bf, safetensorsBytes(tensors));
  assertUserError(await runInProcess(bench, ['--plan', '--weights', bf, '--heads', '3']),
    /tensor out_proj\.weight has shape \[3, 12\]; expected \[12, 12\]/);
});

test('a run with --weights: every variant starts from the file\'s layer; run.json names the file and its sha256; the report draws '
  + 'its spectrum',
  async () => {
    const out = tmpDir(), file = path.join(dir, 'bert-layer.safetensors');
    const args = ['--weights', bert, '--heads', '3', '--variants', 'full,svd:rank=4', '--seq', '8', '--engine', 'onnx',
      '--rounds', '1', '--time', '20', '--no-ceilings', '--out', out];
    const r = cliRun('bench', args, 180_000);
    assert.equal(r.code, 0, r.stderr);
    const meta = JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8'));
    assert.equal(meta.weightsFile.sha256, createHash('sha256').update(readFileSync(bert)).digest('hex'));
    assert.deepEqual([meta.weightsFile.basename, meta.weightsFile.scheme, meta.weightsFile.prefix, meta.weightsFile.dtypes],
      ['bert-layer.safetensors', 'hf-bert', 'encoder.layer.0.', ['F16']]);
    assert.equal(meta.weightsFile.spectrum.q.length, D);
    assert.deepEqual([meta.suite.dModel, meta.suite.weights.init], [D, 'file']);
    const lines = readFileSync(path.join(out, 'results.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((l) => l.status), ['ok', 'ok']);
    for (const l of lines) assert.ok(l.accuracy.relErr < 1e-4, `${l.label}: ${l.accuracy.relErr}`);
    const svd = lines.find((l) => l.variant === 'svd');
    assert.ok(svd.accuracy.relErrVsFull > 1e-3, 'rank 4 of 12 changes the output');
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    assert.match(html, /Singular values of bert-layer\.safetensors/);
    assert.match(html, new RegExp(`sha256 ${meta.weightsFile.sha256}`));
    const before = readFileSync(file);
    try {
      writeFileSync(file, safetensorsBytes(schemeTensors(torchLayer(D, 'F16', 99), 'hf-bert', 'F16', 'encoder.layer.0.')));
      assertUserError(await runInProcess(bench, [...args, '--resume']),
        /--resume: .*bert-layer\.safetensors has changed since the run started/);
    } finally {
      writeFileSync(file, before);
    }
  });

test('npm run attend: the output .npy matches nn.MultiheadAttention computed from the file\'s arrays; bad input is one line',
  async () => {
  const N = 9, x = Float32Array.from({ length: N * D }, (_, i) => Math.cos(i * 0.21));
  const input = path.join(dir, 'x.npy'), output = path.join(dir, 'y.npy');
  writeFileSync(input, new Uint8Array(dump(x, [N, D])));
  const r = cliRun('attend', ['--variant', 'full', '--weights', bert, '--heads', '3', '--input', input, '--out', output,
    '--engine', 'tfjs']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /wrote .*y\.npy \[9, 12\] float32: full attention on tfjs\/\w+, .*layer encoder\.layer\.0\./);
  const bytes = readFileSync(output), y = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  assert.deepEqual([y.dtype, y.shape], ['f4', [N, D]]);
  assert.ok(relativeError(y.data as Float32Array, torchAttention(layer, x, N, 3)) < 1e-5);
  writeFileSync(input, new Uint8Array(dump(Float64Array.from(x), [N, D])));
  assertUserError(await runInProcess(attend, ['--variant', 'full', '--weights', bert, '--heads', '3', '--input', input, '--out', output]),
    /--input expects a float32 \.npy of shape \[B, N, 12\] or \[N, 12\] \(D from --weights\)\. Received: .*x\.npy, F64 \[9, 12\]/);
  assertUserError(await runInProcess(attend, ['--variant', 'lora', '--options', '{rank: 2}', '--weights', bert, '--heads', '3',
    '--input', input, '--out', output]), /--options expects a JSON object/);
});

test('npm run attend takes a case\'s path: options resolved with the engine\'s capabilities, weights seeded as a case\'s', async (t) => {
  const N = 8, x = Float32Array.from({ length: N * D }, (_, i) => Math.sin(i * 0.37));
  const input = path.join(dir, 'x-case.npy'), output = path.join(dir, 'y-case.npy');
  writeFileSync(input, new Uint8Array(dump(x, [N, D])));
  const said: string[] = [];
  t.mock.method(console, 'log', (m: string) => { said.push(m); });
  const run = (variant: string, options: string) => attend(['--variant', variant, '--options', options, '--weights', bert, '--heads', '3',
    '--input', input, '--out', output, '--engine', 'onnx', '--seed', '5']);
  assert.equal(await run('flash', '{}'), 0);
  assert.match(said.at(-1)!, /: flash \(fused\) on onnx\/cpu/, 'kernel auto resolves to the engine\'s fused kernel, as a case does');
  assert.equal(await run('linformer', '{"k": 4}'), 0);
  const info = (await listEngines()).find((e) => e.id === 'onnx/cpu')!;
  const shape = { batch: 1, seqLen: N, dModel: D, heads: 3 };
  const c = buildConfiguration({ variant: 'linformer', options: resolveVariant({ name: 'linformer', options: { k: 4 } }).options, seed: 5,
    shape, engine: info }, readBaseWeights(inspectWeightsFile(bert)));
  const prepared = await (await createEngine(info)).prepare(forwardProgram(c.forward, { data: x, shape: [1, N, D] }), c.w);
  const expected = (await prepared.run().finally(() => prepared.dispose()))[FORWARD_OUTPUT];
  const bytes = readFileSync(output), y = parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  assert.deepEqual(Array.from(y.data as Float32Array), Array.from(expected), 'the projections a case of seed 5 draws');
});
