/**
 * ONNX Runtime's com.microsoft GroupQueryAttention alone, one decode step (s = 1) at context N, two
 * ways, interleaved pass by pass in one process (not through the harness: no rounds, no intervals):
 *   copy      past_key/past_value of N rows; ORT zeroes a present of N + 1 rows and copies the past
 *             into it every step (what flash kernel=fused runs in the harness: src/engine/onnx/trace.ts)
 *   in place  past and present on one preallocated buffer of N + 1 rows (the present outputs fetched
 *             into the past inputs' memory): ORT sees the same pointer and writes only the new row
 * Checks that both give the same output and that the new key row landed in the buffer, then prints
 * each way's median and the median of the per-pass ratios.
 *   npx tsx scripts/gqa-in-place.ts [kvHeads] [N] [passes]
 */
import onnxProto from 'onnx-proto';
import { loadOrt } from '../src/engine/onnx/session.ts';
import { createRng, normalArray } from '../src/linalg/rng.ts';

const { onnx } = onnxProto;
const [kvArg = '8', nArg = '8192', passArg = '200'] = process.argv.slice(2);
const H = 8, E = 64, D = H * E, Hkv = Number(kvArg), N = Number(nArg), M = N + 1, KV = Hkv * E;
const ort = loadOrt();
const FLOAT = onnx.TensorProto.DataType.FLOAT, INT32 = onnx.TensorProto.DataType.INT32;
const info = (name: string, shape: number[]) =>
  ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } });

/** One GroupQueryAttention node over a past of `pastLen` rows (N: copy; N + 1: in place), its outputs the graph's. */
function model(pastLen: number): Uint8Array {
  const node = { opType: 'GroupQueryAttention', domain: 'com.microsoft', name: 'gqa',
    input: ['q', 'k', 'v', 'pk', 'pv', 'seqlens', 'total'], output: ['out', 'presk', 'presv'],
    attribute: [{ name: 'num_heads', type: 2, i: H }, { name: 'kv_num_heads', type: 2, i: Hkv }] };
  const graph = { name: 'gqa', node: [node],
    initializer: [{ name: 'seqlens', dataType: INT32, dims: [1], int32Data: [N] },
      { name: 'total', dataType: INT32, dims: [], int32Data: [N + 1] }],
    input: [info('q', [1, 1, D]), info('k', [1, 1, KV]), info('v', [1, 1, KV]), info('pk', [1, Hkv, pastLen, E]),
      info('pv', [1, Hkv, pastLen, E])],
    output: [info('out', [1, 1, D]), info('presk', [1, Hkv, M, E]), info('presv', [1, Hkv, M, E])] };
  const opsetImport = [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }];
  return onnx.ModelProto.encode({ irVersion: 8, opsetImport, graph }).finish();
}

const rng = createRng('gqa-in-place'), draw = (n: number) => normalArray(rng, n, 1);
const q = draw(D), k = draw(KV), v = draw(KV), past = { k: draw(Hkv * N * E), v: draw(Hkv * N * E) };
/** A buffer of N + 1 rows per head holding the past's N. */
function roomy(p: Float32Array): Float32Array {
  const b = new Float32Array(Hkv * M * E);
  for (let h = 0; h < Hkv; h++) b.set(p.subarray(h * N * E, (h + 1) * N * E), h * M * E);
  return b;
}
const buffer = { k: roomy(past.k), v: roomy(past.v) };
const tensor = (d: Float32Array, s: number[]) => new ort.Tensor('float32', d, s);
const feeds = (pk: Float32Array, pv: Float32Array, len: number) => ({ q: tensor(q, [1, 1, D]), k: tensor(k, [1, 1, KV]),
  v: tensor(v, [1, 1, KV]), pk: tensor(pk, [1, Hkv, len, E]), pv: tensor(pv, [1, Hkv, len, E]) });
const fetches = { out: null, presk: tensor(buffer.k, [1, Hkv, M, E]), presv: tensor(buffer.v, [1, Hkv, M, E]) };
const options = { executionProviders: ['cpu'], graphOptimizationLevel: 'all' as const, intraOpNumThreads: 2,
  extra: { session: { intra_op: { allow_spinning: '0' } } } };
const copying = await ort.InferenceSession.create(model(N), options), inPlace = await ort.InferenceSession.create(model(M), options);
const copy = () => copying.run(feeds(past.k, past.v, N));
const place = () => inPlace.run(feeds(buffer.k, buffer.v, M), fetches);

const [a, b] = [await copy(), await place()];
const gap = Math.max(...Array.from(a.out.data as Float32Array, (x, i) => Math.abs(x - (b.out.data as Float32Array)[i])));
const wrote = buffer.k.subarray(N * E, M * E).every((x, i) => x === k[i]);
console.log(`outputs differ by at most ${gap}; the new key row written into the buffer in place: ${wrote}`);
const times = { copy: [] as number[], place: [] as number[], ratio: [] as number[] };
for (let i = 0; i < Number(passArg); i++) {
  let t = performance.now();
  await copy();
  const c = performance.now() - t;
  t = performance.now();
  await place();
  const p = performance.now() - t;
  times.copy.push(c); times.place.push(p); times.ratio.push(p / c);
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
console.log(`kvHeads ${Hkv}, N ${N}: copy ${median(times.copy).toFixed(2)} ms, in place ${median(times.place).toFixed(2)} ms, `
  + `median per-pass ratio ${median(times.ratio).toFixed(3)}`);
