/**
 * ONNX Runtime engine. A variant's forward is traced once through `GraphOps`, which records
 * ONNX nodes instead of computing (weights become initializers, shapes are static), and the
 * graph then runs in an InferenceSession with graph optimisations on: the CPU execution
 * provider, or CUDA where its binaries are installed (`--onnxruntime-node-install=cuda12`).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import type * as ORT from 'onnxruntime-node';
import onnxProto, { type onnx as OnnxTypes } from 'onnx-proto';
import { sizeOf, type HostTensor, type Ops } from './ops.ts';
import type { Capabilities, Engine, EngineInfo, ForwardFn, Prepared } from './types.ts';
import { firstLine } from './types.ts';

const { onnx } = onnxProto;
type IAttr = OnnxTypes.IAttributeProto;
const require = createRequire(import.meta.url);
export type OnnxBackend = 'cuda' | 'cpu';

/** A tensor while tracing: the name of the graph value and its static shape. */
export interface Sym {
  name: string;
  shape: number[];
}

/** One matrix product the traced graph issues: [...batch, m, k] × [k, n]. */
export interface MatMulRecord {
  batch: number;
  m: number;
  k: number;
  n: number;
}

export interface TracedGraph {
  model: Uint8Array;
  matMuls: MatMulRecord[];
  output: Sym;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const INT64 = onnx.TensorProto.DataType.INT64;
const ATTR = onnx.AttributeProto.AttributeType;

/** onnxruntime-node exposes no device-memory statistics: on CUDA only the host side is seen. */
const CUDA_MEMORY_SOURCE = 'host peak RSS growth only (onnxruntime-node reports no CUDA device memory)';

/**
 * glibc raises its mmap threshold after large blocks are freed, after which a run's buffers come
 * from a heap that warm-up already grew, and peak-RSS growth reads ~0 for all but huge cases. A
 * fixed threshold keeps every buffer ≥ 16 KiB in its own mapping, returned at free, so the growth
 * of peak RSS over one run is that run's memory. It also makes every allocation a fresh mapping,
 * which slows small runs 1.5–2×: so memory is measured in a process of its own with it.
 */
const MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=16384:glibc.malloc.trim_threshold=65536';

export const ONNX_CAPABILITIES: Capabilities = {
  gradients: false,
  cuda: false,
  memoryProcessEnv: { GLIBC_TUNABLES: MALLOC_TUNABLES },
  memorySource: 'growth of process peak RSS (VmHWM reset via /proc/self/clear_refs) over one run, CPU arena off',
};

/** Traces `forward` into an ONNX model with input `x` and output `y`. */
export function traceGraph(forward: ForwardFn, weights: Record<string, HostTensor>, inputShape: number[]): TracedGraph {
  const nodes: OnnxTypes.INodeProto[] = [];
  const inits: OnnxTypes.ITensorProto[] = [];
  const matMuls: MatMulRecord[] = [];
  let counter = 0;
  const fresh = (op: string) => `${op}_${counter++}`;
  const node = (op: string, inputs: string[], shape: number[], attribute: IAttr[] = []): Sym => {
    const name = fresh(op.toLowerCase());
    nodes.push({ opType: op, input: inputs, output: [name], name, attribute });
    return { name, shape };
  };
  const floatInit = (name: string, data: Float32Array, shape: number[]) => {
    inits.push({ name, dataType: FLOAT, dims: shape, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return { name, shape };
  };
  const int64Init = (values: number[]) => {
    const name = fresh('i64');
    inits.push({ name, dataType: INT64, dims: [values.length], int64Data: values });
    return name;
  };
  const ints = (name: string, v: number[]): IAttr => ({ name, type: ATTR.INTS, ints: v });
  const swapLast = (a: Sym): Sym => {
    const r = a.shape.length;
    const perm = [...Array(r).keys()];
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    return transpose(a, perm);
  };
  const transpose = (a: Sym, perm: number[]) => node('Transpose', [a.name], perm.map((p) => a.shape[p]), [ints('perm', perm)]);

  const ops: Ops<Sym> = {
    shape: (a) => a.shape.slice(),
    matMul(a, b, ta = false, tb = false) {
      const A = ta ? swapLast(a) : a, B = tb ? swapLast(b) : b;
      const [m, k] = A.shape.slice(-2), n = B.shape[B.shape.length - 1];
      if (B.shape[B.shape.length - 2] !== k) throw new Error(`matMul: inner sizes differ: ${A.shape} × ${B.shape}`);
      const lead = A.shape.length >= B.shape.length ? A.shape.slice(0, -2) : B.shape.slice(0, -2);
      matMuls.push({ batch: sizeOf(lead), m, k, n });
      return node('MatMul', [A.name, B.name], [...lead, m, n]);
    },
    add: (a, b) => node('Add', [a.name, b.name], broadcast(a.shape, b.shape)),
    mul: (a, b) => node('Mul', [a.name, b.name], broadcast(a.shape, b.shape)),
    scale: (a, s) => node('Mul', [a.name, floatInit(fresh('scale'), Float32Array.of(s), []).name], a.shape),
    softmax: (a) => node('Softmax', [a.name], a.shape, [{ name: 'axis', type: ATTR.INT, i: -1 }]),
    reshape: (a, shape) => node('Reshape', [a.name, int64Init(shape)], shape),
    transpose,
    slice: (a, begin, size) => node('Slice', [a.name, int64Init(begin), int64Init(begin.map((b, i) => b + size[i]))], size),
    concat: (ts, axis) => {
      const shape = ts[0].shape.slice();
      shape[axis] = ts.reduce((s, t) => s + t.shape[axis], 0);
      return node('Concat', ts.map((t) => t.name), shape, [{ name: 'axis', type: ATTR.INT, i: axis }]);
    },
    pad: (a, p) => node('Pad', [a.name, int64Init([...p.map((x) => x[0]), ...p.map((x) => x[1])])],
      a.shape.map((d, i) => d + p[i][0] + p[i][1])),
    constant: (data, shape) => floatInit(fresh('const'), data, shape),
  };

  const w: Record<string, Sym> = {};
  for (const [name, t] of Object.entries(weights)) w[name] = floatInit(`w.${name}`, t.data, t.shape);
  const x: Sym = { name: 'x', shape: inputShape };
  let y = forward(ops, x, w);
  if (!nodes.some((n) => n.output?.[0] === y.name)) y = node('Identity', [y.name], y.shape);
  nodes.push({ opType: 'Identity', input: [y.name], output: ['y'], name: 'output' });
  const valueInfo = (name: string, shape: number[]): OnnxTypes.IValueInfoProto =>
    ({ name, type: { tensorType: { elemType: FLOAT, shape: { dim: shape.map((d) => ({ dimValue: d })) } } } });
  const graph: OnnxTypes.IGraphProto = { name: 'attnbench', node: nodes, initializer: inits,
    input: [valueInfo('x', inputShape)], output: [valueInfo('y', y.shape)] };
  const model = onnx.ModelProto.encode({ irVersion: 8, producerName: 'attnbench',
    opsetImport: [{ domain: '', version: 17 }], graph }).finish();
  return { model, matMuls, output: { name: 'y', shape: y.shape } };
}

function broadcast(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1, db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast [${a}] with [${b}]`);
    out.push(Math.max(da, db));
  }
  return out;
}

export function loadOrt(): typeof ORT {
  const ort = require('onnxruntime-node') as typeof ORT;
  // Failures reach us as exceptions with their message; ORT's own stderr log would only repeat
  // them (e.g. the CUDA probe's missing-library error on a CPU-only install).
  ort.env.logLevel = 'fatal';
  return ort;
}

export function onnxThreads(): number {
  return availableParallelism();
}

export async function createSession(ort: typeof ORT, model: Uint8Array, backend: OnnxBackend, arena = true, quiet = false): Promise<ORT.InferenceSession> {
  return ort.InferenceSession.create(model, {
    logSeverityLevel: quiet ? 4 : 2,
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
    enableCpuMemArena: arena,
    intraOpNumThreads: onnxThreads(),
    interOpNumThreads: 1,
  });
}

export function onnxEngine(backend: OnnxBackend, info: EngineInfo): Engine {
  const ort = loadOrt();
  return {
    info,
    async prepare(forward, weights, input): Promise<Prepared> {
      const traced = traceGraph(forward, weights, input.shape);
      const session = await createSession(ort, traced.model, backend);
      const feeds = { x: new ort.Tensor('float32', input.data, input.shape) };
      const run = async () => (await session.run(feeds)).y.data as Float32Array;
      return {
        run,
        async peakMemory() {
          // The timed session's arena keeps what warm-up reserved, so growth over a run would read
          // ~0: memory is measured on a twin session without the arena, after one warm-up run.
          const twin = await createSession(ort, traced.model, backend, false);
          await twin.run(feeds);
          const base = resetPeakRss();
          await twin.run(feeds);
          const peakBytes = Math.max(0, readPeakRss() - base);
          await twin.release();
          return { peakBytes, source: backend === 'cuda' ? CUDA_MEMORY_SOURCE : ONNX_CAPABILITIES.memorySource };
        },
        dispose: () => session.release(),
      };
    },
  };
}

/** Resets the kernel's peak-RSS counter to the current RSS; returns it in bytes. */
function resetPeakRss(): number {
  writeFileSync('/proc/self/clear_refs', '5');
  return readPeakRss();
}

function readPeakRss(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) throw new Error('VmHWM not found in /proc/self/status');
  return Number(m[1]) * 1024;
}

/** Probes one execution provider with a one-node session. */
export async function probeOnnx(backend: OnnxBackend): Promise<Omit<EngineInfo, 'priority'>> {
  const id = `onnx/${backend}`;
  try {
    const ort = loadOrt();
    const tiny = traceGraph((ops, x) => ops.add(x, x), {}, [1]);
    const session = await createSession(ort, tiny.model, backend, true, true);
    await session.release();
    const device = backend === 'cuda' ? 'cuda' : 'cpu';
    return { engine: 'onnx', backend, id, available: true, version: ort.env.versions.node, device,
      threads: backend === 'cpu' ? onnxThreads() : undefined, capabilities: { ...ONNX_CAPABILITIES, cuda: device === 'cuda' } };
  } catch (e) {
    const msg = firstLine(e instanceof Error ? e.message : String(e));
    const reason = backend === 'cuda' && /cuda/i.test(msg)
      ? `CUDA execution provider not usable (${msg}); install with npm install --onnxruntime-node-install=cuda12 on a CUDA 12 machine`
      : msg;
    return { engine: 'onnx', backend, id, available: false, reason };
  }
}
