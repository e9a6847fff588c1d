/**
 * Traces a forward pass, written against `Ops`, into an ONNX model: every op records a node
 * instead of computing, weights become initializers, and shapes are static, checked by the shape
 * rules of ../flop-recorder.ts. The model has one input `x` and one output `y`.
 */
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import type { HostTensor, Ops } from '../ops.ts';
import type { ForwardFn } from '../types.ts';
import { attentionShape, broadcast, concatShape, matMulShape, padShape, reducedShape, reshapeShape, sliceShape, swapLastPerm,
  transposeShape, type Shaped } from '../flop-recorder.ts';

const { onnx } = onnxProto;
type IAttr = OnnxTypes.IAttributeProto;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const ATTR = onnx.AttributeProto.AttributeType;

/** A tensor while tracing: the name of the graph value and its static shape. */
export interface Sym extends Shaped {
  name: string;
}

export interface TracedGraph {
  model: Uint8Array;
  output: Sym;
}

/** The nodes and initializers of a graph being built; names are unique within it. */
interface GraphBuilder {
  nodes: OnnxTypes.INodeProto[];
  inits: OnnxTypes.ITensorProto[];
  fresh(prefix: string): string;
  node(op: string, inputs: string[], shape: number[], attribute?: IAttr[], domain?: string): Sym;
  floatInit(name: string, data: Float32Array, shape: number[]): Sym;
  /** A 1-D int64 initializer (shapes, slice bounds, paddings); returns its name. */
  int64Init(values: number[]): string;
}

function graphBuilder(): GraphBuilder {
  const nodes: OnnxTypes.INodeProto[] = [], inits: OnnxTypes.ITensorProto[] = [];
  let counter = 0;
  const fresh = (prefix: string) => `${prefix}_${counter++}`;
  return {
    nodes, inits, fresh,
    node(op, inputs, shape, attribute = [], domain) {
      const name = fresh(op.toLowerCase());
      nodes.push({ opType: op, input: inputs, output: [name], name, attribute, ...(domain && { domain }) });
      return { name, shape };
    },
    floatInit(name, data, shape) {
      const rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
      inits.push({ name, dataType: FLOAT, dims: shape, rawData });
      return { name, shape };
    },
    int64Init(values) {
      const name = fresh('i64');
      inits.push({ name, dataType: INT64, dims: [values.length], int64Data: values });
      return name;
    },
  };
}

const ints = (name: string, v: number[]): IAttr => ({ name, type: ATTR.INTS, ints: v });
const int = (name: string, i: number): IAttr => ({ name, type: ATTR.INT, i });

/** ONNX Runtime's contrib-op domain: MultiHeadAttention lives there (docs/ContribOperators.md). */
const MS_DOMAIN = 'com.microsoft';

/** `Ops` that add nodes to `g`. */
function graphOps(g: GraphBuilder): Ops<Sym> {
  const transpose = (a: Sym, perm: number[]) => g.node('Transpose', [a.name], transposeShape(a.shape, perm), [ints('perm', perm)]);
  const transposed = (a: Sym, t: boolean) => t ? transpose(a, swapLastPerm(a.shape.length)) : a;
  return {
    shape: (a) => a.shape.slice(),
    matMul(a, b, ta = false, tb = false) {
      const A = transposed(a, ta), B = transposed(b, tb);
      return g.node('MatMul', [A.name, B.name], matMulShape(A.shape, B.shape).shape);
    },
    add: (a, b) => g.node('Add', [a.name, b.name], broadcast(a.shape, b.shape)),
    mul: (a, b) => g.node('Mul', [a.name, b.name], broadcast(a.shape, b.shape)),
    sub: (a, b) => g.node('Sub', [a.name, b.name], broadcast(a.shape, b.shape)),
    div: (a, b) => g.node('Div', [a.name, b.name], broadcast(a.shape, b.shape)),
    maximum: (a, b) => g.node('Max', [a.name, b.name], broadcast(a.shape, b.shape)),
    exp: (a) => g.node('Exp', [a.name], a.shape),
    // Opset 17: ReduceMax takes its axes as an attribute, ReduceSum (since 13) as an input.
    reduceMax: (a) => g.node('ReduceMax', [a.name], reducedShape(a.shape), [ints('axes', [-1]), int('keepdims', 1)]),
    reduceSum: (a) => g.node('ReduceSum', [a.name, g.int64Init([-1])], reducedShape(a.shape), [int('keepdims', 1)]),
    scale: (a, s) => g.node('Mul', [a.name, g.floatInit(g.fresh('scale'), Float32Array.of(s), []).name], a.shape),
    softmax: (a) => g.node('Softmax', [a.name], a.shape, [int('axis', -1)]),
    reshape: (a, shape) => g.node('Reshape', [a.name, g.int64Init(shape)], reshapeShape(a.shape, shape)),
    transpose,
    slice: (a, begin, size) => g.node('Slice', [a.name, g.int64Init(begin), g.int64Init(begin.map((b, i) => b + size[i]))],
      sliceShape(a.shape, begin, size)),
    concat: (ts, axis) => g.node('Concat', ts.map((t) => t.name), concatShape(ts.map((t) => t.shape), axis), [int('axis', axis)]),
    pad: (a, p) => g.node('Pad', [a.name, g.int64Init([...p.map((x) => x[0]), ...p.map((x) => x[1])])], padShape(a.shape, p)),
    constant: (data, shape) => g.floatInit(g.fresh('const'), data, shape),
    scope: (fn) => fn(), // a static graph: ORT's memory planner decides what lives when
    attention: (q, k, v, heads, causal) => g.node('MultiHeadAttention', [q.name, k.name, v.name],
      attentionShape(q.shape, k.shape, v.shape, heads).shape, [int('num_heads', heads), int('unidirectional', causal ? 1 : 0)], MS_DOMAIN),
  };
}

/** Serializes the graph with input `x` of `inputShape` and output `y`, the value `out` names. */
function encodeModel(g: GraphBuilder, inputShape: number[], out: Sym): Uint8Array {
  g.nodes.push({ opType: 'Identity', input: [out.name], output: ['y'], name: 'output' });
  const valueInfo = (name: string, shape: number[]): OnnxTypes.IValueInfoProto =>
    ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } });
  const graph: OnnxTypes.IGraphProto = { name: 'attnbench', node: g.nodes, initializer: g.inits,
    input: [valueInfo('x', inputShape)], output: [valueInfo('y', out.shape)] };
  return onnx.ModelProto.encode({ irVersion: 8, producerName: 'attnbench',
    opsetImport: [{ domain: '', version: 17 }, { domain: MS_DOMAIN, version: 1 }], graph }).finish();
}

/** Traces `forward` into an ONNX model with input `x` and output `y`. */
export function traceGraph(forward: ForwardFn, weights: Record<string, HostTensor>, inputShape: number[]): TracedGraph {
  const g = graphBuilder();
  const w: Record<string, Sym> = {};
  for (const [name, t] of Object.entries(weights)) w[name] = g.floatInit(`w.${name}`, t.data, t.shape);
  let y = forward(graphOps(g), { name: 'x', shape: inputShape }, w);
  if (!g.nodes.some((n) => n.output?.[0] === y.name)) y = g.node('Identity', [y.name], y.shape);
  return { model: encodeModel(g, inputShape, y), output: { name: 'y', shape: y.shape } };
}
