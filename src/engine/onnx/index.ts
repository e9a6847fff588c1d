/**
 * ONNX Runtime engine. A variant's forward is traced once into an ONNX graph (trace.ts), which
 * then runs in an InferenceSession (session.ts); peak memory is read from /proc (rss.ts). This
 * file is the engine's front door: the probe, and what the rest of the project imports.
 */
import type { BackendEntry, EngineInfo } from '../types.ts';
import { firstLine } from '../types.ts';
import { createSession, loadOrt, ONNX_CAPABILITIES, ONNX_DENORMALS, onnxEngine, onnxSpinning, onnxSpinningSetting, onnxThreads,
  type OnnxBackend } from './session.ts';
import { traceGraph } from './trace.ts';

export { createSession, loadOrt, ONNX_CAPABILITIES, onnxEngine, onnxThreads, type OnnxBackend } from './session.ts';
export { traceGraph, type Sym, type TracedGraph } from './trace.ts';

/**
 * How a CUDA 12 machine gets the CUDA provider: onnxruntime-node's install script downloads it, and
 * package.json's allowScripts denies that script (an offline install must work), so it is run by hand.
 */
export const CUDA_PROVIDER_INSTALL = 'ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install.js';

/** Probes one execution provider with a one-node session. */
export async function probeOnnx(backend: OnnxBackend): Promise<Omit<EngineInfo, 'priority'>> {
  const id = `onnx/${backend}`, device = backend === 'cuda' ? 'cuda' : 'cpu';
  try {
    const ort = loadOrt();
    const tiny = traceGraph((ops, x) => ops.add(x, x), {}, [1]);
    const session = await createSession(ort, tiny.model, backend, true, true);
    await session.release();
    return { engine: 'onnx', backend, id, available: true, version: ort.env.versions.node, device,
      threads: backend === 'cpu' ? onnxThreads() : undefined,
      settings: { spinning: onnxSpinningSetting(), denormals: ONNX_DENORMALS },
      capabilities: ONNX_CAPABILITIES };
  } catch (e) {
    const msg = firstLine(e instanceof Error ? e.message : String(e));
    const reason = backend === 'cuda' && /cuda/i.test(msg)
      ? `CUDA execution provider not usable (${msg}); on a CUDA 12 machine run ${CUDA_PROVIDER_INSTALL}`
      : msg;
    return { engine: 'onnx', backend, id, available: false, device, reason };
  }
}

/** Priority of each execution provider in the registry (see src/engine/registry.ts). */
const PRIORITY: Record<OnnxBackend, number> = { cuda: 10, cpu: 30 };

/** The onnx execution providers, as registry entries. */
export const ONNX_BACKENDS: BackendEntry[] = (Object.keys(PRIORITY) as OnnxBackend[]).map((backend) => ({
  engine: 'onnx', backend, priority: PRIORITY[backend], probe: () => probeOnnx(backend),
  create: async (info) => onnxEngine(backend, info),
  checkSettings: () => { onnxSpinning(); }, // a bad ATTNBENCH_ONNX_SPIN is one line and exit 2, not an error in every case
}));
