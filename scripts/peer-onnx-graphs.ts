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
import { onnxSessionConfig, onnxThreads } from '../src/engine/onnx/session.ts';
import { buildConfiguration, caseData } from '../src/measure/case.ts';
import type { Case } from '../src/results/types.ts';
import { roundsInterval } from '../src/report/paired.ts';
import { nodeText, peerGraph } from './peer-graph.ts';

const { values: a } = parseArgs({ options: { seq: { type: 'string', default: '1024' }, runs: { type: 'string', default: '10' },
  'd-model': { type: 'string', default: '512' }, heads: { type: 'string', default: '8' } } });
const n = Number(a.seq), d = Number(a['d-model']), h = Number(a.heads), runs = Number(a.runs), ort = loadOrt();
const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto');

const shape = { batch: 1, seqLen: n, dModel: d, heads: h };
const engine = { id: 'onnx/cpu', engine: 'onnx', backend: 'cpu', available: true, device: 'cpu' } as Case['engine'];
const { base, x } = caseData({ seed: 1, shape, weights: { init: 'gaussian' } });
const { w, forward } = buildConfiguration({ variant: 'full', options: {}, seed: 1, shape, engine }, base);
const models = { attnbench: traceGraph(forward, w, x.shape).model, peer: peerGraph(n, d, h) };

interface Event { cat: string; name: string; dur: number; args?: { op_name?: string } }
const tmp = path.join(os.tmpdir(), `attnbench-peer-${process.pid}`);
const sessions = await Promise.all(Object.entries(models).map(async ([name, model]) => {
  const prefix = `${tmp}-${name}`;
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'all', intraOpNumThreads: onnxThreads(),
    interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: prefix, optimizedModelFilePath: `${prefix}.onnx`,
    extra: { session: onnxSessionConfig() } });
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
