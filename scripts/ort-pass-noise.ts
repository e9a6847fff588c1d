/**
 * The machine's own pass-to-pass noise, without the harness (docs/variance.md, session 7): a plain ONNX
 * graph of full attention (the composed graph of ../shared/peers/onnx_attention.mjs: projections,
 * MatMul, Softmax, MatMul, output projection), K sessions of it on the same weights taking turns in
 * shuffled blocks, timed with performance.now() around session.run. Prints per session the median and the
 * robust CV of its passes (IQR / 1.349 / median), and for sessions 1 and 2 (the same graph: the true ratio
 * is 1) the spread of the per-block log-ratio, which is what the harness's paired ratio averages over blocks.
 * --adjacent puts sessions 1 and 2 next to each other in every block (the others around them, shuffled).
 *   npx tsx scripts/ort-pass-noise.ts [--seq 512] [--sessions 2] [--blocks 60] [--threads 2] [--spin 0] [--adjacent]
 */
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { quantile } from '../src/measure/latency.ts';

const { values: a } = parseArgs({ options: {
  seq: { type: 'string', default: '512' }, sessions: { type: 'string', default: '2' }, blocks: { type: 'string', default: '60' },
  threads: { type: 'string', default: '2' }, spin: { type: 'string', default: '0' }, 'd-model': { type: 'string', default: '512' },
  heads: { type: 'string', default: '8' }, adjacent: { type: 'boolean', default: false } } });
const { onnx } = onnxProto;
const [n, d, h] = [Number(a.seq), Number(a['d-model']), Number(a.heads)], dh = d / h;
const F = onnx.TensorProto.DataType.FLOAT, A = onnx.AttributeProto.AttributeType;
const vi = (name: string, dims: number[]) => onnx.ValueInfoProto.create({ name,
  type: { tensorType: { elemType: F, shape: { dim: dims.map((v) => ({ dimValue: v })) } } } });
const node = (opType: string, input: string[], output: string[], attribute: object[] = []) =>
  onnx.NodeProto.create({ opType, input, output, attribute });
const perm = (v: number[]) => ({ name: 'perm', type: A.INTS, ints: v });
let seed = 1;
const next = () => (seed = (seed * 16807) % 2147483647);
const rand = (len: number, s: number) => Float32Array.from({ length: len }, () => (next() / 2147483647 - 0.5) * s);
const init = (name: string, dims: number[], data: Float32Array) =>
  onnx.TensorProto.create({ name, dataType: F, dims, rawData: new Uint8Array(data.buffer) });
const i64 = (name: string, v: number[]) => onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.INT64, dims: [v.length],
  int64Data: v });

/** Full attention over x [1, n, d] as plain ONNX ops, its weights drawn from the same seed every time. */
function graph(): Uint8Array {
  seed = 1;
  const inits = ['q', 'k', 'v', 'o'].flatMap((p) => [init(`W${p}`, [d, d], rand(d * d, 1 / Math.sqrt(d))),
    init(`b${p}`, [d], rand(d, 0.1))]);
  inits.push(i64('heads', [1, n, h, dh]), i64('merged', [1, n, d]),
    onnx.TensorProto.create({ name: 'scale', dataType: F, dims: [], floatData: [1 / Math.sqrt(dh)] }));
  const nodes = ['q', 'k', 'v'].flatMap((p) => [node('MatMul', ['x', `W${p}`], [`${p}0`]), node('Add', [`${p}0`, `b${p}`], [`${p}1`]),
    node('Reshape', [`${p}1`, 'heads'], [`${p}2`]),
    node('Transpose', [`${p}2`], [`${p}h`], [perm(p === 'k' ? [0, 2, 3, 1] : [0, 2, 1, 3])])]);
  nodes.push(node('MatMul', ['qh', 'kh'], ['s']), node('Mul', ['s', 'scale'], ['s2']),
    node('Softmax', ['s2'], ['pr'], [{ name: 'axis', type: A.INT, i: -1 }]), node('MatMul', ['pr', 'vh'], ['c']),
    node('Transpose', ['c'], ['ct'], [perm([0, 2, 1, 3])]), node('Reshape', ['ct', 'merged'], ['cm']),
    node('MatMul', ['cm', 'Wo'], ['y0']), node('Add', ['y0', 'bo'], ['y']));
  const g = onnx.GraphProto.create({ name: 'mha', node: nodes, input: [vi('x', [1, n, d])], output: [vi('y', [1, n, d])],
    initializer: inits });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: g })).finish();
}

const options = { intraOpNumThreads: Number(a.threads), graphOptimizationLevel: 'all' as const,
  extra: { session: { intra_op: { allow_spinning: a.spin } } } };
const sessions = await Promise.all(Array.from({ length: Number(a.sessions) }, () => ort.InferenceSession.create(graph(), options)));
const feeds = { x: new ort.Tensor('float32', rand(n * d, 2), [1, n, d]) };
for (const s of sessions) for (let i = 0; i < 3; i++) await s.run(feeds);
const times: number[][] = sessions.map(() => []);
for (let b = 0; b < Number(a.blocks); b++) {
  const order = sessions.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = next() % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  if (a.adjacent && order.length > 2) { // sessions 1 and 2 next to each other, in a random order, where session 1 fell
    const rest = order.filter((i) => i > 1), at = order.indexOf(0) - (order.indexOf(1) < order.indexOf(0) ? 1 : 0);
    rest.splice(Math.min(at, rest.length), 0, ...(next() % 2 === 0 ? [0, 1] : [1, 0]));
    order.splice(0, order.length, ...rest);
  }
  for (const i of order) {
    const t = performance.now();
    await sessions[i].run(feeds);
    times[i].push(performance.now() - t);
  }
}
const sorted = (xs: number[]) => [...xs].sort((x, y) => x - y);
const robustCv = (xs: number[]) => { const s = sorted(xs); return (quantile(s, 0.75) - quantile(s, 0.25)) / 1.349 / quantile(s, 0.5); };
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
console.log(`N=${n} d=${d} ${sessions.length} session(s), ${a.threads} thread(s), spinning ${a.spin}, ${a.blocks} blocks`
  + `${a.adjacent ? ', sessions 1 and 2 adjacent' : ''}`);
times.forEach((t, i) => console.log(`  session ${i + 1}: median ${quantile(sorted(t), 0.5).toFixed(2)} ms, robust CV ${pct(robustCv(t))}`));
// One session: consecutive passes paired; several: sessions 1 and 2 in the same block.
const pairs = sessions.length > 1 ? times[0].map((x, k): [number, number] => [x, times[1][k]])
  : times[0].flatMap((x, k, t) => (k % 2 === 0 && k + 1 < t.length ? [[x, t[k + 1]] as [number, number]] : []));
const lr = sorted(pairs.map(([x, y]) => Math.log(y / x)));
const what = sessions.length > 1 ? 'sessions 1 and 2' : 'consecutive passes';
console.log(`  per-block log-ratio of ${what}: median ${pct(quantile(lr, 0.5))}, `
  + `robust sd ${pct((quantile(lr, 0.75) - quantile(lr, 0.25)) / 1.349)}`);
await Promise.all(sessions.map((s) => s.release()));
