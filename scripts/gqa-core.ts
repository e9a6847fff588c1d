/**
 * A decode step's attention core alone on onnx/cpu, grouped-query heads: one new token's 8 query heads
 * against a cache of N keys with kvHeads K/V heads (weights of one session, so K and V stay where the
 * last pass left them: in cache, unlike a harness step's, which rotates over a pool). Three ways of
 * writing the same products, each a session of its own, sampled in shuffled turns:
 *   rows      a group's query heads as the rows of one product (variants/mha.ts, attentionCore: what runs)
 *   K·qᵀ      the cache as the left operand, then a transpose
 *   one row   every query head its own single-row product against its K/V head, broadcast
 *   npx tsx scripts/gqa-core.ts [N=8192] [kvHeads=2] [passes=300]
 * What it told (session 6, N=8192): rows is the fastest or within 4 % (2 KV heads 0.75 ms, 8 KV heads
 * 2.08 ms) while the whole step took 1.86 and 3.98 ms: most of a step outside its core.
 */
import { createEngine, listEngines } from '../src/engine/resolve.ts';
import type { Ops } from '../src/engine/ops.ts';
import { forwardProgram, type ForwardFn, type Prepared } from '../src/engine/types.ts';
import { createRng, normalArray } from '../src/linalg/rng.ts';

const [N, KV, passes] = [8192, 2, 300].map((d, i) => Number(process.argv[2 + i] ?? d));
const H = 8, E = 64, g = H / KV;
const info = (await listEngines(['onnx'])).find((e) => e.id === 'onnx/cpu' && e.available);
if (!info) throw new Error('onnx/cpu is not available here');
const engine = await createEngine(info), rng = createRng('gqa-core');
const tensor = (shape: number[]) => ({ data: normalArray(rng, shape.reduce((a, b) => a * b, 1), 1), shape });
const q = tensor([1, KV, g, E]), cache = { K: tensor([1, KV, N, E]), V: tensor([1, KV, N, E]) };

const FORMS: Record<string, ForwardFn> = {
  rows: <T>(ops: Ops<T>, x: T, w: Record<string, T>) => ops.matMul(ops.softmax(ops.matMul(x, w.K, false, true)), w.V),
  'K·qᵀ': <T>(ops: Ops<T>, x: T, w: Record<string, T>) => {
    const scores = ops.transpose(ops.matMul(w.K, x, false, true), [0, 1, 3, 2]);
    return ops.transpose(ops.matMul(w.V, ops.softmax(scores), true, true), [0, 1, 3, 2]);
  },
  'one row': <T>(ops: Ops<T>, x: T, w: Record<string, T>) => {
    const [x1, k1, v1] = [ops.reshape(x, [1, KV, g, 1, E]), ops.reshape(w.K, [1, KV, 1, N, E]), ops.reshape(w.V, [1, KV, 1, N, E])];
    return ops.reshape(ops.matMul(ops.softmax(ops.matMul(x1, k1, false, true)), v1), [1, KV, g, E]);
  },
};

const sessions: Array<[string, Prepared]> = [];
for (const [name, forward] of Object.entries(FORMS)) sessions.push([name, await engine.prepare(forwardProgram(forward, q), cache)]);
const times = new Map<string, number[]>(sessions.map(([name]) => [name, []]));
for (const [, p] of sessions) await p.run(); // first passes: allocations, not timed
for (let i = 0; i < passes; i++) {
  for (const [name, p] of [...sessions].sort(() => rng.uniform() - 0.5)) {
    const t0 = performance.now();
    await p.run();
    times.get(name)!.push(performance.now() - t0);
  }
}
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];
const rows = median(times.get('rows')!);
for (const [name, t] of times) {
  console.log(`N=${N} kvHeads=${KV} ${name.padEnd(8)} ${median(t).toFixed(3)} ms  ×${(median(t) / rows).toFixed(3)}`);
}
for (const [, p] of sessions) await p.dispose();
