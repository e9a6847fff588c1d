/**
 * A decode step's attention core alone on onnx/cpu, grouped-query heads: one new token's 8 query heads
 * against a cache of N keys with kvHeads K/V heads, the cache an input taken from a pool of ~600 MB
 * in turn (read from memory, as a harness step's: measure/rotation.ts). Five ways of writing the same
 * products, each a session of its own, sampled in shuffled turns:
 *   rows            a group's query heads as the rows of one product (variants/decode/core.ts: what runs)
 *   K·qᵀ            the cache as the left operand of both products, transposes after
 *   one row         every query head its own single-row products against its K/V head, broadcast
 *   rows, P·V 1-row scores as rows, then one single-row P·V per query head
 *   K·qᵀ, P·V rows  scores with the cache on the left, P·V as rows
 *   one row per tile  the cache in tiles of 256 keys, each query head a single row against a tile,
 *                   the g heads of a tile in turn (the tile read again from L1/L2, not memory)
 * and, as the roof, a streaming read of the same K and V (ReduceSum, as the run's bandwidth ceiling).
 *   npx tsx scripts/gqa-core.ts [N=8192] [kvHeads=2] [passes=200]
 * What it told (session 6, N=8192, 2 KV heads, two runs): rows 1.17–1.19 ms against 0.98–0.99 ms
 * for the read, 84 % of its speed; the other forms 1.05–1.36× rows. The core is not what keeps a
 * 2-KV-head step at half its ideal (docs/decode.md). Session 7: one row per tile 1.08× rows (1.163
 * against 1.073 ms; tiles of 64 and 2048 keys slower still); the read here is a ReduceSum over rows
 * of E = 64 floats, slower than the run's roof (rows of 4096: scripts/read-forms.ts).
 */
import { createEngine, listEngines } from '../src/engine/resolve.ts';
import type { HostTensor, Ops } from '../src/engine/ops.ts';
import type { Prepared } from '../src/engine/types.ts';
import { createRng, normalArray } from '../src/linalg/rng.ts';
import { median } from '../src/report/paired.ts';

const [N, KV, passes] = [8192, 2, 200].map((d, i) => Number(process.argv[2 + i] ?? d));
const H = 8, E = 64, g = H / KV, kvShape = [1, KV, N, E], kvSize = KV * N * E;
const info = (await listEngines(['onnx'])).find((e) => e.id === 'onnx/cpu' && e.available);
if (!info) throw new Error('onnx/cpu is not available here');
const engine = await createEngine(info), rng = createRng('gqa-core');
const tensor = (shape: number[]): HostTensor => ({ data: normalArray(rng, shape.reduce((a, b) => a * b, 1), 1), shape });

type Core = <T>(ops: Ops<T>, q: T, K: T, V: T) => T;
const perRow = <T>(ops: Ops<T>, t: T, last: number) => ops.reshape(t, [1, KV, 1, N, last]);
const FORMS: Record<string, Core> = {
  rows: (ops, q, K, V) => ops.matMul(ops.softmax(ops.matMul(q, K, false, true)), V),
  'K·qᵀ': (ops, q, K, V) => {
    const scores = ops.transpose(ops.matMul(K, q, false, true), [0, 1, 3, 2]);
    return ops.transpose(ops.matMul(V, ops.softmax(scores), true, true), [0, 1, 3, 2]);
  },
  'one row': (ops, q, K, V) => {
    const p = ops.softmax(ops.matMul(ops.reshape(q, [1, KV, g, 1, E]), perRow(ops, K, E), false, true));
    return ops.reshape(ops.matMul(p, perRow(ops, V, E)), [1, KV, g, E]);
  },
  'rows, P·V 1-row': (ops, q, K, V) => {
    const p = ops.softmax(ops.matMul(q, K, false, true));
    return ops.reshape(ops.matMul(ops.reshape(p, [1, KV, g, 1, N]), perRow(ops, V, E)), [1, KV, g, E]);
  },
  // Not attention: the roof. A streaming read of the same K and V (what the run's bandwidth ceiling does), in the same turns.
  'read (ReduceSum)': (ops, _q, K, V) => ops.add(ops.reduceSum(K), ops.reduceSum(V)),
  'K·qᵀ, P·V rows': (ops, q, K, V) => ops.matMul(ops.softmax(ops.transpose(ops.matMul(K, q, false, true), [0, 1, 3, 2])), V),
  'one row per tile': (ops, q, K, V) => {
    const T = 256, nT = N / T, tiles = (t: typeof K) => ops.reshape(t, [1, KV, nT, 1, T, E]);
    const qt = ops.reshape(ops.concat(Array.from({ length: nT }, () => ops.reshape(q, [1, KV, 1, g * E])), 2), [1, KV, nT, g, 1, E]);
    const s = ops.matMul(qt, tiles(K), false, true); // [1, KV, nT, g, 1, T]: a tile's g rows in turn
    const p = ops.softmax(ops.reshape(ops.transpose(s, [0, 1, 3, 2, 4, 5]), [1, KV, g, N]));
    const pt = ops.transpose(ops.reshape(p, [1, KV, g, nT, 1, T]), [0, 1, 3, 2, 4, 5]); // [1, KV, nT, g, 1, T]
    const o = ops.matMul(pt, tiles(V)); // [1, KV, nT, g, 1, E]
    return ops.reshape(ops.reduceSum(ops.transpose(o, [0, 1, 3, 4, 5, 2])), [1, KV, g, E]);
  },
};

const inputs = { q: tensor([1, KV, g, E]), K: tensor(kvShape), V: tensor(kvShape) };
const sessions: Array<[string, Prepared]> = [];
for (const [name, core] of Object.entries(FORMS)) {
  sessions.push([name, await engine.prepare({ fn: (ops, i) => ({ outputs: { y: core(ops, i.q, i.K, i.V) } }), inputs }, {})]);
}
const slots = Math.ceil(600e6 / (8 * kvSize)), pool = new Float32Array(slots * 2 * kvSize).fill(0.01);
let turn = 0;
const nextCache = () => {
  const at = (turn++ % slots) * 2 * kvSize;
  const view = (from: number) => ({ data: pool.subarray(from, from + kvSize), shape: kvShape });
  return { K: view(at), V: view(at + kvSize) };
};
const times = new Map<string, number[]>(sessions.map(([name]) => [name, []]));
for (const [, p] of sessions) await p.run(nextCache()); // first passes: allocations, not timed
for (let i = 0; i < passes; i++) {
  for (const [name, p] of [...sessions].sort(() => rng.uniform() - 0.5)) {
    const cache = nextCache(), t0 = performance.now();
    await p.run(cache);
    times.get(name)!.push(performance.now() - t0);
  }
}
for (const [name, t] of times) {
  const ms = median(t);
  console.log(`N=${N} kvHeads=${KV} ${name.padEnd(16)} ${ms.toFixed(3)} ms  cache read at ${(8 * kvSize / ms / 1e6).toFixed(1)} GB/s`);
}
for (const [, p] of sessions) await p.dispose();
