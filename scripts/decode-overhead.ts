/**
 * Where a decode step's fixed cost goes on onnx/cpu. One decoder's step at context N (its cache from
 * the rotating pool, as the harness's pass: measure/rotation.ts), traced and run in a session made as
 * the harness makes one, with ONNX Runtime's profiler on:
 *   - nodes: of the traced graph, and of the graph ORT runs after its optimisations (by op type);
 *   - per pass: the JavaScript wall time of session.run, ORT's own model_run time, and the sum of
 *     its nodes' kernel times; the gaps are the binding's cost (feeds in, outputs out, the promise)
 *     and the executor's (scheduling each node, waking the pool);
 *   - the same for a one-node graph (Identity of [1, 1, D]): session.run's floor from Node;
 * then, without the profiler, in shuffled turns: the step run as the harness runs it, and with its
 * outputs fetched into tensors made once (session.run(feeds, fetches)); a tiny graph alone, with
 * 20 Reshapes (ORT folds them) and with 20 Exps (what a node costs the executor).
 *   npx tsx scripts/decode-overhead.ts [--variant full] [--options '{}'] [--seq 8192] [--kv-heads 2] [--passes 200]
 * Not a test: timings on a shared machine; run it under /work/coord/cpu.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import onnxProto from 'onnx-proto';
import type * as ORT from 'onnxruntime-node';
import { loadOrt } from '../src/engine/onnx/index.ts';
import { onnxSessionConfig, onnxThreads } from '../src/engine/onnx/session.ts';
import { traceProgram } from '../src/engine/onnx/trace.ts';
import { createRng, normalArray } from '../src/linalg/rng.ts';
import { baseWeights } from '../src/linalg/weights.ts';
import { stepProgram } from '../src/measure/decode.ts';
import { rotation } from '../src/measure/rotation.ts';
import { median } from '../src/report/paired.ts';
import { decoderOf } from '../src/variants/decode/index.ts';
import type { DecodeShape } from '../src/variants/decode/types.ts';
import { VARIANTS, type VariantName } from '../src/variants/index.ts';
import type { AnyVariant } from '../src/variants/types.ts';

const { values: a } = parseArgs({ options: {
  variant: { type: 'string', default: 'full' }, options: { type: 'string', default: '{}' },
  seq: { type: 'string', default: '8192' }, 'kv-heads': { type: 'string', default: '2' }, passes: { type: 'string', default: '200' },
  'opt-level': { type: 'string', default: 'all' } } });
const ort = loadOrt(), passes = Number(a.passes), kvHeads = Number(a['kv-heads']);
const s: DecodeShape = { batch: 1, seqLen: Number(a.seq), dModel: 512, heads: 8, causal: true, newTokens: 1,
  ...(kvHeads !== 8 && { kvHeads }) };
const name = a.variant as VariantName, v = VARIANTS[name] as AnyVariant;
const base = baseWeights(s, { init: 'gaussian' }, createRng('decode-overhead'));
const raw = v.options.parse(JSON.parse(a.options!)) as object, o = v.resolve ? v.resolve(s, raw, base, undefined) as object : raw;
const found = decoderOf(name, s, o, { fusedDecode: true } as never);
if ('skipped' in found) throw new Error(found.skipped);
const d = found.decoder, shapes = d.cacheShapes(s, o), names = Object.keys(shapes);
const rng = createRng('cache'), size = (sh: number[]) => sh.reduce((x, y) => x * y, 1);
const cache = Object.fromEntries(names.map((k) => [k, normalArray(rng, size(shapes[k]), 1)]));
const program = stepProgram(d, s, o, normalArray(rng, s.dModel, 1), cache);
const weights = v.init(s, o, createRng('init'), base);
const traced = traceProgram(program, weights);

const opCounts = (nodes: Array<{ opType?: string | null }>) => {
  const by = new Map<string, number>();
  for (const n of nodes) by.set(n.opType ?? '?', (by.get(n.opType ?? '?') ?? 0) + 1);
  return [...by.entries()].sort((p, q) => q[1] - p[1]).map(([op, n]) => `${op}×${n}`).join(' ');
};
const tracedNodes = onnxProto.onnx.ModelProto.decode(traced.model).graph!.node!;

interface Event { cat: string; name: string; dur: number; args?: { op_name?: string } }
const tmp = (tag: string) => path.join(os.tmpdir(), `attnbench-overhead-${process.pid}-${tag}`);

async function profiled(model: Uint8Array, tag: string, feedsOf: () => Record<string, ORT.Tensor>) {
  const optimized = `${tmp(tag)}.onnx`;
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: a['opt-level'] as 'all',
    intraOpNumThreads: onnxThreads(), interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: tmp(tag),
    optimizedModelFilePath: optimized,
    extra: { session: onnxSessionConfig(process.env, true) } });
  for (let i = 0; i < 5; i++) await session.run(feedsOf());
  const wall: number[] = [];
  for (let i = 0; i < passes; i++) {
    const feeds = feedsOf(), t0 = performance.now();
    await session.run(feeds);
    wall.push(performance.now() - t0);
  }
  session.endProfiling();
  await session.release();
  const file = readdirSync(os.tmpdir()).filter((f) => f.startsWith(path.basename(tmp(tag))) && f.endsWith('.json')).sort().pop()!;
  const events = JSON.parse(readFileSync(path.join(os.tmpdir(), file), 'utf8')) as Event[];
  rmSync(path.join(os.tmpdir(), file));
  const runs = events.filter((e) => e.name === 'model_run').slice(-passes).map((e) => e.dur / 1000);
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const perNode = new Map<string, number[]>();
  for (const e of kernels) perNode.set(e.name, [...(perNode.get(e.name) ?? []), e.dur / 1000]);
  const nodeMs = [...perNode.entries()].map(([n, t]) => ({ n: n.replace(/_kernel_time$/, ''),
    op: kernels.find((e) => e.name === n)?.args?.op_name,
    ms: median(t.slice(-passes)) }));
  const kernelSum = nodeMs.reduce((x, y) => x + y.ms, 0);
  const optNodes = onnxProto.onnx.ModelProto.decode(readFileSync(optimized)).graph!.node!;
  rmSync(optimized);
  return { wall: median(wall), modelRun: median(runs), kernelSum, nodes: nodeMs, optNodes };
}

// The step, its cache rotated per pass as the harness's.
const turn = rotation(names.map((k) => size(shapes[k])));
const fixed = { x: new ort.Tensor('float32', program.inputs.x.data, program.inputs.x.shape) };
const stepFeeds = () => {
  const views = turn ? turn.next() : names.map((k) => cache[k]);
  return { ...fixed, ...Object.fromEntries(names.map((k, i) => [`cache.${k}`, new ort.Tensor('float32', views[i], shapes[k])])) };
};
const step = await profiled(traced.model, 'step', stepFeeds);
console.log(`${v.describe(o)}, N=${s.seqLen}, kvHeads=${kvHeads}, opt=${a['opt-level']}, threads=${onnxThreads()}, ${passes} passes`);
console.log(`  traced graph: ${tracedNodes.length} nodes: ${opCounts(tracedNodes)}`);
console.log(`  ORT runs:     ${step.optNodes.length} nodes: ${opCounts(step.optNodes)}`);
console.log(`  JS wall ${step.wall.toFixed(3)} ms; ORT model_run ${step.modelRun.toFixed(3)} ms; `
  + `kernels ${step.kernelSum.toFixed(3)} ms (medians)`);
for (const n of step.nodes.sort((p, q) => q.ms - p.ms)) {
  console.log(`    ${n.ms.toFixed(4).padStart(8)} ms  ${(n.op ?? '').padEnd(14)} ${n.n}`);
}

// session.run's floor: one Identity node on [1, 1, D].
const one = traceProgram({ inputs: { x: program.inputs.x }, fn: (ops, i) => ({ outputs: { y: ops.reshape(i.x, [1, s.dModel]) } }) }, {});
const floor = await profiled(one.model, 'floor', () => fixed);
console.log(`  one-node graph: JS wall ${floor.wall.toFixed(3)} ms; ORT model_run ${floor.modelRun.toFixed(3)} ms; `
  + `kernels ${floor.kernelSum.toFixed(3)} ms`);

// Unprofiled, in shuffled turns.
const plain = (model: Uint8Array) => ort.InferenceSession.create(model, { graphOptimizationLevel: a['opt-level'] as 'all',
  intraOpNumThreads: onnxThreads(), interOpNumThreads: 1, extra: { session: onnxSessionConfig(process.env, true) } });
const outputs = Object.fromEntries(Object.entries(traced.outputs).map(([n, t]) =>
  [n, new ort.Tensor('float32', new Float32Array(size(t.shape)), t.shape)]));
const chain = (k: number, exp = false) => traceProgram({ inputs: { x: program.inputs.x }, fn: (ops, i) => {
  let t = i.x;
  for (let j = 0; j < k; j++) t = exp ? ops.exp(t) : ops.reshape(t, j % 2 ? [1, 1, s.dModel] : [1, 1, s.heads, s.dModel / s.heads]);
  return { outputs: { y: ops.add(ops.reshape(t, [1, 1, s.dModel]), i.x) } };
} }, {}).model;
const [harness, fetched, bare, reshaped, exps] = await Promise.all([plain(traced.model), plain(traced.model), plain(chain(0)),
  plain(chain(20)), plain(chain(20, true))]);
const turns: Array<[string, () => Promise<unknown>]> = [['step: run(feeds)', () => harness.run(stepFeeds())],
  ['step: run(feeds, fetches made once)', () => fetched.run(stepFeeds(), outputs)],
  ['tiny graph (Reshape, Add)', () => bare.run(fixed)], ['tiny graph and 20 Reshapes', () => reshaped.run(fixed)],
  ['tiny graph and 20 Exps', () => exps.run(fixed)]];
const times = turns.map(() => [] as number[]);
for (const [, run] of turns) for (let i = 0; i < 5; i++) await run();
for (let i = 0; i < passes; i++) {
  for (const j of turns.map((_, k) => k).sort(() => rng.uniform() - 0.5)) {
    const t0 = performance.now();
    await turns[j][1]();
    times[j].push(performance.now() - t0);
  }
}
turns.forEach(([label], j) => console.log(`  unprofiled, in turns: ${label.padEnd(36)} ${median(times[j]).toFixed(4)} ms`));
for (const x of [harness, fetched, bare, reshaped, exps]) await x.release();
