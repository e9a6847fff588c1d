/**
 * Whether the join of a decode step's scores costs a measurable share: attendBlocks (the dense
 * decoders' core: the cache's scores and the new key's joined by a Concat, one Softmax, Slices back)
 * against the same softmax written per block (max, exp and sum of each block, no join), the new key
 * one block, the cache from the rotating pool, both sessions in shuffled turns, paired per turn.
 *   npx tsx scripts/score-join.ts [N=8192] [kvHeads=2]
 * What it told (session 7): 2 K/V heads 1.003 (0.975–1.027), 8 K/V heads 1.005 (0.991–1.023): no
 * measurable difference, so the core keeps its join. Not a test; run it under /work/coord/cpu.
 */
import { createEngine, listEngines } from '../src/engine/resolve.ts';
import type { HostTensor, Ops } from '../src/engine/ops.ts';
import { createRng, normalArray } from '../src/linalg/rng.ts';
import { rotation } from '../src/measure/rotation.ts';
import { median, pairedRatio } from '../src/report/paired.ts';
import { attendBlocks } from '../src/variants/decode/core.ts';
const [N, KV] = [Number(process.argv[2] ?? 8192), Number(process.argv[3] ?? 2)];
const H = 8, E = 64, g = H / KV;
const info = (await listEngines(['onnx'])).find((e) => e.id === 'onnx/cpu')!;
const engine = await createEngine(info), rng = createRng('j');
const t = (shape: number[]): HostTensor => ({ data: normalArray(rng, shape.reduce((a, b) => a * b, 1), 1), shape });
const kv = [1, KV, N, E], size = KV * N * E;
/** The same attention, softmax per block: m = max of both blocks' maxima, Σ e^(s − m)·V / Σ e^(s − m). */
function manual<T>(ops: Ops<T>, q: T, K: T, V: T, kn: T, vn: T): T {
  const qg = ops.mul(ops.reshape(q, [1, KV, g, E]), ops.constant(new Float32Array(E).fill(1 / Math.sqrt(E)), [E]));
  const sc = ops.matMul(qg, K, false, true), sn = ops.matMul(qg, kn, false, true);
  const m = ops.maximum(ops.reduceMax(sc), sn);
  const ec = ops.exp(ops.sub(sc, m)), en = ops.exp(ops.sub(sn, m));
  const l = ops.add(ops.reduceSum(ec), en);
  return ops.reshape(ops.div(ops.add(ops.matMul(ec, V), ops.matMul(en, vn)), l), [1, H, 1, E]);
}
const inputs = { q: t([1, H, 1, E]), K: t(kv), V: t(kv), kn: t([1, KV, 1, E]), vn: t([1, KV, 1, E]) };
const joined = <T>(ops: Ops<T>, i: Record<string, T>) => attendBlocks(ops, i.q, [{ k: i.K, v: i.V }, { k: i.kn, v: i.vn }]);
const a = await engine.prepare({ inputs, fn: (ops, i) => ({ outputs: { y: joined(ops, i) } }) }, {});
const b = await engine.prepare({ inputs, fn: (ops, i) => ({ outputs: { y: manual(ops, i.q, i.K, i.V, i.kn, i.vn) } }) }, {});
const ya = (await a.run()).y, yb = (await b.run()).y;
console.log('max |difference| of the outputs', Math.max(...ya.map((x, i) => Math.abs(x - yb[i]))));
const turn = rotation([size, size])!;
const ta: number[] = [], tb: number[] = [];
const pass = (p: typeof a) => {
  const [K, V] = turn.next();
  return p.run({ K: { data: K, shape: kv }, V: { data: V, shape: kv } });
};
for (let i = 0; i < 5; i++) { await pass(a); await pass(b); }
for (let i = 0; i < 200; i++) {
  const order = rng.uniform() < 0.5 ? [0, 1] : [1, 0];
  for (const j of order) {
    const s = performance.now();
    await pass(j ? b : a);
    (j ? tb : ta).push(performance.now() - s);
  }
}
const r = (x: number[]) => [{ round: 0, samplesMs: x, pairedBlocks: true, startedAt: 'p', endedAt: 'p' }];
const p = pairedRatio(r(tb), r(ta))!;
console.log(`N=${N} KV=${KV} join (attendBlocks) ${median(ta).toFixed(3)} ms, per block ${median(tb).toFixed(3)} ms, `
  + `ratio ${p.ratio.toFixed(3)} (${p.ci[0].toFixed(3)}–${p.ci[1].toFixed(3)})`);
