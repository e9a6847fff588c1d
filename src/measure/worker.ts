/**
 * Child-process entry: receives one job over IPC (a case to measure, a forward pass or a training
 * step by its mode, or an engine whose matmul ceiling to measure), sends back its result, exits.
 * One job per process, so cases share no heap, JIT state or allocator caches.
 */
import type { EngineInfo } from '../engine/types.ts';
import type { Case } from '../run/plan.ts';
import { failedLine, measureCase } from './case.ts';
import { measureCeiling } from './ceiling.ts';
import { measureTrainCase } from './train.ts';

export type Job = { case: Case } | { ceiling: EngineInfo };

process.once('message', (job: Job) => {
  const work = 'case' in job
    ? (job.case.mode === 'train' ? measureTrainCase(job.case) : measureCase(job.case))
      .catch((e: unknown) => failedLine(job.case, 'error', e instanceof Error ? e.message : String(e)))
    : measureCeiling(job.ceiling).catch((e: unknown) => ({ error: e instanceof Error ? e.message : String(e) }));
  work.then((result) => process.send!(result, () => process.exit(0)));
});
