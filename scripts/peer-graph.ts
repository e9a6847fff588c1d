/**
 * The hand-written peer graph of ../shared/peers/onnx_attention.mjs (its composed kernel, graph()),
 * rebuilt here with its weights drawn as there, so attnbench's traced `full` can be set beside it
 * in one process (scripts/peer-onnx-graphs.ts; test/scripts/peer-graph.test.ts compares ORT's
 * optimised graphs of the two).
 */
import { createRequire } from 'node:module';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto');
type INodeProto = OnnxTypes.INodeProto;

/** The peer's composed graph (onnx_attention.mjs, graph()), weights drawn as there. */
export function peerGraph(n: number, d: number, h: number): Uint8Array {
  const dh = d / h;
  const F = onnx.TensorProto.DataType.FLOAT, A = onnx.AttributeProto.AttributeType;
  const vi = (name: string, dims: number[]) => onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: F,
    shape: { dim: dims.map((dimValue) => ({ dimValue })) } } } });
  const node = (op: string, input: string[], output: string[], attribute: object[] = []) =>
    onnx.NodeProto.create({ opType: op, input, output, attribute });
  const ints = (name: string, v: number[]) => ({ name, type: A.INTS, ints: v });
  let seed = 1;
  const rand = (len: number, s: number) => Float32Array.from({ length: len },
    () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * s);
  const init = (name: string, dims: number[], data: Float32Array) =>
    onnx.TensorProto.create({ name, dataType: F, dims, rawData: new Uint8Array(data.buffer) });
  const i64 = (name: string, v: number[]) =>
    onnx.TensorProto.create({ name, dataType: onnx.TensorProto.DataType.INT64, dims: [v.length], int64Data: v });
  const inits = [], nodes = [];
  for (const p of ['q', 'k', 'v', 'o']) inits.push(init(`W${p}`, [d, d], rand(d * d, 1 / Math.sqrt(d))), init(`b${p}`, [d], rand(d, 0.1)));
  inits.push(i64('heads', [1, n, h, dh]), i64('merged', [1, n, d]),
    onnx.TensorProto.create({ name: 'scale', dataType: F, dims: [], floatData: [1 / Math.sqrt(dh)] }));
  for (const p of ['q', 'k', 'v']) {
    nodes.push(node('MatMul', ['x', `W${p}`], [`${p}0`]), node('Add', [`${p}0`, `b${p}`], [`${p}1`]),
      node('Reshape', [`${p}1`, 'heads'], [`${p}2`]),
      node('Transpose', [`${p}2`], [`${p}h`], [ints('perm', p === 'k' ? [0, 2, 3, 1] : [0, 2, 1, 3])]));
  }
  nodes.push(node('MatMul', ['qh', 'kh'], ['s']), node('Mul', ['s', 'scale'], ['s2']),
    node('Softmax', ['s2'], ['pr'], [{ name: 'axis', type: A.INT, i: -1 }]),
    node('MatMul', ['pr', 'vh'], ['c']), node('Transpose', ['c'], ['ct'], [ints('perm', [0, 2, 1, 3])]),
    node('Reshape', ['ct', 'merged'], ['cm']), node('MatMul', ['cm', 'Wo'], ['y0']), node('Add', ['y0', 'bo'], ['y']));
  const g = onnx.GraphProto.create({ name: 'mha', node: nodes, input: [vi('x', [1, n, d])], output: [vi('y', [1, n, d])],
    initializer: inits });
  return onnx.ModelProto.encode(onnx.ModelProto.create({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: g })).finish();
}

/** An optimised node as op type and attributes, e.g. Transpose(perm=0213). */
export const nodeText = (nd: INodeProto) => nd.opType + (nd.attribute?.length
  ? `(${nd.attribute.map((t) => `${t.name}=${t.ints?.length ? t.ints.join('') : t.f || t.i}`).join(',')})` : '');
