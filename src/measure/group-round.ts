/**
 * One timing round of a comparison group, in one process: every case of the group (every variant
 * at one engine, shape and mode) is prepared in this round's worker, warmed up until its times stop
 * getting faster (steady.ts, capped), then sampled in blocks: each block runs one pass of every
 * case in a freshly shuffled order (Abedi & Brecht's randomized multiple interleaved trials, at the
 * level of single passes; Google Benchmark's random interleaving). A subject and its baseline then
 * share the same moments of the machine, block by block, and the report pairs their samples by
 * block (src/report/paired.ts): a slow spell or a drift that hits one block hits both.
 *
 *   prepare every case ─► warm-up blocks (a case leaves once steady, or at its cap) ─► sampling
 *   blocks until the group's budget (timeMs × cases) is spent or every case's relative margin of
 *   error is at most targetRme, at least minSamples blocks
 *
 * Samples come from the subject's own clock when it has one (`timeSamples`, the engine-side timing
 * of the brief's contract), else from performance.now() around a pass; statistics stay in the harness.
 */
import { createRng } from '../linalg/rng.ts';
import type { EngineSamples, Prepared } from '../engine/types.ts';
import type { RoundSettings, RoundTiming } from '../results/types.ts';
import { HARNESS_TIMING, quantile, runningStats } from './latency.ts';
import { isSteady } from './steady.ts';

/** A case prepared for timing: one pass (a forward, or a training step), optionally timed by the engine itself. */
export interface TimedSubject {
  pass(): Promise<unknown>;
  /** `count` passes back to back, each timed on the engine's own clock (engine-side timing). */
  timeSamples?(count: number): Promise<EngineSamples>;
}

/** A compiled pass as a subject: its run, and its engine's own timing where it has one. */
export const subjectOf = (p: Pick<Prepared, 'run' | 'timeSamples'>): TimedSubject =>
  ({ pass: () => p.run(), ...(p.timeSamples && { timeSamples: (n: number) => p.timeSamples!(n) }) });

/** What the warm-up of one case did: passes run, whether the times were steady when it ended, its time. */
export interface WarmupRecord {
  passes: number;
  steady: boolean;
  ms: number;
}

/** What a subject's samples were timed on: the engine's clock (its last answer), else the harness's. */
type Clock = Pick<EngineSamples, 'clock' | 'downloadInside' | 'cudaGraph'>;

/** One sample of a subject: its own clock's, else the wall clock around one pass; `seen` keeps the clock. */
async function sampleOf(s: TimedSubject, seen?: { clock?: Clock }): Promise<number> {
  if (s.timeSamples) {
    const got = await s.timeSamples(1);
    const { clock, downloadInside, cudaGraph } = got;
    if (seen) seen.clock = { clock, downloadInside, ...(cudaGraph !== undefined && { cudaGraph }) };
    return got.samplesMs[0];
  }
  const t = performance.now();
  await s.pass();
  return performance.now() - t;
}

function shuffled(n: number, rng: ReturnType<typeof createRng>): number[] {
  const order = [...Array(n).keys()];
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * Warm-up in shuffled blocks: each case runs until steady, with at least `warmupIterations` passes,
 * and stops at its cap of `warmupMs` (a pass of a second warms with its minimum only).
 */
export async function warmUp(subjects: readonly TimedSubject[], t: Pick<RoundSettings, 'warmupMs' | 'warmupIterations'>,
  rng: ReturnType<typeof createRng>): Promise<WarmupRecord[]> {
  const times: number[][] = subjects.map(() => []), spent = subjects.map(() => 0);
  const done = (i: number) => times[i].length >= t.warmupIterations && (isSteady(times[i]) || spent[i] >= t.warmupMs);
  while (subjects.some((_, i) => !done(i))) {
    for (const i of shuffled(subjects.length, rng)) {
      if (done(i)) continue;
      const ms = await sampleOf(subjects[i]);
      times[i].push(ms);
      spent[i] += ms;
    }
  }
  return times.map((ts, i) => ({ passes: ts.length, steady: isSteady(ts), ms: spent[i] }));
}

/** Round `round` of a group: one RoundTiming per subject, its samples in block order (`pairedBlocks`). */
export async function timeGroupRound(subjects: readonly TimedSubject[], t: RoundSettings, round: number,
  seed: string): Promise<Array<RoundTiming & { warmup: WarmupRecord }>> {
  const rng = createRng(`blocks:${seed}:round${round}`);
  const warmup = await warmUp(subjects, t, rng);
  const startedAt = new Date().toISOString(), begin = performance.now(), budget = t.timeMs * subjects.length;
  const samples: number[][] = subjects.map(() => []), own = subjects.map(() => runningStats());
  const seen: Array<{ clock?: Clock }> = subjects.map(() => ({}));
  const enough = () => performance.now() - begin >= budget || own.every((o) => o.rme() <= t.targetRme);
  for (let block = 0; block < t.minSamples || !enough(); block++) {
    for (const i of shuffled(subjects.length, rng)) {
      const ms = await sampleOf(subjects[i], seen[i]);
      samples[i].push(ms);
      own[i].push(ms);
    }
  }
  const endedAt = new Date().toISOString();
  return samples.map((s, i) => ({ round, startedAt, endedAt, median: quantile([...s].sort((a, b) => a - b), 0.5),
    samplesMs: s, pairedBlocks: true, warmup: warmup[i], ...(seen[i].clock ?? HARNESS_TIMING) }));
}
