/**
 * TensorFlow.js engine, eager. Backends, fastest first:
 *   tensorflow-gpu  @tensorflow/tfjs-node-gpu (libtensorflow with CUDA)   optional dependency
 *   tensorflow      @tensorflow/tfjs-node     (libtensorflow on the CPU)  optional dependency
 *   wasm            @tensorflow/tfjs-backend-wasm (XNNPACK, SIMD; single-threaded in Node)
 *   cpu             pure JavaScript
 * A backend is loaded only in the process that uses it: a case's checks, or one worker of a timing
 * round (src/run/pool.ts), which serves that round's cases one after another.
 */
import { createRequire } from 'node:module';
import type * as TF from '@tensorflow/tfjs';
import { checkedConcatAxis, checkedPaddings, checkedPerm, gatherShape, reshapeShape, sliceShape } from './flop-recorder.ts';
import type { HostTensor, Ops } from './ops.ts';
import { checkReplacement, firstLine, programAsForward, type BackendEntry, type Capabilities, type Engine, type EngineInfo,
  type ForwardFn, type KernelChoice, type Prepared, type Program } from './types.ts';
import { prepareTfjsTraining } from './tfjs-train.ts';
import { registerHeapSlice } from './tfjs-wasm-slice.ts';
import { batchedProducts, chooseKernels, forcedKernel, forcedKernelNotices, productKey, type BatchedKernel,
  type KernelRunner } from './tfjs-kernels.ts';

type Tensor = TF.Tensor;
export type TfjsBackend = 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';

const require = createRequire(import.meta.url);

/** The npm package each backend needs, beyond @tensorflow/tfjs. */
const PACKAGE: Record<TfjsBackend, string | undefined> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: undefined,
};

/**
 * How matMul runs. On wasm, 2-D products (and those against a shared weight) are plain XNNPACK
 * products with transposes materialised first — its transposeB path is 4× slower than a plain
 * product — and so are the products of their gradient (plainMatMul). A batched product runs on the
 * kernel measured fastest for it (tfjs-kernels.ts: one 2-D product per entry, or the batched
 * kernel); one that was not measured (a training step's backward) runs on the kernel ATTNBENCH_TFJS_KERNEL
 * forces, else on the size rule the measurements suggested: a loop until it would copy more than LOOP_MAX_COPY elements.
 * The other backends have one good batched kernel. The math is the same either way.
 */
const LOOP_MAX_COPY = 32 * 2 ** 20;
const CHOOSES_BATCHED_KERNEL: Record<TfjsBackend, boolean> = {
  'tensorflow-gpu': false, tensorflow: false, wasm: true, cpu: false,
};

/**
 * XNNPACK's wasm compiled by TurboFan when it loads, not first by Liftoff and tiered up while the
 * cases run: measured (docs/variance.md), the first case of a process still ran 1.11–1.32× its later
 * speed after 15 passes (≈2 s) with tier-up, 0.92–0.97× without.
 */
const WASM_PROCESS_FLAGS = ['--no-liftoff'];

export const TFJS_CAPABILITIES: Capabilities = {
  gradients: true,
  fusedAttention: false, // tfjs has no attention kernel: attention is composed from its ops
  memorySource: 'tf.profile peakBytes minus bytes held before the pass (tensor allocations)',
  trainingMemoryNote: 'tfjs counts a tensor that shares another’s buffer (a reshape, a tensor the tape saves) again, '
    + 'so its activations are an upper bound',
};

/**
 * wasm: its worker flags, and `loopedProducts`: a batched product runs as a loop of 2-D XNNPACK
 * products wherever that is measured faster (tfjs-kernels.ts: every one of the default suite's
 * variants at N=1024), so the sparse variants issue theirs one block at a time (products 'auto').
 */
const WASM_CAPABILITIES: Capabilities = { ...TFJS_CAPABILITIES, processFlags: WASM_PROCESS_FLAGS, loopedProducts: true,
  singleThreaded: true }; // the wasm backend runs without threads in Node: two groups may be timed at once (SuiteTiming.lanes)

export async function loadTfjs(backend: TfjsBackend): Promise<typeof TF> {
  const tf = require('@tensorflow/tfjs') as typeof TF;
  tf.enableProdMode(); // no debug checks, no console banners: a benchmark measures the production path
  const pkg = PACKAGE[backend];
  if (pkg) require(pkg);
  const registered = backend.startsWith('tensorflow') ? 'tensorflow' : backend;
  if (!(await tf.setBackend(registered))) throw new Error(`tfjs backend '${registered}' failed to initialise`);
  await tf.ready();
  if (backend === 'wasm') registerHeapSlice(tf);
  if (backend === 'tensorflow-gpu' && !gpuInUse(tf)) {
    throw new Error('tfjs-node-gpu loaded but libtensorflow found no CUDA device');
  }
  return tf;
}

