/**
 * Worker-process entry: receives jobs over IPC, one at a time, and sends back each result. Jobs are tagged
 * by `kind`: check a case (a forward pass or a training step, by its mode: counts, a first pass,
 * accuracy and memory, untimed), time one round of a case, measure the peak memory of a
 * case's forward pass, or measure an engine's matmul ceiling. The sweep gives each worker one phase
 * (src/run/pool.ts), so the rounds of a case never share a process.
 */
import type { Case, EngineInfo, RoundTiming } from '../results/types.ts';
import { caseFailed, measureCase, prepareForward, type CaseOutcome } from './case.ts';
import { measureCeiling, type Ceiling } from './ceiling.ts';
import { timeGroupRound } from './group-round.ts';
import { measureTrainCase } from './train.ts';
import { prepareTrainStep } from './train-round.ts';

export type Job =
  | { kind: 'case'; case: Case }
  /** Round `round` of the cases of one comparison group, prepared and sampled together (group-round.ts). */
  | { kind: 'round'; cases: Case[]; round: number; seed: string }
  | { kind: 'ceiling'; engine: EngineInfo };

/** What each kind of job sends back. */
export interface JobResult {
  case: CaseOutcome;
  /** One entry per case of the job, in its order. */
  round: Array<RoundTiming | { error: string }>;
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
    case 'round':
      return groupRound(job);
    case 'ceiling':
      return measureCeiling(job.engine).catch((e: unknown) => ({ error: message(e) }));
  }
}

/**
 * A group's round: every case prepared (one that fails to prepare is reported and left out), then
 * warmed up and sampled together; a pass that throws fails the round of every case of the group.
 */
async function groupRound(job: Extract<Job, { kind: 'round' }>): Promise<JobResult['round']> {
  const prepared: Array<Awaited<ReturnType<typeof prepareForward>> | { error: string }> = [];
  for (const c of job.cases) { // one after another: tfjs/wasm times its kernels while preparing
    prepared.push(await (c.mode === 'train' ? prepareTrainStep(c) : prepareForward(c)).catch((e: unknown) => ({ error: message(e) })));
  }
  const ready = prepared.flatMap((p) => ('error' in p ? [] : [p]));
  try {
    const timed = ready.length === 0 ? [] : await timeGroupRound(ready, job.cases[0].timing, job.round, job.seed);
    return prepared.map((p) => ('error' in p ? p : timed[ready.indexOf(p)]));
  } catch (e) {
    return job.cases.map(() => ({ error: message(e) }));
  } finally {
    for (const p of ready) await p.dispose();
  }
}

/** A warm worker (src/run/pool.ts): answers jobs one after another until its parent closes it. */
let queue = Promise.resolve();
process.on('message', (job: Job) => { queue = queue.then(() => work(job).then((result) => { process.send!(result); })); });
process.on('disconnect', () => process.exit(0));
