/**
 * Traces a program (../types.ts: Program), written against `Ops`, into the list of torch ops the
 * Python worker (worker.py) executes: nodes over numbered values, as the ONNX tracer
 * (../onnx/trace.ts) builds a graph. Inputs, state, weights and constants travel beside it as raw
 * float32 bytes, in the order `inputs`, `state` and `tensors` name them. State (a decode step's KV
 * cache) is a value the worker binds like an input at each call and replaces, after it, with the
 * value `stateOut` names. Shapes are static, checked by the shape rules of ../flop-recorder.ts.
 */
import { ATTENTION_WEIGHTS, type HostTensor, type Ops } from '../ops.ts';
import { checkReplacement, type Program } from '../types.ts';
import { attentionShape, broadcast, concatShape, gatherShape, matMulShape, padShape, reducedShape, swapLastPerm, transposeShape,
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

/** A named input or output of the program: its value and shape. */
export interface NamedValue extends ProgramTensor {
  name: string;
}

export interface TorchProgram {
  inputs: NamedValue[];
  /** The state before the first call, by name (its data follows the inputs'). */
  state: NamedValue[];
  /** The value each state takes for the next call, by name; a state not named here stays as it was. */
  stateOut: NamedValue[];
  tensors: ProgramTensor[];
  nodes: ProgramNode[];
  outputs: NamedValue[];
}

/** A traced program and the float32 data of its inputs, its state, then its tensors, in `inputs`, `state`, `tensors` order. */
export interface TracedProgram {
  program: TorchProgram;
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
    gather: (a, axis, indices) => node('index_select', [a], gatherShape(a.shape, axis, indices), { axis, indices }),
    constant: (data, shape) => tensor(data, shape),
    scope: (fn) => fn(), // the worker frees each value after its last use
  };
  // torch's own modules (worker.py: attention_module): one node over x and the weights in ATTENTION_WEIGHTS order.
  ops.attentionModule = (x, w, heads, causal, module) =>
    node('module', [x, ...ATTENTION_WEIGHTS.map((n) => w[n])], attentionShape(x.shape, x.shape, x.shape, heads).shape,
      { heads, causal, module });
  if (fused) {
    ops.attention = (q, k, v, heads, causal, backend) =>
      node('sdpa', [q, k, v], attentionShape(q.shape, k.shape, v.shape, heads).shape, { heads, causal, ...(backend && { backend }) });
  }
  return ops;
}

/** Traces `program` over `weights` into the worker's program. */
export function traceProgram(program: Program, weights: Record<string, HostTensor>, fused: boolean): TracedProgram {
  let counter = 0;
  const traced: TracedProgram = { program: { inputs: [], state: [], stateOut: [], tensors: [], nodes: [], outputs: [] }, data: [] };
  const fresh = () => counter++;
  const bind = (ts: Record<string, HostTensor>, into: NamedValue[]) => {
    const vals: Record<string, Val> = {};
    for (const [name, t] of Object.entries(ts)) {
      vals[name] = { id: fresh(), shape: t.shape };
      into.push({ name, ...vals[name] });
      traced.data.push(t.data);
    }
    return vals;
  };
  const inputs = bind(program.inputs, traced.program.inputs), state = bind(program.state ?? {}, traced.program.state);
  const w: Record<string, Val> = {};
  for (const [name, t] of Object.entries(weights)) {
    const id = fresh();
    traced.program.tensors.push({ id, shape: t.shape });
    traced.data.push(t.data);
    w[name] = { id, shape: t.shape };
  }
  const { outputs, state: next = {} } = program.fn(programOps(traced, fresh, fused), inputs, w, state);
  const named = (vs: Record<string, Val>) => Object.entries(vs).map(([name, v]) => ({ name, id: v.id, shape: v.shape }));
  traced.program.outputs = named(outputs);
  traced.program.stateOut = named(next);
  for (const s of traced.program.stateOut) {
    if (!state[s.name]) throw new Error(`the program returns state '${s.name}', which it did not start with`);
    checkReplacement(s.name, state[s.name].shape, s.shape);
  }
  return traced;
}
