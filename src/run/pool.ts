/**
 * Runs each case in a child process of its own, with a heap limit and a time limit. Whatever
 * happens in the child (a throw, running out of heap, being killed, hanging), the parent gets one
 * ResultLine back and the sweep goes on.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { failedLine } from '../measure/case.ts';
import type { Ceiling } from '../measure/ceiling.ts';
import type { Job } from '../measure/worker.ts';
import type { EngineInfo } from '../engine/types.ts';
import { getVariant } from '../variants/index.ts';
import type { Case } from './plan.ts';
import type { OkLine, ResultLine } from './result.ts';
import type { MemoryMeasurement } from '../measure/case.ts';

const WORKER = fileURLToPath(new URL('../measure/worker.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface ChildLimits {
  /** Wall-clock limit of one case, ms (start-up, measurement and references included). */
  timeoutMs: number;
  /** V8 heap limit of the child, MB (--max-old-space-size). */
  heapMb: number;
}

/** Measures one case in a child process; always resolves to a line, whatever the child does. */
export async function runInChild(c: Case, limits: ChildLimits, worker = WORKER): Promise<ResultLine> {
  const r = await runJob<ResultLine>({ case: c }, limits, worker);
  if (r.ok) return r.value.status === 'ok' && r.value.mode !== 'train' && c.engine.capabilities?.memoryProcessEnv
    ? { ...r.value, memory: await memoryInChild(c, limits, worker, c.engine.capabilities.memoryProcessEnv, r.value.memory) }
    : r.value;
  if (r.timedOut) return failedLine(c, 'skipped', `exceeded the case time limit of ${limits.timeoutMs / 1000} s`);
  return describeExit(c, r.code, r.signal, r.output, limits);
}

/** Peak memory of one forward pass, measured in a process of its own with the engine's settings. */
async function memoryInChild(c: Case, limits: ChildLimits, worker: string, env: Record<string, string>,
  pending: OkLine['memory']): Promise<OkLine['memory']> {
  const r = await runJob<MemoryMeasurement | { error: string }>({ memory: c }, limits, worker, env);
  if (r.ok && !('error' in r.value)) return { ...pending, ...r.value };
  const why = r.ok ? (r.value as { error: string }).error : r.timedOut ? 'timed out' : `exited with ${r.signal ?? `code ${r.code}`}`;
  return { ...pending, peakBytes: null, source: `not measured: the memory process ${why}` };
}

/** The engine's matmul ceiling, measured in a child process like a case. */
export async function ceilingInChild(engine: EngineInfo, limits: ChildLimits): Promise<Ceiling | { error: string }> {
  const r = await runJob<Ceiling | { error: string }>({ ceiling: engine }, limits, WORKER);
  return r.ok ? r.value : { error: r.timedOut ? 'timed out' : `exited with ${r.signal ?? `code ${r.code}`}` };
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

export const TRAIN_MEMORY_FACTOR = 3;

/** A case whose analytic memory exceeds the budget is skipped before it runs. */
export function preflight(c: Case, maxMemoryBytes: number): ResultLine | undefined {
  const v = getVariant(c.variant);
  let bytes: number;
  try {
    // A training step keeps the forward's activations for the backward pass and adds their
    // gradients: budgeted (not measured) as TRAIN_MEMORY_FACTOR × the forward's analytic peak.
    bytes = v!.memory(c.shape, c.options) * (c.mode === 'train' ? TRAIN_MEMORY_FACTOR : 1);
  } catch {
    return undefined; // depends on the weights (e.g. SVD by energy): the case finds out itself
  }
  if (bytes <= maxMemoryBytes) return undefined;
  const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
  const what = c.mode === 'train' ? `${TRAIN_MEMORY_FACTOR}× the analytic forward peak memory` : 'analytic peak memory';
  return failedLine(c, 'skipped', `${what} ${mb(bytes)} exceeds --max-memory ${mb(maxMemoryBytes)}`);
}

function describeExit(c: Case, code: number | null, signal: NodeJS.Signals | null, output: string, limits: ChildLimits): ResultLine {
  if (/heap out of memory|Allocation failed/i.test(output)) {
    return failedLine(c, 'skipped', `out of memory: the case exceeded its ${limits.heapMb} MB JavaScript heap`);
  }
  if (signal === 'SIGKILL' || code === 137) {
    return failedLine(c, 'skipped', 'out of memory: the case process was killed (SIGKILL, exit 137)');
  }
  const last = output.trim().split('\n').filter((l) => /error/i.test(l)).pop() ?? '';
  return failedLine(c, 'error', `case process exited with ${signal ?? `code ${code}`} before reporting${last ? `: ${last.trim()}` : ''}`);
}
