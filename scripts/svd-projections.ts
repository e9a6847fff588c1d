/**
 * SVD's projection part alone: at large N the attention core dominates a pass, so the whole-pass
 * speed-up of `svd` says little about its factored projections. This runs `full` and `svd` on
 * onnx/cpu with ONNX Runtime's profiler and adds up the kernel time of the projection products
 * (MatMul/Gemm nodes whose inputs are at most 2-D after ORT's own reshaping; the attention
 * products are 4-D), then compares their ratio with the analytic one, D/(2r).
 *   npx tsx scripts/svd-projections.ts [--seq 4096] [--d-model 512] [--heads 8] [--rank 64] [--runs 10]
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadOrt, traceGraph } from '../src/engine/onnx/index.ts';
import { caseData } from '../src/measure/case.ts';
import { createRng } from '../src/linalg/rng.ts';
import { resolveVariant } from '../src/run/plan.ts';
import { getVariant } from '../src/variants/index.ts';

const { values: a } = parseArgs({ options: {
  seq: { type: 'string', default: '4096' }, 'd-model': { type: 'string', default: '512' }, heads: { type: 'string', default: '8' },
  rank: { type: 'string', default: '64' }, runs: { type: 'string', default: '10' } } });
const shape = { batch: 1, seqLen: Number(a.seq), dModel: Number(a['d-model']), heads: Number(a.heads) };
const runs = Number(a.runs), ort = loadOrt();
const { base, x } = caseData({ seed: 1, shape, weights: { init: 'spectrum', decay: 0.5 } });

interface Event { cat: string; name: string; dur: number; args?: { op_name?: string; input_type_shape?: Array<Record<string, number[]>> } }

async function projectionMs(spec: string | { name: string; options: Record<string, unknown> }): Promise<{ proj: number; total: number }> {
  const r = resolveVariant(spec), v = getVariant(r.name)!;
  const o = v.resolve ? v.resolve(shape, r.options, base) : r.options;
  const w = v.init(shape, o, createRng(1), base);
  const g = traceGraph((ops, xx, ww) => v.forward(ops, xx, ww, shape, o), w, x.shape);
  const prefix = path.join(os.tmpdir(), `attnbench-prof-${r.name}`);
  const session = await ort.InferenceSession.create(g.model, { graphOptimizationLevel: 'all',
    intraOpNumThreads: os.availableParallelism(), interOpNumThreads: 1 });
  const feeds = { x: new ort.Tensor('float32', x.data, x.shape) };
  for (let i = 0; i < 3; i++) await session.run(feeds); // warm-up, unprofiled
  await session.release();
  const profiled = await ort.InferenceSession.create(g.model, { graphOptimizationLevel: 'all', intraOpNumThreads: os.availableParallelism(),
    interOpNumThreads: 1, enableProfiling: true, profileFilePrefix: prefix });
  await profiled.run(feeds);
  for (let i = 0; i < runs; i++) await profiled.run(feeds);
  profiled.endProfiling();
  await profiled.release();
  const file = path.join(os.tmpdir(), readdirProfile(prefix));
  const events = JSON.parse(readFileSync(file, 'utf8')) as Event[];
  rmSync(file);
  const kernels = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  const isProjection = (e: Event) => ['MatMul', 'Gemm'].includes(e.args?.op_name ?? '')
    && (e.args?.input_type_shape ?? []).every((t) => Object.values(t)[0].length <= 2);
  const perRun = (es: Event[]) => es.reduce((s, e) => s + e.dur, 0) / (runs + 1) / 1000;
  return { proj: perRun(kernels.filter(isProjection)), total: perRun(kernels) };
}

function readdirProfile(prefix: string): string {
  const name = path.basename(prefix);
  const files = readdirSync(os.tmpdir()).filter((f) => f.startsWith(name) && f.endsWith('.json'));
  return files.sort().pop()!;
}

const full = await projectionMs('full');
const svd = await projectionMs({ name: 'svd', options: { rank: Number(a.rank) } });
const analytic = shape.dModel / (2 * Number(a.rank));
const measured = full.proj / svd.proj;
console.log(`N=${shape.seqLen} D=${shape.dModel}: projection kernels full ${full.proj.toFixed(1)} ms, `
  + `svd r=${a.rank} ${svd.proj.toFixed(1)} ms per pass `
  + `(all kernels ${full.total.toFixed(1)} / ${svd.total.toFixed(1)} ms)`);
console.log(`projection speed-up ${measured.toFixed(2)}× vs analytic FLOP ratio ${analytic.toFixed(2)}×: `
  + `efficiency ${((measured / analytic) * 100).toFixed(0)} %`);
