/**
 * Traces a forward pass, written against `Ops`, into a program the Python worker (worker.py)
 * executes with torch ops: a list of nodes over numbered values, as the ONNX tracer
 * (../onnx/trace.ts) builds a graph. Weights and constants travel beside the program as raw
 * float32 bytes, in the order `tensors` names them. Shapes are static, checked by the shape rules
 * of ../flop-recorder.ts. Value 0 is the input x; the program's output is `output`.
 */
import type { HostTensor, Ops } from '../ops.ts';
import type { ForwardFn } from '../types.ts';
import { attentionShape, broadcast, concatShape, matMulShape, padShape, reducedShape, swapLastPerm, transposeShape,
  type Shaped } from '../flop-recorder.ts';

/** A tensor while tracing: the number of its value and its static shape. */
export interface Val extends Shaped {
  id: number;
}

/** One op of the program: `op` applied to the values `in`, writing value `out`; `a` holds its attributes. */
export interface ProgramNode {
  op: string;
  in: number[];
  out: number;
  a?: Record<string, unknown>;
}

/** A weight or constant the program reads: the value it defines and where its bytes are. */
export interface ProgramTensor {
  id: number;
  shape: number[];
}

export interface Program {
  inputShape: number[];
  tensors: ProgramTensor[];
  nodes: ProgramNode[];
  output: number;
  outputShape: number[];
}

/** A traced program and the float32 data of its tensors, in `program.tensors` order. */
export interface TracedProgram {
  program: Program;
  data: Float32Array[];
}

/** `Ops` that append nodes to `nodes`; `fused`: whether the worker's torch has SDPA (Ops.attention). */
function programOps(p: TracedProgram, fresh: () => number, fused: boolean): Ops<Val> {
  const node = (op: string, ins: Val[], shape: number[], a?: Record<string, unknown>): Val => {
    const out = fresh();
    p.program.nodes.push({ op, in: ins.map((v) => v.id), out, ...(a && { a }) });
    return { id: out, shape };
  };
  const tensor = (data: Float32Array, shape: number[]): Val => {
    const id = fresh();
    p.program.tensors.push({ id, shape });
    p.data.push(data);
    return { id, shape };
  };
  const elementwise = (op: string) => (a: Val, b: Val) => node(op, [a, b], broadcast(a.shape, b.shape));
  const transpose = (a: Val, perm: number[]) => node('permute', [a], transposeShape(a.shape, perm), { perm });
  const ops: Ops<Val> = {
    shape: (a) => a.shape.slice(),
    matMul(a, b, ta = false, tb = false) {
      const A = ta ? swapLastPerm(a.shape.length) : null, B = tb ? swapLastPerm(b.shape.length) : null;
      const shape = matMulShape(A ? transposeShape(a.shape, A) : a.shape, B ? transposeShape(b.shape, B) : b.shape).shape;
      return node('matmul', [a, b], shape, { ta, tb });
    },
    add: elementwise('add'),
    mul: elementwise('mul'),
    sub: elementwise('sub'),
    div: elementwise('div'),
    maximum: elementwise('maximum'),
    exp: (a) => node('exp', [a], a.shape),
    reduceMax: (a) => node('amax', [a], reducedShape(a.shape)),
    reduceSum: (a) => node('sum', [a], reducedShape(a.shape)),
    scale: (a, s) => node('scale', [a], a.shape, { s }),
    softmax: (a) => node('softmax', [a], a.shape),
    reshape: (a, shape) => node('reshape', [a], shape, { shape }),
    transpose,
    slice: (a, begin, size) => node('slice', [a], size, { begin, size }),
    concat: (ts, axis) => node('cat', ts, concatShape(ts.map((t) => t.shape), axis), { axis }),
    pad: (a, paddings) => node('pad', [a], padShape(a.shape, paddings), { paddings }),
    constant: (data, shape) => tensor(data, shape),
    scope: (fn) => fn(), // the worker frees each value after its last use
  };
  if (fused) {
    ops.attention = (q, k, v, heads, causal) =>
      node('sdpa', [q, k, v], attentionShape(q.shape, k.shape, v.shape, heads).shape, { heads, causal });
  }
  return ops;
}

/** Traces `forward` over `weights` and an input of `inputShape` into a program. */
export function traceProgram(forward: ForwardFn, weights: Record<string, HostTensor>, inputShape: number[],
  fused: boolean): TracedProgram {
  let counter = 1;
  const traced: TracedProgram = { program: { inputShape, tensors: [], nodes: [], output: 0, outputShape: inputShape }, data: [] };
  const fresh = () => counter++;
  const w: Record<string, Val> = {};
  for (const [name, t] of Object.entries(weights)) {
    const id = fresh();
    traced.program.tensors.push({ id, shape: t.shape });
    traced.data.push(t.data);
    w[name] = { id, shape: t.shape };
  }
  const y = forward(programOps(traced, fresh, fused), { id: 0, shape: inputShape }, w);
  traced.program.output = y.id;
  traced.program.outputShape = y.shape;
  return traced;
}
