/**
 * Runs jobs in worker processes, with a heap limit and a time limit. Whatever happens in a worker
 * (a throw, running out of heap, being killed, hanging), the parent gets one result back, the
 * worker is replaced, and the sweep goes on.
 *
 * Workers are warm: one process runs the jobs of one phase of a sweep (every case's checks, or one
 * timing round of every case) one after another and is closed at the phase's end, so every round
 * of a case runs in a different process. A fresh process per job would spend about 1.6 s loading
 * the harness (node, tsx and both engines: `node --import tsx -e "await
 * import('./src/run/worker.ts')"`, 1.59–1.65 s here) against 0.2–2 s of warm-up and sampling
 * per round: the start-up would dominate a sweep. From the sources a worker runs the worker compiled
 * to one module (compiled-worker.ts), which starts in about 0.55 s instead of 1.37 s. A case's
 * checks (peak memory among them) run in a worker started with its engine's memory settings (Capabilities.memoryProcessEnv); its timing
 * rounds never do (onnx's allocator settings slow small passes 1.5–2×).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { caseFailed, type CaseOutcome } from '../measure/case.ts';
import type { Ceiling } from '../measure/ceiling.ts';
import { modeModules } from '../modes/index.ts';
import type { Job, JobResult } from './worker.ts';
import type { Case, CaseFacts, EngineInfo, FailedLine, RoundTiming } from '../results/types.ts';
import type { Dtype } from '../results/dtype.ts';
import { besideBundle, BUNDLED } from './bundled.ts';
import { compiledWorker } from './compiled-worker.ts';

const WORKER = fileURLToPath(BUNDLED ? besideBundle('worker.mjs') : new URL('./worker.ts', import.meta.url));

/**
 * The file a worker process runs and its loader flags: the bundle's worker.mjs on bare Node; from the
 * sources, the worker compiled to one module (compiled-worker.ts) on bare Node too, unless modes were
 * registered at run time (their modules, e.g. a test's .ts, need tsx) or the worker is another file
 * (a test's fixture): those run under tsx.
 */
async function entryOf(worker: string): Promise<{ file: string; loader: string[] }> {
  if (BUNDLED) return { file: worker, loader: [] };
  const compiled = worker === WORKER && modeModules().length === 0 ? await compiledWorker() : undefined;
  return compiled ? { file: compiled, loader: [] } : { file: worker, loader: ['--import', import.meta.resolve('tsx')] };
}

export interface ChildLimits {
  /** Wall-clock limit of one job, ms (preparation, measurement and references included). */
  timeoutMs: number;
  /** V8 heap limit of a worker, MB (--max-old-space-size). */
  heapMb: number;
  /** Further Node/V8 flags of every worker: those the engines of the run ask for (Capabilities.processFlags). */
  nodeFlags?: string[];
}

type JobOutcome<T> = { ok: true; value: T }
  | { ok: false; timedOut: boolean; code: number | null; signal: NodeJS.Signals | null; output: string };

const exitReason = (r: { timedOut: boolean; code: number | null; signal: NodeJS.Signals | null }, limits: ChildLimits) =>
  (r.timedOut ? `exceeded the case time limit of ${limits.timeoutMs / 1000} s` : `exited with ${r.signal ?? `code ${r.code}`}`);

const live = new Set<number>();

/** Process ids of the worker processes alive now (the load record counts their threads as the run's own). */
export const workerPids = (): number[] => [...live];

/** A worker process answering jobs one after another, started at its first job and again after one that ended it. */
export class WarmWorker {
  private child?: ChildProcess;
  private output = '';

  constructor(readonly limits: ChildLimits, private readonly env: Record<string, string> = {}, private readonly worker = WORKER) {}

  private spawn(entry: { file: string; loader: string[] }): ChildProcess {
    const child = fork(entry.file, ['serve'], {
      execArgv: [...entry.loader, `--max-old-space-size=${this.limits.heapMb}`, ...(this.limits.nodeFlags ?? [])],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, ...this.env } });
    const keep = (d: Buffer) => { this.output = (this.output + d.toString()).slice(-8000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    if (child.pid !== undefined) live.add(child.pid);
    child.on('exit', () => {
      if (child.pid !== undefined) live.delete(child.pid);
      if (this.child === child) this.child = undefined;
    });
    return child;
  }

  async run<T>(job: Job, timeoutMs = this.limits.timeoutMs): Promise<JobOutcome<T>> {
    const child = (this.child ??= this.spawn(await entryOf(this.worker)));
    this.output = '';
    return new Promise((resolve) => {
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(timer);
        resolve({ ok: false, timedOut, code, signal, output: this.output });
      };
      child.once('exit', onExit);
      child.once('message', (m) => {
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        resolve({ ok: true, value: m as T });
      });
      child.send({ ...job, modules: modeModules() });
    });
  }

