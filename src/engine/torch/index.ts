/**
 * PyTorch engine, run out of process: a variant's forward is traced into a program (program.ts)
 * that a Python worker (worker.py) executes with torch ops (session.ts, client.ts). This file is
 * the engine's front door: the probe, and the registry entries. The probe runs
 * `python worker.py --probe` in a process of its own, once for both backends: this process never
 * imports torch and never initialises CUDA. Its answer is kept on disk under what it depends on
 * (probe-cache.ts): torch is imported once per interpreter, installation and environment.
 */
import { execFile } from 'node:child_process';
import type { BackendEntry, EngineInfo } from '../types.ts';
import type { Dtype } from '../../results/dtype.ts';
import { firstLine } from '../types.ts';
import { pythonOf, workerScript } from './client.ts';
import { cachedProbe } from './probe-cache.ts';
import { torchCapabilities, torchEngine, torchThreads, type TorchBackend } from './session.ts';

export { traceProgram, type TorchProgram, type TracedProgram } from './program.ts';
export { torchCapabilities, torchEngine, torchThreads, type TorchBackend } from './session.ts';

/** What `worker.py --probe` prints (one JSON line). */
interface ProbeOutput {
  ok: boolean;
  reason?: string;
  version?: string;
  sdpa?: boolean;
  /** SDPA's kernels this torch can be asked for by name (worker.py: sdpa_backends). */
  sdpaBackends?: string[];
  /** Per device, per half-precision dtype: null where it runs, else why not (worker.py: dtype_reasons). */
  dtypes?: Partial<Record<TorchBackend, Partial<Record<Dtype, string | null>>>>;
  cuda?: { ok: boolean; reason?: string; name?: string; memoryBytes?: number; cudaVersion?: string };
}

/** Runs the probe script; any failure comes back as `{ ok: false, reason }`, one line. */
function runProbe(): Promise<ProbeOutput> {
  const python = pythonOf();
  return new Promise((resolve) => {
    execFile(python, [workerScript(), '--probe'], { timeout: 120_000 }, (err, stdout, stderr) => {
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        return resolve({ ok: false, reason: `${python} not found: set ATTNBENCH_PYTHON to an interpreter with torch` });
      }
      try {
        const out = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ProbeOutput;
        resolve(out.ok ? out : { ok: false, reason: `torch not importable from ${python}: ${out.reason}` });
      } catch {
        resolve({ ok: false, reason: `torch probe failed in ${python}: ${firstLine(stderr || String(err))}` });
      }
    });
  });
}

let probed: Promise<ProbeOutput> | undefined;

/** One backend's registry facts from the (shared, cached) probe. */
export async function probeTorch(backend: TorchBackend): Promise<Omit<EngineInfo, 'priority'>> {
  const id = `torch/${backend}`, python = pythonOf();
  const p = await (probed ??= cachedProbe(python, workerScript(), runProbe));
  if (!p.ok) return { engine: 'torch', backend, id, available: false, reason: p.reason };
  const gpu = p.cuda;
  if (backend === 'cuda' && !gpu?.ok) return { engine: 'torch', backend, id, available: false, reason: `no CUDA device: ${gpu?.reason}` };
  const where = backend === 'cuda' ? `, ${gpu!.name}, ${((gpu!.memoryBytes ?? 0) / 2 ** 30).toFixed(1)} GiB, CUDA ${gpu!.cudaVersion}` : '';
  return { engine: 'torch', backend, id, available: true, version: `${p.version} (${python}${where})`, device: backend,
    threads: backend === 'cpu' ? torchThreads() : undefined,
    capabilities: torchCapabilities(backend, p.sdpa === true, p.dtypes?.[backend] ?? {}, p.sdpaBackends) };
}

/**
 * Priority in the registry (src/engine/registry.ts): CUDA first of all engines (where a GPU is,
 * torch's kernels are the ones published for it); on the CPU after onnx, which ran full attention
 * at N=1024, d=512 in 0.024 s here where Debian's torch 1.13 with OpenBLAS took 0.14 s (issue 22).
 */
const PRIORITY: Record<TorchBackend, number> = { cuda: 5, cpu: 35 };

export const TORCH_BACKENDS: BackendEntry[] = (Object.keys(PRIORITY) as TorchBackend[]).map((backend) => ({
  engine: 'torch', backend, priority: PRIORITY[backend], probe: () => probeTorch(backend),
  create: async (info) => torchEngine(backend, info),
}));
