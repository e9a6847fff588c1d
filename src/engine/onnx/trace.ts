/**
 * Traces a forward pass, written against `Ops`, into an ONNX model: every op records a node
 * instead of computing, weights become initializers, and shapes are static, checked by the shape
 * rules of ../flop-recorder.ts. A program's named inputs, outputs and state become graph inputs and
 * outputs (traceProgram); a plain forward has one input `x` and one output `y` (traceGraph).
 */
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import type { HostTensor, Ops } from '../ops.ts';
import { FORWARD_OUTPUT, forwardProgram, type ForwardFn, type Program } from '../types.ts';
import { attentionShape, broadcast, concatShape, decodeAttentionShape, gatherShape, matMulShape, padShape, reducedShape, reshapeShape,
  sliceShape, swapLastPerm, transposeShape, type Shaped } from '../flop-recorder.ts';

const { onnx } = onnxProto;
type IAttr = OnnxTypes.IAttributeProto;

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const INT32 = onnx.TensorProto.DataType.INT32;
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
  /** A node; its first output is the returned value, `unread` more outputs are named but read by nothing. */
  node(op: string, inputs: string[], shape: number[], attribute?: IAttr[], domain?: string, unread?: number): Sym;
  floatInit(name: string, data: Float32Array, shape: number[]): Sym;
  /** A 1-D int64 initializer (shapes, slice bounds, paddings); returns its name. */
  int64Init(values: number[]): string;
  /** An int32 initializer of shape `dims` (GroupQueryAttention's lengths); returns its name. */
  int32Init(values: number[], dims: number[]): string;
}

function graphBuilder(): GraphBuilder {
  const nodes: OnnxTypes.INodeProto[] = [], inits: OnnxTypes.ITensorProto[] = [];
  let counter = 0;
  const fresh = (prefix: string) => `${prefix}_${counter++}`;
  return {
    nodes, inits, fresh,
    node(op, inputs, shape, attribute = [], domain, unread = 0) {
      const name = fresh(op.toLowerCase()), more = Array.from({ length: unread }, (_, i) => `${name}.${i + 1}`);
      nodes.push({ opType: op, input: inputs, output: [name, ...more], name, attribute, ...(domain && { domain }) });
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
    int32Init(values, dims) {
      const name = fresh('i32');
      inits.push({ name, dataType: INT32, dims, int32Data: values });
      return name;
    },
  };
}

const ints = (name: string, v: number[]): IAttr => ({ name, type: ATTR.INTS, ints: v });
const int = (name: string, i: number): IAttr => ({ name, type: ATTR.INT, i });

/** ONNX Runtime's contrib-op domain: MultiHeadAttention and GroupQueryAttention live there (docs/ContribOperators.md). */
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
    gather: (a, axis, indices) =>
      g.node('Gather', [a.name, g.int64Init(indices)], gatherShape(a.shape, axis, indices), [int('axis', axis)]),
    constant: (data, shape) => g.floatInit(g.fresh('const'), data, shape),
    scope: (fn) => fn(), // a static graph: ORT's memory planner decides what lives when
    attention: (q, k, v, heads, causal) => g.node('MultiHeadAttention', [q.name, k.name, v.name],
      attentionShape(q.shape, k.shape, v.shape, heads).shape, [int('num_heads', heads), int('unidirectional', causal ? 1 : 0)], MS_DOMAIN),
    decodeAttention: (q, k, v, cacheK, cacheV, heads) => groupQueryAttention(g, q, k, v, cacheK, cacheV, heads),
  };
}

/**
 * com.microsoft GroupQueryAttention over a past of N keys: the lengths are constants of the graph
 * (seqlens_k = N + s − 1 per batch entry, total_sequence_length = N + s), the scale its default 1/√E.
 * Its present key and value [B, kvHeads, N + s, E] are outputs nothing reads: ORT's CPU kernel writes
 * them all the same (it copies the past into them, unless past and present share one buffer).
 */
