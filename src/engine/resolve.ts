/**
 * Which engines/backends exist here, in priority order, and why not the others.
 *
 * Priority (lower first) is the expected speed on a machine that has them all: CUDA first,
 * then native CPU libraries, then WebAssembly, then pure JavaScript. On this project's 2-core
 * reference machine onnx/cpu ran `full` at N=1024 about 30× faster than tfjs/wasm (closing note
 * of #2: 20 ms vs 590 ms for full, d=512), which is why onnx/cpu precedes the tfjs CPU backends.
 */
import { probeOnnx, onnxEngine } from './onnx.ts';
import { loadTfjs, probeTfjs, tfjsEngine } from './tfjs.ts';
import type { Engine, EngineInfo, EngineName } from './types.ts';

interface Entry {
  id: string;
  engine: EngineName;
  backend: string;
  priority: number;
  probe(): Promise<Omit<EngineInfo, 'priority'>>;
  create(info: EngineInfo): Promise<Engine>;
}

const REGISTRY: Entry[] = [
  { id: 'onnx/cuda', engine: 'onnx', backend: 'cuda', priority: 10, probe: () => probeOnnx('cuda'), create: async (i) => onnxEngine('cuda', i) },
  { id: 'tfjs/tensorflow-gpu', engine: 'tfjs', backend: 'tensorflow-gpu', priority: 20, probe: () => probeTfjs('tensorflow-gpu'),
    create: async (i) => tfjsEngine(await loadTfjs('tensorflow-gpu'), 'tensorflow-gpu', i) },
  { id: 'onnx/cpu', engine: 'onnx', backend: 'cpu', priority: 30, probe: () => probeOnnx('cpu'), create: async (i) => onnxEngine('cpu', i) },
  { id: 'tfjs/tensorflow', engine: 'tfjs', backend: 'tensorflow', priority: 40, probe: () => probeTfjs('tensorflow'),
    create: async (i) => tfjsEngine(await loadTfjs('tensorflow'), 'tensorflow', i) },
  { id: 'tfjs/wasm', engine: 'tfjs', backend: 'wasm', priority: 50, probe: () => probeTfjs('wasm'),
    create: async (i) => tfjsEngine(await loadTfjs('wasm'), 'wasm', i) },
  { id: 'tfjs/cpu', engine: 'tfjs', backend: 'cpu', priority: 60, probe: () => probeTfjs('cpu'),
    create: async (i) => tfjsEngine(await loadTfjs('cpu'), 'cpu', i) },
];

export const ENGINE_NAMES: EngineName[] = ['tfjs', 'onnx'];
export const ENGINE_IDS = REGISTRY.map((e) => e.id);

const probed = new Map<string, Promise<EngineInfo>>();

/** Every engine/backend with its availability, in priority order (probes are cached). */
export async function listEngines(): Promise<EngineInfo[]> {
  const infos: EngineInfo[] = [];
  for (const entry of REGISTRY) {
    if (!probed.has(entry.id)) probed.set(entry.id, entry.probe().then((i) => ({ ...i, priority: entry.priority })));
    infos.push(await probed.get(entry.id)!);
  }
  return infos;
}

/** Builds the engine for an id inside the process that will run it. */
export async function createEngine(info: EngineInfo): Promise<Engine> {
  const entry = REGISTRY.find((e) => e.id === info.id);
  if (!entry) throw new Error(`unknown engine ${info.id}`);
  return entry.create(info);
}

export interface EngineRequest {
  /** `tfjs`, `onnx` or `all`; absent = the fastest available. */
  engine?: EngineName | 'all';
  /** Backends to use for the named engine, e.g. ['wasm', 'cpu']. */
  backends?: string[];
}

export interface Selection {
  engines: EngineInfo[];
  /** One line per fallback taken, e.g. "tfjs/tensorflow-gpu unavailable (...): using tfjs/wasm". */
  fallbacks: string[];
}

export class EngineSelectionError extends Error {}

/** Chooses the engines of a run; explicit requests for missing backends fail, defaults fall back loudly. */
export function selectEngines(all: EngineInfo[], req: EngineRequest): Selection {
  const fallbacks: string[] = [];
  const bestOf = (engine?: EngineName): EngineInfo => {
    const candidates = all.filter((i) => engine === undefined || i.engine === engine);
    const chosen = candidates.find((i) => i.available);
    if (!chosen) throw new EngineSelectionError(noneAvailable(candidates));
    for (const skipped of candidates.slice(0, candidates.indexOf(chosen))) {
      fallbacks.push(`${skipped.id} unavailable (${skipped.reason}): using ${chosen.id}`);
    }
    return chosen;
  };
  if (req.backends?.length) {
    const engines = req.engine && req.engine !== 'all' ? [req.engine] : ENGINE_NAMES;
    const picked = req.backends.map((b) => {
      const matches = all.filter((i) => engines.includes(i.engine) && i.backend === b);
      if (matches.length === 0) {
        const valid = all.filter((i) => engines.includes(i.engine)).map((i) => i.backend);
        throw new EngineSelectionError(`--backend expects one of ${[...new Set(valid)].join(', ')}. Received: ${b}`);
      }
      const ok = matches.find((i) => i.available);
      if (!ok) throw new EngineSelectionError(noneAvailable(matches));
      return ok;
    });
    return { engines: picked, fallbacks };
  }
  if (req.engine === 'all') return { engines: ENGINE_NAMES.map((e) => bestOf(e)), fallbacks };
  return { engines: [bestOf(req.engine)], fallbacks };
}

function noneAvailable(tried: EngineInfo[]): string {
  return `no available engine found. ERR: ${tried.map((i) => `[${i.id}] ${i.reason}`).join(', ')}`;
}
