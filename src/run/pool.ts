/**
 * Runs jobs in child processes, with a heap limit and a time limit. Whatever happens in a child (a
 * throw, running out of heap, being killed, hanging), the parent gets one result back and the sweep
 * goes on. A case's first (facts) process and its memory process are each a process of their own;
 * timing rounds run in a warm worker per round (WarmWorker), because a fresh process spends about
 * 1.6 s loading the harness (node, tsx, both engines: measured here) against 0.2–2 s of warm-up and
 * sampling per round: the start-up would dominate a sweep of many rounds.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { caseFailed, type CaseOutcome } from '../measure/case.ts';
import type { Ceiling } from '../measure/ceiling.ts';
import type { Job, JobResult } from '../measure/worker.ts';
import type { Case, CaseFacts, EngineInfo, FailedLine, OkLine, RoundTiming } from '../results/types.ts';

const WORKER = fileURLToPath(new URL('../measure/worker.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface ChildLimits {
  /** Wall-clock limit of one case, ms (start-up, measurement and references included). */
  timeoutMs: number;
  /** V8 heap limit of the child, MB (--max-old-space-size). */
  heapMb: number;
}

/** A case's first process in a child of its own: its facts, or a line saying why it cannot be measured. */
export async function runInChild(c: Case, limits: ChildLimits, worker = WORKER): Promise<CaseFacts | FailedLine> {
  const r = await runJob<CaseOutcome>({ kind: 'case', case: c }, limits, worker);
  if (!r.ok) {
    if (r.timedOut) return caseFailed(c, 'skipped', `exceeded the case time limit of ${limits.timeoutMs / 1000} s`);
    return describeExit(c, r.code, r.signal, r.output, limits);
  }
  const outcome = r.value;
  if (outcome.kind === 'failed') return outcome.line;
  if (outcome.kind === 'facts') return outcome.facts;
  return { ...outcome.facts, memory: await memoryInChild(c, limits, worker, outcome.analyticBytes) };
}

/** Peak memory of one forward pass, measured in a process of its own with the engine's settings. */
async function memoryInChild(c: Case, limits: ChildLimits, worker: string, analyticBytes: number): Promise<OkLine['memory']> {
  const env = c.engine.capabilities?.memoryProcessEnv ?? {};
  const r = await runJob<JobResult['memory']>({ kind: 'memory', case: c }, limits, worker, env);
  if (r.ok && !('error' in r.value)) return { ...r.value, analyticBytes };
  const why = r.ok ? (r.value as { error: string }).error : exitReason(r, limits);
  return { peakBytes: null, source: `not measured: the memory process ${why}`, analyticBytes };
}

/** The engine's matmul ceiling, measured in a child process like a case. */
export async function ceilingInChild(engine: EngineInfo, limits: ChildLimits): Promise<Ceiling | { error: string }> {
  const r = await runJob<JobResult['ceiling']>({ kind: 'ceiling', engine }, limits, WORKER);
  return r.ok ? r.value : { error: exitReason(r, limits) };
}

type JobOutcome<T> = { ok: true; value: T } | { ok: false; timedOut: boolean; code: number | null; signal: NodeJS.Signals | null; output: string };

function runJob<T>(job: Job, limits: ChildLimits, worker: string, env: Record<string, string> = {}): Promise<JobOutcome<T>> {
  return new Promise((resolve) => {
    const child = fork(worker, [], {
      execArgv: ['--import', TSX, `--max-old-space-size=${limits.heapMb}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, ...env },
    });
    let output = '';
    const keep = (d: Buffer) => { output = (output + d.toString()).slice(-8000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    let value: { v: T } | undefined;
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, limits.timeoutMs);
    child.on('message', (m) => { value = { v: m as T }; });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(value ? { ok: true, value: value.v } : { ok: false, timedOut, code, signal, output });
    });
    child.send(job);
  });
}

const exitReason = (r: { timedOut: boolean; code: number | null; signal: NodeJS.Signals | null }, limits: ChildLimits) =>
  (r.timedOut ? `exceeded the case time limit of ${limits.timeoutMs / 1000} s` : `exited with ${r.signal ?? `code ${r.code}`}`);

/**
 * A worker process that runs timing rounds one after another, started at its first job. The sweep
 * uses one per round and closes it at the round's end, so each round of a case runs in another
 * process than its other rounds. A job that times out or kills the worker fails alone; the next
 * job starts a fresh worker.
 */
export class WarmWorker {
  private child?: ChildProcess;
  private output = '';

  constructor(private readonly limits: ChildLimits, private readonly worker = WORKER) {}

  private spawn(): ChildProcess {
    const child = fork(this.worker, ['serve'], {
      execArgv: ['--import', TSX, `--max-old-space-size=${this.limits.heapMb}`], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const keep = (d: Buffer) => { this.output = (this.output + d.toString()).slice(-8000); };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    child.on('exit', () => { if (this.child === child) this.child = undefined; });
    return child;
  }

  /** Times round `round` of case `c`. */
  round(c: Case, round: number): Promise<RoundTiming | { error: string }> {
    const child = (this.child ??= this.spawn());
    return new Promise((resolve) => {
      let timedOut = false;
      const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, this.limits.timeoutMs);
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(timer);
        const oom = /heap out of memory|Allocation failed/i.test(this.output);
        resolve({ error: oom ? `out of memory: the round exceeded its ${this.limits.heapMb} MB JavaScript heap`
          : exitReason({ timedOut, code, signal }, this.limits) });
      };
      child.once('exit', onExit);
      child.once('message', (m) => {
        clearTimeout(timer);
        child.removeListener('exit', onExit);
        resolve(m as RoundTiming | { error: string });
      });
      child.send({ kind: 'round', case: c, round } satisfies Job);
    });
  }

  close(): void {
    this.child?.kill();
    this.child = undefined;
  }
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
