/**
 * Worker-process entry: receives jobs over IPC, one at a time, and sends back each result. Jobs are tagged
 * by `kind`: check a case (its mode's check, src/modes: counts, a first sample, the reference check
 * and memory, untimed), time one round of a case, measure the peak memory of a
 * case's forward pass, or measure an engine's matmul ceiling. The sweep gives each worker one phase
 * (src/run/pool.ts), so the rounds of a case never share a process.
 */
import type { Case, EngineInfo, RoundTiming } from '../results/types.ts';
import { caseFailed, measureCaseMemory, type CaseOutcome, type MemoryMeasurement } from '../measure/case.ts';
import { measureCeiling, type Ceiling } from '../measure/ceiling.ts';
import { modeOf } from '../modes/index.ts';

/** A job, with the modules that registered modes at run time in the parent (src/modes/index.ts, registerMode). */
export type Job = (
  | { kind: 'case'; case: Case }
  | { kind: 'round'; case: Case; round: number }
  | { kind: 'memory'; case: Case }
  | { kind: 'ceiling'; engine: EngineInfo; timeMs: number }) & { modules?: string[] };

/** What each kind of job sends back. */
export interface JobResult {
  case: CaseOutcome;
  round: RoundTiming | { error: string };
  memory: MemoryMeasurement | { error: string };
  ceiling: Ceiling | { error: string };
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

function work(job: Job): Promise<JobResult[Job['kind']]> {
  switch (job.kind) {
    case 'case': {
      const c = job.case, skip = modeOf(c.mode).unsupported(c);
      if (skip) return Promise.resolve({ kind: 'failed', line: caseFailed(c, 'skipped', skip) });
      return modeOf(c.mode).check(c)
        .catch((e: unknown): CaseOutcome => ({ kind: 'failed', line: caseFailed(c, 'error', message(e)) }));
    }
    case 'round':
      return modeOf(job.case.mode).round(job.case, job.round).catch((e: unknown) => ({ error: message(e) }));
    case 'memory':
      return measureCaseMemory(job.case).catch((e: unknown) => ({ error: message(e) }));
    case 'ceiling':
      return measureCeiling(job.engine, job.timeMs).catch((e: unknown) => ({ error: message(e) }));
  }
}

/** A warm worker (src/run/pool.ts): answers jobs one after another until its parent closes it. */
let queue = Promise.resolve();
const imported = new Set<string>();
async function serve(job: Job): Promise<void> {
  for (const m of job.modules ?? []) if (!imported.has(m)) { await import(m); imported.add(m); }
  process.send!(await work(job));
}
process.on('message', (job: Job) => { queue = queue.then(() => serve(job)); });
process.on('disconnect', () => process.exit(0));
