/**
 * Where a variant's time goes on onnx/cpu: its traced graph runs in a session made as the harness
 * makes one (src/engine/onnx/session.ts, createSession's options) with ONNX Runtime's profiler on,
 * and the kernel time of each node is added up per op type and per node (with its input shapes),
 * averaged over the profiled runs.
 *   npx tsx scripts/onnx-profile.ts --variant sparse-block [--options '{"block":64}'] [--seq 4096] [--runs 5] [--top 15]
 * Not a test: timings on a shared machine; run it under /work/coord/cpu or on a quiet one.
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrt, traceGraph } from '../src/engine/onnx/index.ts';
import { onnxSessionConfig, onnxThreads } from '../src/engine/onnx/session.ts';
import { buildConfiguration, caseData } from '../src/measure/case.ts';
import { resolveVariant } from '../src/run/plan.ts';
import type { Case } from '../src/results/types.ts';

const { values: a } = parseArgs({ options: {
  variant: { type: 'string', default: 'sparse-block' }, options: { type: 'string', default: '{}' },
  seq: { type: 'string', default: '4096' }, 'd-model': { type: 'string', default: '512' }, heads: { type: 'string', default: '8' },
  runs: { type: 'string', default: '5' }, top: { type: 'string', default: '15' } } });
const shape = { batch: 1, seqLen: Number(a.seq), dModel: Number(a['d-model']), heads: Number(a.heads) };
const runs = Number(a.runs), ort = loadOrt();
const spec = resolveVariant({ name: a.variant!, options: JSON.parse(a.options!) as Record<string, unknown> });
const engine = { id: 'onnx/cpu', engine: 'onnx', backend: 'cpu', available: true, device: 'cpu' } as Case['engine'];
const { base, x } = caseData({ seed: 1, shape, weights: { init: 'spectrum', decay: 0.5 } });
const { w, forward } = buildConfiguration({ variant: spec.name, options: spec.options, seed: 1, shape, engine }, base);
const g = traceGraph(forward, w, x.shape);

interface Event { cat: string; name: string; dur: number; args?: { op_name?: string; input_type_shape?: Array<Record<string, number[]>> } }

const prefix = path.join(os.tmpdir(), `attnbench-prof-${process.pid}`);
const session = await ort.InferenceSession.create(g.model, { graphOptimizationLevel: 'all', intraOpNumThreads: onnxThreads(),
  interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: prefix,
  extra: { session: onnxSessionConfig() } });
const feeds = { x: new ort.Tensor('float32', x.data, x.shape) };
for (let i = 0; i < 2; i++) await session.run(feeds); // warm-up: in the profile, dropped below by run count
const wall: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = performance.now();
  await session.run(feeds);
  wall.push(performance.now() - start);
}
session.endProfiling();
await session.release();
const file = readdirSync(os.tmpdir()).filter((f) => f.startsWith(path.basename(prefix)) && f.endsWith('.json')).sort().pop()!;
const events = JSON.parse(readFileSync(path.join(os.tmpdir(), file), 'utf8')) as Event[];
rmSync(path.join(os.tmpdir(), file));

// Each node's kernel events in order; the last `runs` of each are the timed runs.
const byNode = new Map<string, Event[]>();
for (const e of events.filter((ev) => ev.cat === 'Node' && ev.name.endsWith('_kernel_time'))) {
  byNode.set(e.name, [...(byNode.get(e.name) ?? []), e]);
}
const nodes = [...byNode.entries()].map(([name, es]) => {
  const timed = es.slice(-runs);
  return { name: name.replace(/_kernel_time$/, ''), op: timed[0].args?.op_name ?? '?',
    shapes: (timed[0].args?.input_type_shape ?? []).map((t) => JSON.stringify(Object.values(t)[0])).join(' '),
    ms: timed.reduce((s, e) => s + e.dur, 0) / timed.length / 1000 };
});
const total = nodes.reduce((s, n) => s + n.ms, 0);
const byOp = new Map<string, number>();
for (const n of nodes) byOp.set(n.op, (byOp.get(n.op) ?? 0) + n.ms);
const medianWall = [...wall].sort((p, q) => p - q)[wall.length >> 1];
console.log(`${spec.label}, N=${shape.seqLen}, d=${shape.dModel}: wall median ${medianWall.toFixed(1)} ms of ${runs} runs; `
  + `kernels ${total.toFixed(1)} ms in ${nodes.length} nodes`);
for (const [op, ms] of [...byOp.entries()].sort((p, q) => q[1] - p[1])) console.log(`  ${op.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms`);
console.log('top nodes:');
for (const n of nodes.sort((p, q) => q.ms - p.ms).slice(0, Number(a.top))) {
  console.log(`  ${n.ms.toFixed(1).padStart(7)} ms  ${n.op.padEnd(16)} ${n.shapes}`);
}
