/**
 * The torch engine's compiled pass: a variant's forward traced into a program (program.ts), sent
 * with weights and input to this process's torch worker (client.ts), which keeps them on its
 * device. The pass can time itself on the device's clock (Prepared.timeSamples): CUDA events on
 * CUDA, a monotonic clock on the CPU, the output left where the pass wrote it.
 */
import { availableParallelism } from 'node:os';
import type { Capabilities, Engine, EngineInfo, Prepared } from '../types.ts';
import { traceProgram } from './program.ts';
import { workerFor } from './client.ts';

export type TorchBackend = 'cuda' | 'cpu';

/** glibc settings under which peak-RSS growth is one pass's memory (as onnx: ../onnx/session.ts). */
const MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=16384:glibc.malloc.trim_threshold=65536';

/** Threads torch computes with on the CPU: as onnx, every core this process may use. */
export const torchThreads = (): number => availableParallelism();

/** What the probe found, as capabilities: SDPA is the fused kernel where this torch has it (≥ 2.0). */
export function torchCapabilities(backend: TorchBackend, sdpa: boolean): Capabilities {
  return {
    gradients: false,
    fusedAttention: sdpa,
    ...(backend === 'cpu'
      ? { memoryProcessEnv: { GLIBC_TUNABLES: MALLOC_TUNABLES },
        memorySource: 'growth of the torch worker\'s peak RSS (VmHWM reset via /proc/self/clear_refs) over one pass' }
      : { memorySource: 'torch.cuda.max_memory_allocated over one pass, beyond weights and input' }),
  };
}

export function torchEngine(backend: TorchBackend, info: EngineInfo): Engine {
  const threads = backend === 'cpu' ? info.threads ?? torchThreads() : 0;
  return {
    info,
    async prepare(forward, weights, input): Promise<Prepared> {
      const worker = workerFor(backend, threads);
      const traced = traceProgram(forward, weights, input.shape, info.capabilities?.fusedAttention === true);
      const bytes = (t: Float32Array) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
      const prepared = await worker.request({ cmd: 'prepare', program: traced.program, dtype: 'float32' },
        [bytes(input.data), ...traced.data.map(bytes)]);
      const handle = prepared.header.handle;
      return {
        async run() {
          const { payload } = await worker.request({ cmd: 'run', handle });
          return new Float32Array(payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength));
        },
        async timeSamples(count) {
          const { header } = await worker.request({ cmd: 'time', handle, count });
          return { samplesMs: header.samplesMs as number[], clock: String(header.clock), downloadInside: false };
        },
        async peakMemory() {
          const { header } = await worker.request({ cmd: 'memory', handle });
          return { peakBytes: Number(header.peakBytes), source: info.capabilities?.memorySource ?? String(header.source) };
        },
        async dispose() {
          if (!worker.dead) await worker.request({ cmd: 'dispose', handle });
        },
      };
    },
  };
}
