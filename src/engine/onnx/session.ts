/**
 * ONNX Runtime sessions: a traced graph (trace.ts) runs in an InferenceSession with graph
 * optimisations on, on the CPU execution provider, or CUDA where its binaries are installed
 * (CUDA_PROVIDER_INSTALL in index.ts).
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import type * as ORT from 'onnxruntime-node';
import { messages, UserError } from '../../messages.ts';
import type { HostTensor } from '../ops.ts';
import { checkReplacement, type Capabilities, type Engine, type EngineInfo, type Prepared, type Program } from '../types.ts';
import { readPeakRss, resetPeakRss } from './rss.ts';
import { stateInput, stateOutput, traceProgram } from './trace.ts';

const require = createRequire(import.meta.url);
export type OnnxBackend = 'cuda' | 'cpu';

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
  fusedAttention: true, // com.microsoft MultiHeadAttention (contrib op of every onnxruntime-node build)
  fusedDecode: true, // com.microsoft GroupQueryAttention with a past key and value (its CPU kernel, float32)
  memoryProcessEnv: { GLIBC_TUNABLES: MALLOC_TUNABLES },
  wrapsHostInputs: true, // onnxruntime-node wraps a Float32Array's memory as the OrtValue (on CPU; CUDA copies it to the device)
  memorySource: 'growth of process peak RSS (VmHWM reset via /proc/self/clear_refs) over one run, CPU arena off',
};

export function loadOrt(): typeof ORT {
  const ort = require('onnxruntime-node') as typeof ORT;
  // Failures reach us as exceptions with their message; ORT's own stderr log would only repeat
  // them (e.g. the CUDA probe's missing-library error on a CPU-only install).
  ort.env.logLevel = 'fatal';
  return ort;
}

/** Intra-op threads: ATTNBENCH_ONNX_THREADS (docs/variance.md measures 1 vs 2 on 2 cores), else one per core. */
export function onnxThreads(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.ATTNBENCH_ONNX_THREADS);
  return Number.isInteger(n) && n > 0 ? n : availableParallelism();
}

/**
 * How the intra-op pool's workers wait for the next op: ATTNBENCH_ONNX_SPIN=1 spins always (ORT's
 * default), =0 never (a worker sleeps after every parallel op and is woken for the next), unset:
 * a decode step's pool spins within a run only (session.force_spinning_stop: it stops spinning when
 * its run returns) and every other pool never (onnxSpinning, below). Every session has its own
 * pool: with several sessions in one process taking turns (a comparison group's round), pools
 * spinning between runs take the 2 cores from the one running.
 * Measured (docs/variance.md, full attention N=512): spinning always, 26–30 ms a pass with a robust
 * CV of 19–25 %; never, 11.0–11.9 ms, CV 9–13 %. Within a run only (docs/decode.md, session 7):
 * no pool spins while another session runs, and a step's ~30 ops are not each a wake-up.
 */
export type OnnxSpinning = 'within a run' | 'on' | 'off';

export const SPIN_ENV = 'ATTNBENCH_ONNX_SPIN';

/**
 * The spinning of a session for a program of small ops (Program.smallOps: decode steps) or not. Unset,
 * a decode step's pool spins within a run and every other's never: measured on the default suite, spinning
 * within a run made inference's paired per-block log-ratios scatter 35–54 % at N=256 against 18–30 % never
 * spinning (docs/variance.md, session 7), while it took 10–14 % off a decode step (docs/decode.md).
 */
export function onnxSpinning(env: NodeJS.ProcessEnv = process.env, smallOps = false): OnnxSpinning {
  const v = env[SPIN_ENV]?.trim();
  if (!v) return smallOps ? 'within a run' : 'off';
  if (v === '1' || v === '0') return v === '1' ? 'on' : 'off';
  throw new UserError(messages.badSpinning(SPIN_ENV, v));
}

/** The engine's spinning as its settings record it: one setting, or, unset, the two by kind of program. */
export function onnxSpinningSetting(env: NodeJS.ProcessEnv = process.env): string {
  const small = onnxSpinning(env, true), large = onnxSpinning(env, false);
  return small === large ? small : `${small} for decode steps, ${large} otherwise`;
}

