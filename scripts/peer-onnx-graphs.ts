/**
 * attnbench's `full` on onnx/cpu vs the hand-written graph of ../shared/peers/onnx_attention.mjs,
 * node by node: both graphs (the peer's rebuilt here as that file builds it) in sessions made as
 * the harness makes them (same options, src/engine/onnx/session.ts), ORT's optimised graph of each
 * (op types in order) and, with its profiler on, each one's kernel time per op type, the two
 * run alternately in one process (A B B A …) so drift and order hit both; the per-run ratios'
 * 95 % interval (src/report/paired.ts, roundsInterval) says whether the wall times differ.
 *   npx tsx scripts/peer-onnx-graphs.ts [--seq 1024] [--runs 10]
 * Not a test: timings on a shared machine; run it under /work/coord/cpu or on a quiet one.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrt, traceGraph } from '../src/engine/onnx/index.ts';
import { onnxSpinning, onnxThreads } from '../src/engine/onnx/session.ts';
import { buildConfiguration, caseData } from '../src/measure/case.ts';
import type { Case } from '../src/results/types.ts';
import { roundsInterval } from '../src/report/paired.ts';

const { values: a } = parseArgs({ options: { seq: { type: 'string', default: '1024' }, runs: { type: 'string', default: '10' },
  'd-model': { type: 'string', default: '512' }, heads: { type: 'string', default: '8' } } });
const n = Number(a.seq), d = Number(a['d-model']), h = Number(a.heads), dh = d / h, runs = Number(a.runs), ort = loadOrt();
const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto');

/** The peer's composed graph (onnx_attention.mjs, graph()), weights drawn as there. */
function peerGraph(): Uint8Array {
  const F = onnx.TensorProto.DataType.FLOAT, A = onnx.AttributeProto.AttributeType;
  const vi = (name: string, dims: number[]) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: F,
    shape: { dim: dims.map((dimValue) => ({ dimValue })) } } } });
  const node = (op: string, input: string[], output: string[], attribute: object[] = []) =>
    onnx.NodeProto.create({ opType: op, input, output, attribute });
  const ints = (name: string, v: number[]) => ({ name, type: A.INTS, ints: v });
  let seed = 1;
  const rand = (len: number, s: number) => Float32Array.from({ length: len },
    () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * s);
  const init = (name: string, dims: number[], data: Float32Array) =>
    onnx.TensorProto.create({ name, dataType: F, dims, rawData: new Uint8Array(data.buffer) });
  const i64 = (name: string, v: number[]) =>
    onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.INT64, dims: [v.length], int64Data: v });
  const inits = [], nodes = [];
  for (const p of ['q', 'k', 'v', 'o']) inits.push(init(`W${p}`, [d, d], rand(d * d, 1 / Math.sqrt(d))), init(`b${p}`, [d], rand(d, 0.1)));
  inits.push(i64('heads', [1, n, h, dh]), i64('merged', [1, n, d]),
    onnx.TensorProto.create({ name: 'scale', dataType: F, dims: [], floatData: [1 / Math.sqrt(dh)] }));
  for (const p of ['q', 'k', 'v']) {
    nodes.push(node('MatMul', ['x', `W${p}`], [`${p}0`]), node('Add', [`${p}0`, `b${p}`], [`${p}1`]),
      node('Reshape', [`${p}1`, 'heads'], [`${p}2`]),
      node('Transpose', [`${p}2`], [`${p}h`], [ints('perm', p === 'k' ? [0, 2, 3, 1] : [0, 2, 1, 3])]));
  }
  nodes.push(node('MatMul', ['qh', 'kh'], ['s']), node('Mul', ['s', 'scale'], ['s2']),
    node('Softmax', ['s2'], ['pr'], [{ name: 'axis', type: A.INT, i: -1 }]),
    node('MatMul', ['pr', 'vh'], ['c']), node('Transpose', ['c'], ['ct'], [ints('perm', [0, 2, 1, 3])]),
    node('Reshape', ['ct', 'merged'], ['cm']), node('MatMul', ['cm', 'Wo'], ['y0']), node('Add', ['y0', 'bo'], ['y']));
  const g = onnx.GraphProto.create({ name: 'mha', node: nodes, input: [vi('x', [1, n, d])], output: [vi('y', [1, n, d])],
    initializer: inits });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: g })).finish();
}

