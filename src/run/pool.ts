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
import type { ResultLine } from './result.ts';

const WORKER = fileURLToPath(new URL('../measure/worker.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

/**
 * glibc raises its mmap threshold after large blocks are freed, after which a forward pass's
 * buffers come from the heap that warm-up already grew, and peak-RSS growth reads ~0. A fixed
 * threshold keeps every buffer ≥ 16 KiB in its own mapping, returned at free, so the growth of
 * peak RSS over one pass is that pass's memory (onnx memory measurement; see engine/onnx.ts).
 */
const MALLOC_TUNABLES = 'glibc.malloc.mmap_threshold=16384:glibc.malloc.trim_threshold=65536';

export interface ChildLimits {
  /** Wall-clock limit of one case, ms (start-up, measurement and references included). */
  timeoutMs: number;
  /** V8 heap limit of the child, MB (--max-old-space-size). */
  heapMb: number;
}

/** Measures one case in a child process; always resolves to a line, whatever the child does. */
export async function runInChild(c: Case, limits: ChildLimits, worker = WORKER): Promise<ResultLine> {
  const r = await runJob<ResultLine>({ case: c }, limits, worker);
  if (r.ok) return r.value;
  if (r.timedOut) return failedLine(c, 'skipped', `exceeded the case time limit of ${limits.timeoutMs / 1000} s`);
  return describeExit(c, r.code, r.signal, r.output, limits);
}

/** The engine's matmul ceiling, measured in a child process like a case. */
export async function ceilingInChild(engine: EngineInfo, limits: ChildLimits): Promise<Ceiling | { error: string }> {
  const r = await runJob<Ceiling | { error: string }>({ ceiling: engine }, limits, WORKER);
  return r.ok ? r.value : { error: r.timedOut ? 'timed out' : `exited with ${r.signal ?? `code ${r.code}`}` };
}

type JobOutcome<T> = { ok: true; value: T } | { ok: false; timedOut: boolean; code: number | null; signal: NodeJS.Signals | null; output: string };

function runJob<T>(job: Job, limits: ChildLimits, worker: string): Promise<JobOutcome<T>> {
  return new Promise((resolve) => {
    const child = fork(worker, [], {
      execArgv: ['--import', TSX, `--max-old-space-size=${limits.heapMb}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: { ...process.env, GLIBC_TUNABLES: MALLOC_TUNABLES },
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

/** A case whose analytic memory exceeds the budget is skipped before it runs. */
export function preflight(c: Case, maxMemoryBytes: number): ResultLine | undefined {
  const v = getVariant(c.variant);
  let bytes: number;
  try {
    bytes = v!.memory(c.shape, c.options);
  } catch {
    return undefined; // depends on the weights (e.g. SVD by energy): the case finds out itself
  }
  if (bytes <= maxMemoryBytes) return undefined;
  const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
  return failedLine(c, 'skipped', `analytic peak memory ${mb(bytes)} exceeds --max-memory ${mb(maxMemoryBytes)}`);
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
