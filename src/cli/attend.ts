/**
 * `npm run attend`: one forward pass of any variant on your input with your layer's weights, written
 * as .npy, so that you can diff it against your framework's output:
 *
 *   npm run attend -- --variant full --weights layer.safetensors --heads 12 --input x.npy --out y.npy
 *
 * The same path as a benchmark case (buildConfiguration, src/measure/case.ts): the weights file
 * (src/linalg/weights-file.ts), the variant's `resolve` against those base weights and the engine's
 * capabilities, `init` seeded as a case of seed --seed is, its `forward` on the engine. Attention is
 * bidirectional (no causal mask), as nn.MultiheadAttention without attn_mask.
 */
import { writeFileSync } from 'node:fs';
import { Command } from 'commander';
import { dump } from 'npyjs';
import { createEngine, listEngines, probeNames, requestsOf, selectAll } from '../engine/resolve.ts';
import type { HostTensor } from '../engine/ops.ts';
import { FORWARD_OUTPUT, forwardProgram } from '../engine/types.ts';
import { inspectWeightsFile, layoutKvHeads, readBaseWeights } from '../linalg/weights-file.ts';
import { openNpy } from '../linalg/tensor-file.ts';
import { measureAccuracy } from '../measure/accuracy.ts';
import { buildConfiguration } from '../measure/case.ts';
import { UserError, messages } from '../messages.ts';
import { resolveVariant } from '../run/plan.ts';
import { worded } from './bench.ts';
import { isMain, onePositiveInt, runCli } from './format.ts';

interface AttendFlags {
  variant: string;
  options: string;
  weights: string;
  weightsPrefix?: string;
  heads: string;
  input: string;
  out: string;
  engine?: string;
  seed: string;
}

export function attendCommand(): Command {
  return new Command('attend')
    .description('One forward pass of a variant with the weights of one attention layer, on an input .npy; writes the output .npy.')
    .requiredOption('--variant <name>', 'variant name (see npm run bench -- --list)')
    .option('--options <json>', 'the variant\'s options as JSON, e.g. \'{"rank": 16}\'', '{}')
    .requiredOption('--weights <path>', 'a .safetensors or .npz file, or a folder of .npy files (as bench --weights)')
    .option('--weights-prefix <prefix>', 'the layer to read, e.g. encoder.layer.3. (default: the only layer in the file)')
    .requiredOption('--heads <n>', 'attention heads H, dividing the layer\'s width D')
    .requiredOption('--input <file.npy>', 'input x, float32, [B, N, D] or [N, D]')
    .requiredOption('--out <file.npy>', 'where to write the output y, float32, of the input\'s shape')
    .option('--engine <name|id>', 'engine or engine/backend, e.g. onnx, tfjs/wasm (default: the fastest here)')
    .option('--seed <n>', 'seed of the variant\'s random parts (LoRA adapters, Linformer projections), as a suite\'s seed', '1')
    .exitOverride().configureOutput({ outputError: () => undefined });
}

/** The input x as [B, N, D] and the shape it came in. */
function readInput(file: string, D: number): { x: HostTensor; shape: number[] } {
  const { dtype, shape, data } = openNpy(file, '--input');
  if (dtype !== 'F32' || (shape.length !== 2 && shape.length !== 3) || shape[shape.length - 1] !== D) {
    throw new UserError(messages.attendInput(file, dtype, shape, D));
  }
  const [B, N] = shape.length === 3 ? shape : [1, shape[0]];
  return { x: { data, shape: [B, N, D] }, shape };
}

function parseOptions(json: string): Record<string, unknown> {
  try {
    const o = JSON.parse(json);
    if (typeof o === 'object' && o !== null && !Array.isArray(o)) return o;
  } catch { /* worded below */ }
  throw new UserError(messages.attendOptions(json));
}

export async function attend(argv: string[]): Promise<number> {
  const f = attendCommand().parse(argv, { from: 'user' }).opts<AttendFlags>();
  const spec = resolveVariant({ name: f.variant, options: parseOptions(f.options) });
  const heads = onePositiveInt('--heads', '12', f.heads), seed = onePositiveInt('--seed', '1', f.seed);
  const layout = inspectWeightsFile(f.weights, f.weightsPrefix), D = layout.dModel;
  if (D % heads !== 0) throw new UserError(messages.weightsHeads(f.weights, D, heads));
  const { x, shape: inputShape } = readInput(f.input, D);
  const requests = f.engine ? worded(() => requestsOf([f.engine!])) : [{}], all = await listEngines(probeNames(requests));
  const info = worded(() => selectAll(all, requests)).engines[0];
  const kvHeads = layoutKvHeads(layout, heads);
  const shape = { batch: x.shape[0], seqLen: x.shape[1], dModel: D, heads, ...(kvHeads !== heads && { kvHeads }) };
  const base = readBaseWeights(layout);
  const { v, o, w, forward } = buildConfiguration({ variant: spec.name, options: spec.options, seed, shape, engine: info }, base);
  const prepared = await (await createEngine(info)).prepare(forwardProgram(forward, x), w);
  let y: Float32Array;
  try {
    y = (await prepared.run())[FORWARD_OUTPUT];
  } finally {
    await prepared.dispose();
  }
  try {
    writeFileSync(f.out, new Uint8Array(dump(y, inputShape)));
  } catch (e) {
    throw new UserError(messages.writeFailed(f.out, (e as Error).message));
  }
  const acc = measureAccuracy(v, shape, o, x.data, w, base, y);
  console.log(`wrote ${f.out} [${inputShape.join(', ')}] float32: ${v.describe(o)} on ${info.id}, weights ${layout.file.path} `
    + `(${layout.scheme.title} names${layout.prefix ? `, layer ${layout.prefix}` : ''}); relative error vs the float64 reference `
    + `${acc.relErr?.toExponential(2) ?? 'not measured'}${acc.relErr === null ? '' : ` (${acc.reference})`}`);
  return 0;
}

if (isMain(import.meta.url)) runCli(() => attend(process.argv.slice(2)));
