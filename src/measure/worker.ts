/**
 * Worker-process entry: receives jobs over IPC, one at a time, and sends back each result. Jobs are tagged
 * by `kind`: check a case (a forward pass or a training step, by its mode: counts, a first pass,
 * accuracy and memory, untimed), time one round of a case, measure the peak memory of a
 * case's forward pass, or measure an engine's matmul ceiling. The sweep gives each worker one phase
 * (src/run/pool.ts), so the rounds of a case never share a process.
 */
import type { Case, EngineInfo, RoundTiming } from '../results/types.ts';
import { caseFailed, measureCase, measureCaseMemory, measureRound, type CaseOutcome, type MemoryMeasurement } from './case.ts';
import { measureCeiling, type Ceiling } from './ceiling.ts';
import { measureTrainCase } from './train.ts';
import { measureTrainRound } from './train-round.ts';

export type Job =
  | { kind: 'case'; case: Case }
  | { kind: 'round'; case: Case; round: number }
  | { kind: 'memory'; case: Case }
  | { kind: 'ceiling'; engine: EngineInfo; timeMs: number };

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
      const c = job.case;
      return (c.mode === 'train' ? measureTrainCase(c) : measureCase(c))
        .catch((e: unknown): CaseOutcome => ({ kind: 'failed', line: caseFailed(c, 'error', message(e)) }));
    }
    case 'round': {
      const measure = job.case.mode === 'train' ? measureTrainRound : measureRound;
      return measure(job.case, job.round).catch((e: unknown) => ({ error: message(e) }));
    }
    case 'memory':
      return measureCaseMemory(job.case).catch((e: unknown) => ({ error: message(e) }));
    case 'ceiling':
      return measureCeiling(job.engine, job.timeMs).catch((e: unknown) => ({ error: message(e) }));
  }
}

/** A warm worker (src/run/pool.ts): answers jobs one after another until its parent closes it. */
let queue = Promise.resolve();
process.on('message', (job: Job) => { queue = queue.then(() => work(job).then((result) => { process.send!(result); })); });
process.on('disconnect', () => process.exit(0));
