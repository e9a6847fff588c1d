/**
 * Child-process entry: receives one job over IPC (a case to measure, a forward pass or a training
 * step by its mode; the peak memory of a case; or an engine whose matmul ceiling to measure), sends back its result, exits.
 * One job per process, so cases share no heap, JIT state or allocator caches.
 */
import type { EngineInfo } from '../engine/types.ts';
import type { Case } from '../run/plan.ts';
import { failedLine, measureCase, measureCaseMemory } from './case.ts';
import { measureCeiling } from './ceiling.ts';
import { measureTrainCase } from './train.ts';

export type Job = { case: Case } | { memory: Case } | { ceiling: EngineInfo };

process.once('message', (job: Job) => {
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  const work: Promise<unknown> = 'case' in job
    ? (job.case.mode === 'train' ? measureTrainCase(job.case) : measureCase(job.case)).catch((e: unknown) => failedLine(job.case, 'error', message(e)))
    : 'memory' in job ? measureCaseMemory(job.memory).catch((e: unknown) => ({ error: message(e) }))
      : measureCeiling(job.ceiling).catch((e: unknown) => ({ error: message(e) }));
  work.then((result) => process.send!(result, () => process.exit(0)));
});
