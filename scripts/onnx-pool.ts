/**
 * How ONNX Runtime's intra-op pool waits between ops, measured on decode steps taking turns as a
 * harness round's do: the decode suite's configurations at context N, each in one session per pool
 * setting, every session's cache from the rotating pool (measure/rotation.ts), and the run's
 * bandwidth roof for full's step (a ReduceSum, measure/ceiling.ts) the same way, all sessions
 * sampled in shuffled turns in one process. Settings (session config keys of ORT 1.30):
 *   sleep        session.intra_op.allow_spinning=0: a worker sleeps after every parallel op (the harness's until session 7)
 *   spin-in-run  allow_spinning=1 and session.force_spinning_stop=1: a worker spins between the ops of a
 *                run and stops when the run returns, so an idle session's pool does not spin
 *   1 thread     intra_op_num_threads=1: no pool, every op on the calling thread
 *   npx tsx scripts/onnx-pool.ts [--seq 8192] [--kv-heads 2] [--blocks 60] [--settings sleep,spin-in-run]
 * Not a test: timings on a shared machine; run it under /work/coord/cpu.
 */
import { parseArgs } from 'node:util';
import type * as ORT from 'onnxruntime-node';
import { loadOrt } from '../src/engine/onnx/index.ts';
import { onnxThreads } from '../src/engine/onnx/session.ts';
import { traceProgram } from '../src/engine/onnx/trace.ts';
import { createRng, normalArray } from '../src/linalg/rng.ts';
import { baseWeights } from '../src/linalg/weights.ts';
import { stepProgram } from '../src/measure/decode.ts';
import { bandwidthSizes } from '../src/measure/ceiling.ts';
import { rotation } from '../src/measure/rotation.ts';
import { median, pairedRatio } from '../src/report/paired.ts';
import { decoderOf } from '../src/variants/decode/index.ts';
import type { DecodeShape } from '../src/variants/decode/types.ts';
import { VARIANTS, type VariantName } from '../src/variants/index.ts';
import type { AnyVariant } from '../src/variants/types.ts';

const { values: a } = parseArgs({ options: {
  seq: { type: 'string', default: '8192' }, 'kv-heads': { type: 'string', default: '2' }, blocks: { type: 'string', default: '60' },
  settings: { type: 'string', default: 'sleep,spin-in-run' }, configs: { type: 'string' } } });

const SETTINGS: Record<string, { threads?: number; session: Record<string, string> }> = {
  sleep: { session: { 'intra_op.allow_spinning': '0' } },
  'spin-in-run': { session: { 'intra_op.allow_spinning': '1', force_spinning_stop: '1' } },
  '1 thread': { threads: 1, session: {} },
};
/** The decode suite's configurations at 8k (docs/decode.md's table). */
const CONFIGS: Array<[VariantName, object]> = [
  ['full', {}], ['lora', { rank: 8, targets: ['q', 'v'], merged: false }], ['lora', { rank: 8, targets: ['q', 'v'], merged: true }],
  ['svd', { rank: 64, latentCache: true }], ['sparse-window', { window: 4096 }], ['flash', { kernel: 'tiled', tile: 256 }],
  ['flash', { kernel: 'fused' }],
];

const ort = loadOrt(), kvHeads = Number(a['kv-heads']);
const s: DecodeShape = { batch: 1, seqLen: Number(a.seq), dModel: 512, heads: 8, causal: true, newTokens: 1,
  ...(kvHeads !== 8 && { kvHeads }) };
const rng = createRng('onnx-pool'), size = (sh: number[]) => sh.reduce((x, y) => x * y, 1);
const nested = (flat: Record<string, string>) => {
  const out: Record<string, Record<string, string> | string> = {};
  for (const [k, v] of Object.entries(flat)) {
    const [head, ...rest] = k.split('.');
    if (rest.length) out[head] = { ...(out[head] as Record<string, string> ?? {}), [rest.join('.')]: v };
    else out[head] = v;
  }
  return out;
};