const shape = { batch: 1, seqLen: n, dModel: d, heads: h };
const engine = { id: 'onnx/cpu', engine: 'onnx', backend: 'cpu', available: true, device: 'cpu' } as Case['engine'];
const { base, x } = caseData({ seed: 1, shape, weights: { init: 'gaussian' } });
const { w, forward } = buildConfiguration({ variant: 'full', options: {}, seed: 1, shape, engine }, base);
const models = { attnbench: traceGraph(forward, w, x.shape).model, peer: peerGraph() };

/** An optimised node as op type and attributes, e.g. Transpose(perm=0213). */
const nodeText = (nd: import('onnx-proto').onnx.INodeProto) => nd.opType + (nd.attribute?.length
  ? `(${nd.attribute.map((t) => `${t.name}=${t.ints?.length ? t.ints.join('') : t.f || t.i}`).join(',')})` : '');

interface Event { cat: string; name: string; dur: number; args?: { op_name?: string } }
const tmp = path.join(os.tmpdir(), `attnbench-peer-${process.pid}`);
const sessions = await Promise.all(Object.entries(models).map(async ([name, model]) => {
  const prefix = `${tmp}-${name}`;
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all', intraOpNumThreads: onnxThreads(),
    interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: prefix, optimizedModelFilePath: `${prefix}.onnx`,
    extra: { session: { intra_op: { allow_spinning: onnxSpinning() ? '1' : '0' }, set_denormal_as_zero: '1' } } });
  return { name, prefix, session, wall: [] as number[] };
}));
const feeds = { x: new ort.Tensor('float32', x.data, x.shape) };
for (const s of sessions) for (let i = 0; i < 2; i++) await s.session.run(feeds);
for (let r = 0; r < runs; r++) {
  for (const s of r % 2 ? [...sessions].reverse() : sessions) {
    const start = performance.now();
    await s.session.run(feeds);
    s.wall.push(performance.now() - start);
  }
}
for (const s of sessions) {
  s.session.endProfiling();
  await s.session.release();
  const optimized = onnx.ModelProto.decode(readFileSync(`${s.prefix}.onnx`));
  rmSync(`${s.prefix}.onnx`);
  const file = readdirSync(os.tmpdir()).filter((f) => f.startsWith(path.basename(s.prefix)) && f.endsWith('.json')).sort().pop()!;
  const events = JSON.parse(readFileSync(path.join(os.tmpdir(), file), 'utf8')) as Event[];
  rmSync(path.join(os.tmpdir(), file));
  const byNode = new Map<string, Event[]>();
  for (const e of events.filter((ev) => ev.cat === 'Node' && ev.name.endsWith('_kernel_time'))) {
    byNode.set(e.name, [...(byNode.get(e.name) ?? []), e]);
  }
  const byOp = new Map<string, number>();
  for (const es of byNode.values()) {
    const timed = es.slice(-runs), op = timed[0].args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + timed.reduce((t, e) => t + e.dur, 0) / timed.length / 1000);
  }
  const wall = [...s.wall].sort((p, q) => p - q)[s.wall.length >> 1];
  const kernels = [...byOp.values()].reduce((t, v) => t + v, 0);
  console.log(`${s.name}: wall median ${wall.toFixed(2)} ms of ${runs}; kernels ${kernels.toFixed(2)} ms`);
  console.log(`  optimised graph: ${optimized.graph!.node!.map(nodeText).join(' → ')}`);
  for (const [op, ms] of [...byOp.entries()].sort((p, q) => q[1] - p[1])) console.log(`  ${op.padEnd(20)} ${ms.toFixed(2).padStart(8)} ms`);
}
const ratios = sessions[0].wall.map((t, r) => t / sessions[1].wall[r]), ci = roundsInterval(ratios)!;
const geo = Math.exp(ratios.reduce((t, v) => t + Math.log(v), 0) / ratios.length);
console.log(`wall time attnbench / peer, per run: geometric mean ${geo.toFixed(3)}, `
  + `95 % interval [${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}]`);