function gpuInUse(tf: typeof TF): boolean {
  return Boolean((tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice);
}

/**
 * The Ops of a tfjs backend. `gradients`: whether a pass may be differentiated (a training step);
 * a forward-only pass runs its 2-D products without plainMatMul's gradient wrapper (a scope per
 * product: measured on wasm, 6 ms of a 250 ms window pass at N=1024, which issues 128 of them).
 */
export function tfjsOps(tf: typeof TF, backend: TfjsBackend, kernels: ReadonlyMap<string, BatchedKernel> = new Map(),
  gradients = true): Ops<Tensor> {
  const choosing = CHOOSES_BATCHED_KERNEL[backend];
  const unmeasured = choosing ? forcedKernel() : undefined; // a training step's backward products too
  // Constants (sparsity masks) are uploaded once per array, not on every pass, as a traced graph
  // holds them once; kept out of tidy so they outlive the pass.
  const constants = new WeakMap<Float32Array, Tensor>();
  const constant = (data: Float32Array, shape: number[]): Tensor => {
    let t = constants.get(data);
    if (!t) constants.set(data, (t = tf.keep(tf.tensor(data, shape, 'float32'))));
    return t;
  };
  const runBatched = batchedRunner(tf, choosing, gradients);
  const matMul2d = runBatched.matMul2d;
  const matMul = (a: Tensor, b: Tensor, ta = false, tb = false): Tensor => {
    if (b.rank === 2 && a.rank > 2 && !ta) {
      const k = a.shape[a.rank - 1] as number;
      const flat = matMul2d(a.reshape([-1, k]), b, false, tb);
      return flat.reshape([...a.shape.slice(0, -1), flat.shape[1] as number]);
    }
    if (a.rank === 2 && b.rank === 2) return matMul2d(a, b, ta, tb);
    if (!choosing) return tf.matMul(a, b, ta, tb);
    return runBatched(kernels.get(productKey(a.shape, b.shape, ta, tb)) ?? unmeasured ?? sizeRule(a.shape, b.shape), a, b, ta, tb);
  };
  return {
    shape: (a) => a.shape.slice(),
    matMul,
    add: (a, b) => tf.add(a, b),
    mul: (a, b) => tf.mul(a, b),
    sub: (a, b) => tf.sub(a, b),
    div: (a, b) => tf.div(a, b),
    maximum: (a, b) => tf.maximum(a, b),
    exp: (a) => tf.exp(a),
    reduceMax: (a) => tf.max(a, -1, true),
    reduceSum: (a) => tf.sum(a, -1, true),
    scale: (a, s) => tf.mul(a, tf.scalar(s)),
    softmax: (a) => tf.softmax(a),
    // The shape recorder's rules (flop-recorder.ts), so that every engine refuses the same bad shapes.
    reshape: (a, shape) => tf.reshape(a, reshapeShape(a.shape, shape)),
    transpose: (a, perm) => tf.transpose(a, checkedPerm(a.shape, perm)),
    slice: (a, begin, size) => tf.slice(a, begin, sliceShape(a.shape, begin, size)),
    concat: (ts, axis) => tf.concat(ts, checkedConcatAxis(ts.map((t) => t.shape), axis)),
    pad: (a, paddings) => tf.pad(a, checkedPaddings(a.shape, paddings)),
    gather: (a, axis, indices) => {
      gatherShape(a.shape, axis, indices);
      // Slices, then one concat, not tf.gather: measured on wasm (window at N=1024, paired as
      // scripts/variant-speed.ts pairs), 401 ms a pass by tf.gather, 254 ms by one slice per index.
      // A run of consecutive indices is one slice: fewer ops, the same copies.
      const runs: Array<[number, number]> = [];
      for (const i of indices) {
        const last = runs[runs.length - 1];
        if (last && last[0] + last[1] === i) last[1]++;
        else runs.push([i, 1]);
      }
      const along = (v: number, rest: (d: number) => number) => a.shape.map((d, k) => (k === axis ? v : rest(d)));
      const pieces = runs.map(([start, n]) => tf.slice(a, along(start, () => 0), along(n, (d) => d)));
      return pieces.length === 1 ? pieces[0] : tf.concat(pieces, axis);
    },
    constant,
    // tf.tidy frees a region's intermediates when it ends (the pass's own tidy frees only at its end).
    scope: (fn) => tf.tidy(fn),
  };
}

/** The kernel a batched product runs on when it was not measured: a loop until it would copy more than LOOP_MAX_COPY elements. */
function sizeRule(a: readonly number[], b: readonly number[]): BatchedKernel {
  const size = (s: readonly number[]) => s.reduce((x, y) => x * y, 1);
  const batch = size(a.slice(0, -2));
  return batch * (size(a) + size(b)) > LOOP_MAX_COPY ? 'batched' : 'loop';
}

/** Both kernels of a batched product (tfjs-kernels.ts), and the 2-D product the loop issues per entry. */
type MatMul2d = (a: Tensor, b: Tensor, ta: boolean, tb: boolean) => Tensor;

function batchedRunner(tf: typeof TF, plainProducts: boolean, gradients = true): KernelRunner & { matMul2d: MatMul2d } {
  const plain = !plainProducts ? undefined : gradients ? plainMatMul(tf) : (a: Tensor, b: Tensor) => tf.matMul(a, b);
  const matMul2d = (a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor =>
    plain ? plain(ta ? tf.transpose(a) : a, tb ? tf.transpose(b) : b) : tf.matMul(a, b, ta, tb);
  const run: KernelRunner = (kernel, a, b, ta, tb) => {
    if (kernel === 'batched') return tf.matMul(a, b, ta, tb);
    const lead = a.shape.slice(0, -2);
    const a3 = a.reshape([-1, ...a.shape.slice(-2)]);
    const b3 = b.reshape([-1, ...b.shape.slice(-2)]);
    // Per-entry slices, not tf.unstack: wasm's Unpack copies its whole input per entry (930 ms of a
    // 1.2 s pass at N=1024); Slice copies the entry only (tfjs-wasm-slice.ts).
    const entry = (t: Tensor, i: number) => tf.slice(t, [i, 0, 0], [1, -1, -1]).reshape(t.shape.slice(1) as [number, number]);
    const out = tf.stack(Array.from({ length: a3.shape[0] as number }, (_, i) => matMul2d(entry(a3, i), entry(b3, i), ta, tb)));
    return out.reshape([...lead, ...out.shape.slice(-2)]);
  };
  return Object.assign(run, { matMul2d });
}

/**
 * a·b of 2-D tensors whose gradient is plain products too, dA = dy·Bᵀ and dB = Aᵀ·dy with the
 * transposes materialised: tfjs's own MatMul gradient issues transposeA/transposeB products, which
 * on wasm are 25× and 8× slower than a plain one (measured at 512³: 300 ms, 100 ms, 12 ms).
 */
function plainMatMul(tf: typeof TF): (a: Tensor, b: Tensor) => Tensor {
  return tf.customGrad((a, b, save) => {
    (save as TF.GradSaveFunc)([a as Tensor, b as Tensor]);
    return { value: tf.matMul(a as Tensor, b as Tensor),
      gradFunc: (dy: Tensor, [sa, sb]: Tensor[]) => [tf.matMul(dy, tf.transpose(sb)), tf.matMul(tf.transpose(sa), dy)] };
  });
}

/** The kernel of every batched product `forward` issues, measured or cached (tfjs-kernels.ts); none where the backend has one kernel. */
async function kernelsFor(tf: typeof TF, backend: TfjsBackend, forward: ForwardFn, weights: Record<string, HostTensor>,
  inputShape: number[]): Promise<KernelChoice[]> {
  if (!CHOOSES_BATCHED_KERNEL[backend]) return [];
  return chooseKernels(tf, backend, batchedRunner(tf, true), batchedProducts(forward, weights, inputShape), (p) => sizeRule(p.a, p.b));
}

/** Ops whose batched products run on the kernels chosen for them. */
const opsWith = (tf: typeof TF, backend: TfjsBackend, kernels: KernelChoice[], gradients: boolean) =>
  tfjsOps(tf, backend, new Map(kernels.map((k) => [k.product, k.kernel])), gradients);

const upload = (tf: typeof TF, ts: Record<string, HostTensor> = {}): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(ts).map(([name, t]) => [name, tf.tensor(t.data, t.shape, 'float32')]));

/** A compiled program (types.ts, Prepared): eager calls inside tf.tidy; state tensors kept between calls. */
async function prepareProgram(tf: typeof TF, backend: TfjsBackend, program: Program,
  weights: Record<string, HostTensor>): Promise<Prepared> {
  const kernels = await kernelsFor(tf, backend, programAsForward(program), weights, [1]), ops = opsWith(tf, backend, kernels, false);
  const w = upload(tf, weights), inputs = upload(tf, program.inputs);
  let state = upload(tf, program.state);
  /** One call; the old state is freed once the new one exists. */
  const call = (): Record<string, Tensor> => {
    const r = tf.tidy(() => {
      const { outputs, state: next } = program.fn(ops, inputs, w, state);
      return { outputs, next: next ?? state };
    });
    for (const [name, t] of Object.entries(state)) if (r.next[name] !== t) t.dispose();
    state = r.next;
    return r.outputs;
  };
  const download = async (outputs: Record<string, Tensor>) => {
    const out: Record<string, Float32Array> = {}, kept = new Set(Object.values(state));
    for (const [name, t] of Object.entries(outputs)) {
      out[name] = (await t.data()) as Float32Array;
      if (!kept.has(t)) t.dispose();
    }
    return out;
  };
  return {
    ...(kernels.length > 0 && { kernels }),
    async run(given) {
      for (const [name, t] of Object.entries(given ?? {})) {
        checkReplacement(name, inputs[name]?.shape, t.shape);
        inputs[name].dispose();
        inputs[name] = tf.tensor(t.data, t.shape, 'float32');
      }
      return download(call());
    },
    async peakMemory() {
      const before = tf.memory().numBytes;
      const tensorsBefore = tf.memory().numTensors;
      const profile = await tf.profile(async () => { await download(call()); });
      if (tf.memory().numTensors !== tensorsBefore) {
        throw new Error(`forward pass leaked ${tf.memory().numTensors - tensorsBefore} tensors`);
      }
      return { peakBytes: profile.peakBytes - before, source: TFJS_CAPABILITIES.memorySource };
    },
    async dispose() {
      tf.dispose([...Object.values(inputs), ...Object.values(state), ...Object.values(w)]);
    },
  };
}

export function tfjsEngine(tf: typeof TF, backend: TfjsBackend, info: EngineInfo): Engine {
  return {
    info,
    async prepareTraining(forward, weights, input, setup) {
      const ops = opsWith(tf, backend, await kernelsFor(tf, backend, forward, weights, input.shape), true);
      return prepareTfjsTraining(tf, ops, TFJS_CAPABILITIES.memorySource, forward, weights, input, setup);
    },
    prepare: (program, weights) => prepareProgram(tf, backend, program, weights),
  };
}

/** Probes one backend in this process: version, device, or why it is unavailable. */
export async function probeTfjs(backend: TfjsBackend): Promise<Omit<EngineInfo, 'priority'>> {
  const id = `tfjs/${backend}`, device = backend === 'tensorflow-gpu' ? 'cuda' : 'cpu';
  try {
    const tf = await loadTfjs(backend);
    const versions = tf.version as Record<string, string>;
    const threads = backend === 'wasm' ? 1 : undefined;
    return { engine: 'tfjs', backend, id, available: true, version: versions['tfjs-core'], device, threads,
      ...(backend === 'wasm' && { settings: { wasmTiers: 'TurboFan only (--no-liftoff)' } }),
      capabilities: backend === 'wasm' ? WASM_CAPABILITIES : TFJS_CAPABILITIES };
  } catch (e) {
    return { engine: 'tfjs', backend, id, available: false, device, reason: whyNot(PACKAGE[backend], e) };
  }
}

function whyNot(pkg: string | undefined, e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  if (pkg && /Cannot find module/.test(msg) && msg.includes(pkg)) {
    return `${pkg} is not installed (optional dependency: its install downloads libtensorflow, which needs internet access)`;
  }
  return firstLine(msg);
}

/** Priority of each backend in the registry (see src/engine/registry.ts): CUDA, native CPU, WebAssembly, JavaScript. */
const PRIORITY: Record<TfjsBackend, number> = { 'tensorflow-gpu': 20, tensorflow: 40, wasm: 50, cpu: 60 };

/** The tfjs backends, as registry entries. */
export const TFJS_BACKENDS: BackendEntry[] = (Object.keys(PRIORITY) as TfjsBackend[]).map((backend) => ({
  engine: 'tfjs', backend, priority: PRIORITY[backend], probe: () => probeTfjs(backend),
  create: async (info) => tfjsEngine(await loadTfjs(backend), backend, info),
  checkSettings: () => { forcedKernel(); }, // a bad ATTNBENCH_TFJS_KERNEL is one line and exit 2, not an error in every case
  notices: forcedKernelNotices,
}));