/**
 * The session config entries (ORT's `extra.session`) every onnx session of the harness and its
 * scripts is made with: the pool's spinning (onnxSpinning, by Program.smallOps) and denormals flushed (below).
 */
export function onnxSessionConfig(env: NodeJS.ProcessEnv = process.env, smallOps = false): Record<string, unknown> {
  const spinning = onnxSpinning(env, smallOps);
  return { intra_op: { allow_spinning: spinning === 'off' ? '0' : '1' }, ...(spinning === 'within a run' && { force_spinning_stop: '1' }),
    set_denormal_as_zero: '1' };
}

/**
 * Denormals are flushed to zero in every session (ORT's session.set_denormal_as_zero: its threads
 * run with FTZ/DAZ). A masked score (MASKED, −1e9) makes ORT's exponential pass through denormals
 * on the way to 0, and x86 computes on denormals many times slower. Measured (the window's scores
 * at N=4096: [8,32,128,384]·[…,384,64]ᵀ, its mask, softmax; fastest of 12 runs): 34 ms with
 * denormals, 24 ms flushed, 20 ms with a mask of zeros. Only values below 1.2e-38 change (to 0).
 */
export const ONNX_DENORMALS = 'flushed to zero';

export async function createSession(ort: typeof ORT, model: Uint8Array, backend: OnnxBackend,
  arena = true, quiet = false, smallOps = false): Promise<ORT.InferenceSession> {
  return ort.InferenceSession.create(model, {
    logSeverityLevel: quiet ? 4 : 2,
    executionProviders: [backend],
    graphOptimizationLevel: 'all',
    enableCpuMemArena: arena,
    intraOpNumThreads: onnxThreads(),
    interOpNumThreads: 1,
    extra: { session: onnxSessionConfig(process.env, smallOps) },
  });
}

type Feeds = Record<string, ORT.Tensor>;

/** A compiled program (../types.ts, Prepared): its traced graph in a session; each call's state outputs feed the next. */
async function prepareProgram(ort: typeof ORT, backend: OnnxBackend, program: Program,
  weights: Record<string, HostTensor>): Promise<Prepared> {
  const traced = traceProgram(program, weights);
  const session = await createSession(ort, traced.model, backend, true, false, program.smallOps);
  const tensor = (t: HostTensor) => new ort.Tensor('float32', t.data, t.shape);
  const feeds: Feeds = {};
  for (const [name, t] of Object.entries(program.inputs)) feeds[name] = tensor(t);
  for (const [name, t] of Object.entries(program.state ?? {})) feeds[stateInput(name)] = tensor(t);
  const stateNames = Object.keys(program.state ?? {});
  /** One call of `s`: outputs by name; the state outputs become the next call's state inputs. */
  const call = async (s: ORT.InferenceSession) => {
    const results = await s.run(feeds);
    for (const name of stateNames) feeds[stateInput(name)] = results[stateOutput(name)];
    const out: Record<string, Float32Array> = {};
    for (const name of Object.keys(traced.outputs)) if (!name.startsWith('state.')) out[name] = results[name].data as Float32Array;
    return out;
  };
  return {
    async run(given) {
      for (const [name, t] of Object.entries(given ?? {})) {
        checkReplacement(name, program.inputs[name]?.shape, t.shape);
        feeds[name] = tensor(t);
      }
      return call(session);
    },
    async peakMemory() {
      // The timed session's arena keeps what warm-up reserved, so growth over a run would read
      // ~0: memory is measured on a twin session without the arena, after one warm-up run.
      const twin = await createSession(ort, traced.model, backend, false, false, program.smallOps);
      await call(twin);
      const base = resetPeakRss();
      await call(twin);
      const peakBytes = Math.max(0, readPeakRss() - base);
      await twin.release();
      return { peakBytes, source: backend === 'cuda' ? CUDA_MEMORY_SOURCE : ONNX_CAPABILITIES.memorySource };
    },
    dispose: () => session.release(),
  };
}

export function onnxEngine(backend: OnnxBackend, info: EngineInfo): Engine {
  const ort = loadOrt();
  return { info, prepare: (program, weights) => prepareProgram(ort, backend, program, weights) };
}