  close(): void {
    this.child?.kill();
    this.child = undefined;
  }
}

/** The workers of one phase of a sweep, one per process environment; closed together. */
export class Workers {
  private readonly byEnv = new Map<string, WarmWorker>();

  constructor(readonly limits: ChildLimits, private readonly worker = WORKER) {}

  get(env: Record<string, string> = {}): WarmWorker {
    const key = JSON.stringify(env);
    if (!this.byEnv.has(key)) this.byEnv.set(key, new WarmWorker(this.limits, env, this.worker));
    return this.byEnv.get(key)!;
  }

  close(): void {
    for (const w of this.byEnv.values()) w.close();
    this.byEnv.clear();
  }
}

/**
 * A case's checks (its untimed first job): its facts, or a line saying why it cannot be measured. They
 * run in the phase's worker started with the engine's memory settings (Capabilities.memoryProcessEnv,
 * onnx: the allocator's), so the memory probe runs beside the checks, on the same prepared pass.
 */
export async function checkCase(c: Case, workers: Workers): Promise<CaseFacts | FailedLine> {
  const r = await workers.get(c.engine.capabilities?.memoryProcessEnv).run<CaseOutcome>({ kind: 'case', case: c });
  if (!r.ok) {
    if (r.timedOut) return caseFailed(c, 'skipped', `exceeded the case time limit of ${workers.limits.timeoutMs / 1000} s`);
    return describeExit(c, r.code, r.signal, r.output, workers.limits);
  }
  return r.value.kind === 'failed' ? r.value.line : r.value.facts;
}

/**
 * Times round `round` of the cases of one comparison group together in `worker` (measure/group-round.ts):
 * one result per case, in their order. The job's time limit is the case limit times the group's size.
 */
export async function groupRoundOf(cases: Case[], round: number, seed: string, worker: WarmWorker,
  limits: ChildLimits): Promise<Array<RoundTiming | { error: string }>> {
  const r = await worker.run<JobResult['round']>({ kind: 'round', cases, round, seed }, limits.timeoutMs * cases.length);
  if (r.ok) return r.value;
  const oom = /heap out of memory|Allocation failed/i.test(r.output);
  const error = oom ? `out of memory: the round exceeded its ${limits.heapMb} MB JavaScript heap` : exitReason(r, limits);
  return cases.map(() => ({ error }));
}

/**
 * The engine's matmul ceiling in `dtype`, measured in `worker` (a worker apart from the cases'), `timeMs` of sampling per
 * shape, and its bandwidth ceiling at each of `bandwidthBytes`.
 */
export async function ceilingIn(worker: WarmWorker, engine: EngineInfo, timeMs: number, dtype: Dtype,
  bandwidthBytes: number[] = []): Promise<Ceiling | { error: string }> {
  const r = await worker.run<JobResult['ceiling']>({ kind: 'ceiling', engine, timeMs, dtype, bandwidthBytes });
  return r.ok ? r.value : { error: exitReason(r, worker.limits) };
}

function describeExit(c: Case, code: number | null, signal: NodeJS.Signals | null, output: string, limits: ChildLimits): FailedLine {
  if (/heap out of memory|Allocation failed/i.test(output)) {
    return caseFailed(c, 'skipped', `out of memory: the case exceeded its ${limits.heapMb} MB JavaScript heap`);
  }
  if (signal === 'SIGKILL' || code === 137) {
    return caseFailed(c, 'skipped', 'out of memory: the case process was killed (SIGKILL, exit 137)');
  }
  const last = output.trim().split('\n').filter((l) => /error/i.test(l)).pop() ?? '';
  return caseFailed(c, 'error', `case process exited with ${signal ?? `code ${code}`} before reporting${last ? `: ${last.trim()}` : ''}`);
}