function groupQueryAttention(g: GraphBuilder, q: Sym, k: Sym, v: Sym, cacheK: Sym, cacheV: Sym, heads: number): Sym {
  const { shape } = decodeAttentionShape(q.shape, k.shape, v.shape, cacheK.shape, cacheV.shape, heads);
  const [B, s] = q.shape, [, kvHeads, N] = cacheK.shape;
  const lengths = [g.int32Init(Array(B).fill(N + s - 1), [B]), g.int32Init([N + s], [])];
  return g.node('GroupQueryAttention', [q.name, k.name, v.name, cacheK.name, cacheV.name, ...lengths], shape,
    [int('num_heads', heads), int('kv_num_heads', kvHeads)], MS_DOMAIN, 2);
}

/** Graph names of a program's state: input `state.NAME`, and the value the next call starts from, output `state.NAME.next`. */
export const stateInput = (name: string) => `state.${name}`;
export const stateOutput = (name: string) => `state.${name}.next`;

const valueInfo = (name: string, shape: number[]): OnnxTypes.IValueInfoProto =>
  ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } });

/** Serializes the graph with the given graph inputs, and an Identity node naming each output. */
function encodeModel(g: GraphBuilder, inputs: Sym[], outputs: Record<string, Sym>): Uint8Array {
  for (const [name, out] of Object.entries(outputs)) {
    g.nodes.push({ opType: 'Identity', input: [out.name], output: [name], name: `out.${name}` });
  }
  const graph: OnnxTypes.IGraphProto = { name: 'attnbench', node: g.nodes, initializer: g.inits,
    input: inputs.map((i) => valueInfo(i.name, i.shape)), output: Object.entries(outputs).map(([name, o]) => valueInfo(name, o.shape)) };
  return onnx.ModelProto.encode({ irVersion: 8, producerName: 'attnbench',
    opsetImport: [{ domain: '', version: 17 }, { domain: MS_DOMAIN, version: 1 }], graph }).finish();
}

/** A traced program: its model, and the graph names and shapes of its outputs (state outputs included). */
export interface TracedProgram {
  model: Uint8Array;
  outputs: Record<string, Sym>;
}

/**
 * Traces a program (../types.ts, Program) into an ONNX model: graph inputs named as its inputs
 * and `state.NAME`, outputs named as its outputs and `state.NAME.next`. A state the program does
 * not return passes through unchanged.
 */
export function traceProgram(program: Program, weights: Record<string, HostTensor>): TracedProgram {
  const g = graphBuilder();
  const w: Record<string, Sym> = {};
  for (const [name, t] of Object.entries(weights)) w[name] = g.floatInit(`w.${name}`, t.data, t.shape);
  const syms = (ts: Record<string, HostTensor>, graphName: (n: string) => string) =>
    Object.fromEntries(Object.entries(ts).map(([n, t]) => [n, { name: graphName(n), shape: t.shape.slice() }]));
  const inputs = syms(program.inputs, (n) => n), state = syms(program.state ?? {}, stateInput);
  const r = graphOps(g);
  const { outputs, state: next = state } = program.fn(r, inputs, w, state);
  const named: Record<string, Sym> = { ...outputs };
  for (const [n, t] of Object.entries(next)) named[stateOutput(n)] = t;
  const model = encodeModel(g, [...Object.values(inputs), ...Object.values(state)], named);
  return { model, outputs: Object.fromEntries(Object.entries(named).map(([n, t]) => [n, { name: n, shape: t.shape }])) };
}

/** Traces `forward` into an ONNX model with input `x` and output `y`. */
export function traceGraph(forward: ForwardFn, weights: Record<string, HostTensor>, inputShape: number[]): TracedGraph {
  const traced = traceProgram(forwardProgram(forward, { data: new Float32Array(0), shape: inputShape }), weights);
  return { model: traced.model, output: traced.outputs[FORWARD_OUTPUT] };
}
