/**
 * Which engines/backends exist here (src/engine/registry.ts, probed once per process), and which
 * a run uses: explicit requests for missing backends fail, defaults fall back loudly. Failures are
 * typed (EngineSelectionError.problem); the command line words them.
 */
import { ENGINE_IDS, ENGINE_NAMES, idOf, REGISTRY } from './registry.ts';
import type { Engine, EngineInfo, ResultLine } from './types.ts';
import { DEFAULT_DTYPE } from '../results/dtype.ts';
import { messages } from '../messages.ts';

export { ENGINE_IDS, ENGINE_NAMES } from './registry.ts';

const probed = new Map<string, Promise<EngineInfo>>();

/**
 * The engines/backends with their availability, in priority order (probes are cached): every one, or
 * those of the engines named (`probeNames`). A run that names its engines probes only those: torch's
 * probe alone starts Python and imports torch (1.2–1.8 s of CPU here), which a run on onnx and tfjs
 * does not use.
 */
export async function listEngines(names?: readonly string[]): Promise<EngineInfo[]> {
  const infos: EngineInfo[] = [];
  for (const entry of REGISTRY.filter((e) => names === undefined || names.includes(e.engine))) {
    const id = idOf(entry);
    if (!probed.has(id)) probed.set(id, entry.probe().then((i) => ({ ...i, priority: entry.priority })));
    infos.push(await probed.get(id)!);
  }
  return infos;
}

/**
 * The engine names requests need probed, for listEngines: undefined (every engine) when one asks for
 * the fastest engine here, for `all`, or for a backend of any engine.
 */
export function probeNames(requests: readonly EngineRequest[]): string[] | undefined {
  if (requests.some((r) => r.engine === undefined || r.engine === 'all')) return undefined;
  return [...new Set(requests.map((r) => r.engine!))];
}

/** Every engine's own settings checked (BackendEntry.checkSettings), before any engine starts. */
export function checkEngineSettings(): void {
  for (const check of new Set(REGISTRY.map((e) => e.checkSettings))) check?.();
}

/** What each engine says about its own lines of a run (BackendEntry.notices), for the report's top. */
export function engineNotices(lines: readonly ResultLine[]): string[] {
  return REGISTRY.flatMap((e) => e.notices?.(lines.filter((l) => l.engine === e.engine && l.backend === e.backend)) ?? []);
}

/** Builds the engine for an id inside the process that will run it. */
export async function createEngine(info: EngineInfo): Promise<Engine> {
  const entry = REGISTRY.find((e) => idOf(e) === info.id);
  if (!entry) throw new Error(`unknown engine ${info.id}`);
  return inDeclaredDtypes(await entry.create(info));
}

/** An engine that refuses, loudly, a program in a dtype its capabilities do not declare (absent = float32 only). */
function inDeclaredDtypes(engine: Engine): Engine {
  const declared = engine.info.capabilities?.dtypes ?? [DEFAULT_DTYPE];
  const prepare = engine.prepare.bind(engine);
  engine.prepare = (program, weights) => {
    const dtype = program.dtype ?? DEFAULT_DTYPE;
    if (!declared.includes(dtype)) throw new Error(messages.dtypeUnsupported(engine.info.id, dtype, declared));
    return prepare(program, weights);
  };
  return engine;
}

export interface EngineRequest {
  /** An engine name (ENGINE_NAMES) or `all`; absent = the fastest available. */
  engine?: string;
  /** Backends to use for the named engine, e.g. ['wasm', 'cpu']. */
  backends?: string[];
}

export interface Selection {
  engines: EngineInfo[];
  /** One line per fallback taken, e.g. "tfjs/tensorflow-gpu unavailable (...): using tfjs/wasm". */
  fallbacks: string[];
}

/** Why no engine could be chosen: a backend that does not exist, or none of those asked for available. */
export type SelectionProblem =
  | { kind: 'unknown-engine'; received: string; valid: string[] }
  | { kind: 'unknown-backend'; received: string; valid: string[] }
  | { kind: 'none-available'; tried: Array<Pick<EngineInfo, 'id' | 'reason'>> };

export class EngineSelectionError extends Error {
  constructor(readonly problem: SelectionProblem) {
    super(problem.kind === 'none-available' ? 'no available engine' : `unknown ${problem.kind.slice(8)} ${problem.received}`);
  }
}

const noneAvailable = (tried: EngineInfo[]) => new EngineSelectionError({ kind: 'none-available', tried });

/** Chooses the engines of a run; explicit requests for missing backends fail, defaults fall back loudly. */
export function selectEngines(all: EngineInfo[], req: EngineRequest): Selection {
  const fallbacks: string[] = [];
  const bestOf = (engine?: string): EngineInfo => {
    const candidates = all.filter((i) => engine === undefined || i.engine === engine);
    const chosen = candidates.find((i) => i.available);
    if (!chosen) throw noneAvailable(candidates);
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
        throw new EngineSelectionError({ kind: 'unknown-backend', received: b, valid: [...new Set(valid)] });
      }
      const ok = matches.find((i) => i.available);
      if (!ok) throw noneAvailable(matches);
      return ok;
    });
    return { engines: picked, fallbacks };
  }
  if (req.engine === 'all') {
    // Every engine with a backend here; an optional engine absent altogether (torch without Python) is said, not fatal.
    const present = ENGINE_NAMES.filter((e) => all.some((i) => i.engine === e && i.available));
    if (present.length === 0) throw noneAvailable(all);
    for (const e of ENGINE_NAMES.filter((n) => !present.includes(n))) {
      const why = all.filter((i) => i.engine === e).map((i) => `${i.id}: ${i.reason}`).join('; ');
      fallbacks.push(`${e} unavailable (${why}): left out of --engine all`);
    }
    return { engines: present.map((e) => bestOf(e)), fallbacks };
  }
  return { engines: [bestOf(req.engine)], fallbacks };
}

/**
 * Requests from `engine` or `engine/backend` specs (a suite's `engines`: names, `all` or ids);
 * none = the fastest engine here.
 */
export function requestsOf(specs: readonly string[] | undefined): EngineRequest[] {
  if (!specs) return [{}];
  return specs.map((spec) => {
    const [engine, backend] = spec.split('/');
    if (![...ENGINE_NAMES, 'all'].includes(engine)) {
      throw new EngineSelectionError({ kind: 'unknown-engine', received: spec, valid: [...ENGINE_NAMES, 'all', ...ENGINE_IDS] });
    }
    return { engine, backends: backend ? [backend] : undefined };
  });
}

/** The engines of several requests, in order, each engine and each fallback once. */
export function selectAll(all: EngineInfo[], requests: EngineRequest[]): Selection {
  const engines: EngineInfo[] = [], fallbacks: string[] = [];
  for (const sel of requests.map((r) => selectEngines(all, r))) {
    for (const e of sel.engines) if (!engines.includes(e)) engines.push(e);
    fallbacks.push(...sel.fallbacks.filter((x) => !fallbacks.includes(x)));
  }
  return { engines, fallbacks };
}