interface Subject { label: string; setting: string; pass: () => Promise<unknown>; times: number[]; release: () => Promise<void> }
/** A graph to time and the feeds of its next pass (its big inputs the next slot of the pool). */
interface Item { label: string; model: Uint8Array; feeds: () => Record<string, ORT.Tensor> }
const items: Item[] = [];
const chosen = a.configs ? a.configs.split(',').map(Number) : CONFIGS.map((_, i) => i);
let fullBytes = 0;
for (const i of chosen) {
  const [name, options] = CONFIGS[i], v = VARIANTS[name] as AnyVariant;
  const base = baseWeights(s, { init: 'gaussian' }, createRng('onnx-pool-w'));
  const raw = v.options.parse(options) as object, o = v.resolve ? v.resolve(s, raw, base, undefined) as object : raw;
  const found = decoderOf(name, s, o, { fusedDecode: true } as never);
  if ('skipped' in found) continue;
  const d = found.decoder, shapes = d.cacheShapes(s, o), names = Object.keys(shapes);
  if (name === 'full') fullBytes = Object.values(d.bytes(s, o)).reduce((x, y) => x + y, 0);
  const cache = Object.fromEntries(names.map((k) => [k, normalArray(rng, size(shapes[k]), 1)]));
  const program = stepProgram(d, s, o, normalArray(rng, s.dModel * s.batch, 1), cache);
  const model = traceProgram(program, v.init(s, o, createRng('init'), base)).model;
  const turn = rotation(names.map((k) => size(shapes[k])));
  const x = new ort.Tensor('float32', program.inputs.x.data, program.inputs.x.shape);
  items.push({ label: v.describe(o), model, feeds: () => {
    const views = turn ? turn.next() : names.map((k) => cache[k]);
    return { x, ...Object.fromEntries(names.map((k, j) => [`cache.${k}`, new ort.Tensor('float32', views[j], shapes[k])])) };
  } });
}
// The run's bandwidth roof for full's step: a ReduceSum over rows of 4096, at its bytes' power of two (measure/ceiling.ts).
if (fullBytes > 0) {
  const [bytes] = bandwidthSizes([fullBytes]), shape = [bytes / 4 / 4096, 4096], turn = rotation([bytes / 4])!;
  const model = traceProgram({ inputs: { x: { data: turn.next()[0], shape } }, fn: (ops, i) => ({ outputs: { y: ops.reduceSum(i.x) } }) },
    {}).model;
  const feeds = () => ({ x: new ort.Tensor('float32', turn.next()[0], shape) });
  items.push({ label: `roof: ReduceSum over [${shape.join('×')}]`, model, feeds });
}
const subjects: Subject[] = [];
for (const item of items) {
  for (const setting of a.settings!.split(',')) {
    const st = SETTINGS[setting];
    const session: ORT.InferenceSession = await ort.InferenceSession.create(item.model, { graphOptimizationLevel: 'all',
      intraOpNumThreads: st.threads ?? onnxThreads(), interOpNumThreads: 1,
      extra: { session: { ...nested(st.session), set_denormal_as_zero: '1' } } });
    subjects.push({ label: item.label, setting, pass: () => session.run(item.feeds()), times: [], release: () => session.release() });
  }
}
for (const sub of subjects) for (let i = 0; i < 5; i++) await sub.pass();
for (let b = 0; b < Number(a.blocks); b++) {
  for (const sub of [...subjects].sort(() => rng.uniform() - 0.5)) {
    const t0 = performance.now();
    await sub.pass();
    sub.times.push(performance.now() - t0);
  }
}
console.log(`N=${s.seqLen} kvHeads=${kvHeads} threads=${onnxThreads()} blocks=${a.blocks} `
  + '(median ms per step; paired per-block ratio to the first setting, 95 % interval)');
/** The samples as one round sampled in blocks (every subject one pass a block), for the report's paired ratio. */
const asRound = (times: number[]) => [{ round: 0, samplesMs: times, pairedBlocks: true, startedAt: 'probe', endedAt: 'probe' }];
const labels = [...new Set(subjects.map((x) => x.label))];
for (const label of labels) {
  const row = subjects.filter((x) => x.label === label);
  const cells = row.map((x, i) => {
    const p = i === 0 ? undefined : pairedRatio(asRound(x.times), asRound(row[0].times));
    return `${x.setting} ${median(x.times).toFixed(3)}${p ? ` (${p.ratio.toFixed(2)}, ${p.ci[0].toFixed(2)}–${p.ci[1].toFixed(2)})` : ''}`;
  });
  console.log(`  ${label.padEnd(48)} ${cells.join('  ')}`);
}
for (const sub of subjects) await sub.release();
