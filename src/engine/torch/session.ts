/**
 * The torch engine's compiled pass: a variant's forward traced into a program (program.ts), sent
 * with weights and input to this process's torch worker (client.ts), which keeps them on its
 * device. The pass can time itself on the device's clock (Prepared.timeSamples): CUDA events on
 * CUDA, a monotonic clock on the CPU, the output left where the pass wrote it.
 */
import { availableParallelism } from 'node:os';
import { checkReplacement, type Capabilities, type Engine, type EngineInfo, type Prepared } from '../types.ts';
import type { Dtype } from '../../results/dtype.ts';
import { traceProgram } from './program.ts';
import { workerFor, type TorchWorker } from './client.ts';

export type TorchBackend = 'cuda' | 'cpu';

/** glibc settings under which peak-RSS growth is one pass's memory (as onnx: ../onnx/session.ts). */
const MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=16384:glibc.malloc.trim_threshold=65536';

/** Threads torch computes with on the CPU: as onnx, every core this process may use. */
export const torchThreads = (): number => availableParallelism();

/**
 * What the probe found, as capabilities: SDPA is the fused kernel where this torch has it (≥ 2.0);
 * float32, and each half-precision dtype whose kernels ran in the probe (`halves`: null = it ran, else why not).
 */
export function torchCapabilities(backend: TorchBackend, sdpa: boolean, halves: Partial<Record<Dtype, string | null>> = {},
  sdpaBackends: string[] = []): Capabilities {
  const missing = Object.entries(halves).filter((e): e is [Dtype, string] => typeof e[1] === 'string');
  return {
    gradients: false,
    fusedAttention: sdpa,
    ...(sdpa && sdpaBackends.length > 0 && { attentionBackends: sdpaBackends }),
    attentionModules: sdpa ? ['mha', 'sdpa'] : ['mha'],
    dtypes: ['float32', ...(Object.keys(halves) as Dtype[]).filter((d) => halves[d] === null)],
    ...(missing.length > 0 && { dtypeReasons: Object.fromEntries(missing) }),
    ...(backend === 'cpu'
      ? { memoryProcessEnv: { GLIBC_TUNABLES: MALLOC_TUNABLES },
        memorySource: 'growth of the torch worker\'s peak RSS (VmHWM reset via /proc/self/clear_refs) over one pass' }
      : { memorySource: 'torch.cuda.max_memory_allocated over one pass, beyond weights and input' }),
  };
}

const bytesOf = (t: Float32Array) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);

/** This process's worker for the engine's device. */
export function workerOf(backend: TorchBackend, info: EngineInfo): TorchWorker {
  return workerFor(backend, backend === 'cpu' ? info.threads ?? torchThreads() : 0);
}

/**
 * Sends `header` (a prepare of some kind) with `tensors` as its payload; the pass the worker keeps, as a
 * Prepared whose calls may replace the inputs `bound` names (by their shapes).
 */
export async function preparedOn(worker: TorchWorker, info: EngineInfo, header: Record<string, unknown>,
  tensors: Float32Array[], bound: Record<string, number[]>): Promise<Prepared> {
  const handle = (await worker.request(header, tensors.map(bytesOf))).header.handle;
  const prepared: Prepared = {
    async run(inputs = {}) {
      const names = Object.keys(inputs);
      for (const n of names) checkReplacement(n, bound[n], inputs[n].shape);
      const { header: h, payload } = await worker.request({ cmd: 'run', handle, replace: names,
        shapes: names.map((n) => inputs[n].shape) }, names.map((n) => bytesOf(inputs[n].data)));
      const out: Record<string, Float32Array> = {};
      let offset = payload.byteOffset;
      for (const o of h.outputs as Array<{ name: string; shape: number[] }>) {
        const n = o.shape.reduce((a, b) => a * b, 1);
        out[o.name] = new Float32Array(payload.buffer.slice(offset, offset + 4 * n));
        offset += 4 * n;
      }
      if (h.attentionBackend) prepared.attentionBackend = String(h.attentionBackend);
      return out;
    },
    async timeSamples(count) {
      const { header: h } = await worker.request({ cmd: 'time', handle, count });
      return { samplesMs: h.samplesMs as number[], clock: String(h.clock), downloadInside: false,
        ...(h.cudaGraph !== undefined && { cudaGraph: h.cudaGraph as true | string }) };
    },
    async peakMemory() {
      const { header: h } = await worker.request({ cmd: 'memory', handle });
      return { peakBytes: Number(h.peakBytes), source: info.capabilities?.memorySource ?? String(h.source) };
    },
    async dispose() {
      if (!worker.dead) await worker.request({ cmd: 'dispose', handle });
    },
  };
  return prepared;
}

export function torchEngine(backend: TorchBackend, info: EngineInfo): Engine {
  return {
    info,
    async prepare(program, weights): Promise<Prepared> {
      const traced = traceProgram(program, weights, info.capabilities?.fusedAttention === true);
      return preparedOn(workerOf(backend, info), info, { cmd: 'prepare', program: traced.program, dtype: program.dtype ?? 'float32' },
        traced.data, Object.fromEntries(traced.program.inputs.map((i) => [i.name, i.shape])));
    },
  };
}
