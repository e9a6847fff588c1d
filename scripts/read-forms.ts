/**
 * Which streaming read reads fastest on onnx/cpu: forms of reading one input of `MiB` from the
 * rotating pool (measure/rotation.ts: the next slot each pass, from memory), each a session made as
 * the harness makes one, sampled in shuffled turns in one process:
 *   ReduceSum rows   the sum of every row of [rows × 4096] (the run's bandwidth ceiling)
 *   ReduceSum all    the sum of every element of [rows × 4096]
 *   q·Aᵀ             one row [1 × 64] against the input as [n × 64], transposed (a decode step's q·Kᵀ)
 *   p·A              one row [1 × n] against the input as [n × 64] (a decode step's P·V)
 *   npx tsx scripts/read-forms.ts [MiB=32] [passes=100]
 * Not a test: timings on a shared machine; run it under /work/coord/cpu.
 */
import { createEngine, listEngines } from '../src/engine/resolve.ts';
import type { Ops } from '../src/engine/ops.ts';
import type { Prepared } from '../src/engine/types.ts';
import { createRng, normalArray } from '../src/linalg/rng.ts';
import { rotation } from '../src/measure/rotation.ts';
import { median } from '../src/report/paired.ts';

const [MiB, passes] = [32, 100].map((d, i) => Number(process.argv[2 + i] ?? d));
const n = (MiB * 2 ** 20) / 4, E = 64, rows = n / 4096;
const info = (await listEngines(['onnx'])).find((e) => e.id === 'onnx/cpu' && e.available);
if (!info) throw new Error('onnx/cpu is not available here');
const engine = await createEngine(info), rng = createRng('read-forms');
const turn = rotation([n]);
if (!turn) throw new Error(`${MiB} MiB does not fit the pool`);

type Form = { shape: number[]; fn: <T>(ops: Ops<T>, a: T, v: T) => T; v: number[] };
const FORMS: Record<string, Form> = {
  'ReduceSum rows': { shape: [rows, 4096], fn: (ops, a) => ops.reduceSum(a), v: [1] },
  'ReduceSum all': { shape: [n], fn: (ops, a) => ops.reduceSum(a), v: [1] },
  'q·Aᵀ': { shape: [n / E, E], fn: (ops, a, v) => ops.matMul(v, a, false, true), v: [1, E] },
  'p·A': { shape: [n / E, E], fn: (ops, a, v) => ops.matMul(v, a), v: [1, n / E] },
  'q·Aᵀ, 8 heads': { shape: [8, n / E / 8, E], fn: (ops, a, v) => ops.matMul(v, a, false, true), v: [8, 1, E] },
  'p·A, 8 heads': { shape: [8, n / E / 8, E], fn: (ops, a, v) => ops.matMul(v, a), v: [8, 1, n / E / 8] },
  'ReduceSum rows 64K': { shape: [n / 65536, 65536], fn: (ops, a) => ops.reduceSum(a), v: [1] },
  'ReduceMax rows': { shape: [rows, 4096], fn: (ops, a) => ops.reduceMax(a), v: [1] },
};
const sessions: Array<{ name: string; p: Prepared; shape: number[]; times: number[] }> = [];
for (const [name, f] of Object.entries(FORMS)) {
  const v = { data: normalArray(rng, f.v.reduce((x, y) => x * y, 1), 1), shape: f.v };
  const inputs = { a: { data: turn.next()[0], shape: f.shape }, v };
  const p = await engine.prepare({ fn: (ops, i) => ({ outputs: { y: f.fn(ops, i.a, i.v) } }), inputs }, {});
  sessions.push({ name, p, shape: f.shape, times: [] });
}
const pass = (s: (typeof sessions)[number]) => s.p.run({ a: { data: turn.next()[0], shape: s.shape } });
for (const s of sessions) for (let i = 0; i < 3; i++) await pass(s);
for (let i = 0; i < passes; i++) {
  for (const s of [...sessions].sort(() => rng.uniform() - 0.5)) {
    const t0 = performance.now();
    await pass(s);
    s.times.push(performance.now() - t0);
  }
}
for (const s of sessions) {
  const ms = median(s.times);
  console.log(`${MiB} MiB ${s.name.padEnd(16)} ${ms.toFixed(3)} ms  ${(4 * n / ms / 1e6).toFixed(1)} GB/s`);
}
for (const s of sessions) await s.p.dispose();
