/**
 * Worker-process entry: receives jobs over IPC, one at a time, and sends back each result. Jobs are tagged
 * by `kind`: check a case (its mode's check, src/modes: counts, a first sample, the reference check
 * and memory, untimed), time one round of a comparison group's cases together (each case's mode
 * prepares its subject, measure/group-round.ts samples them in blocks), or measure an engine's
 * matmul ceiling. The sweep gives each worker one phase (src/run/pool.ts), so the rounds of a case
 * never share a process.
 */
import type { Case, EngineInfo, RoundTiming } from '../results/types.ts';
import type { Dtype } from '../results/dtype.ts';
import { caseFailed, type CaseOutcome } from '../measure/case.ts';
import { measureCeiling, type Ceiling } from '../measure/ceiling.ts';
import { timeGroupRound } from '../measure/group-round.ts';
import { modeOf } from '../modes/index.ts';
import type { Mode } from '../modes/types.ts';

/** A job, with the modules that registered modes at run time in the parent (src/modes/index.ts, registerMode). */
export type Job = (
  | { kind: 'case'; case: Case }
  /** Round `round` of the cases of one comparison group, prepared and sampled together (measure/group-round.ts). */
  | { kind: 'round'; cases: Case[]; round: number; seed: string }
  | { kind: 'ceiling'; engine: EngineInfo; timeMs: number; dtype: Dtype; bandwidthBytes?: number[] }) & { modules?: string[] };

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
      const c = job.case, skip = modeOf(c.mode).unsupported(c);
      if (skip) return Promise.resolve({ kind: 'failed', line: caseFailed(c, 'skipped', skip) });
      return modeOf(c.mode).check(c)
        .catch((e: unknown): CaseOutcome => ({ kind: 'failed', line: caseFailed(c, 'error', message(e)) }));
    }
    case 'round':
      return groupRound(job);
    case 'ceiling':
      return measureCeiling(job.engine, job.timeMs, job.dtype, job.bandwidthBytes).catch((e: unknown) => ({ error: message(e) }));
  }
}

/**
 * A group's round: every case prepared (one that fails to prepare is reported and left out), then
 * warmed up and sampled together; a pass that throws fails the round of every case of the group.
 */
async function groupRound(job: Extract<Job, { kind: 'round' }>): Promise<JobResult['round']> {
  const prepared: Array<Awaited<ReturnType<Mode['subject']>> | { error: string }> = [], prepareMs: number[] = [];
  for (const c of job.cases) { // one after another: tfjs/wasm times its kernels while preparing
    const begin = performance.now();
    prepared.push(await modeOf(c.mode).subject(c).catch((e: unknown) => ({ error: message(e) })));
    prepareMs.push(performance.now() - begin);
  }
  const ready = prepared.flatMap((p) => ('error' in p ? [] : [p]));
  try {
    const timed = ready.length === 0 ? [] : await timeGroupRound(ready, job.cases[0].timing, job.round, job.seed);
    return prepared.map((p, i) => ('error' in p ? p : { ...timed[ready.indexOf(p)], prepareMs: prepareMs[i] }));
  } catch (e) {
    return job.cases.map(() => ({ error: message(e) }));
  } finally {
    for (const p of ready) await p.dispose();
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
