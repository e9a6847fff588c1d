/**
 * A timing round on the engine's own clock (Prepared.timeSamples): the suite's warm-up and
 * stopping rule as measureLatency applies them, but each sample timed by the engine on its
 * device (CUDA events, a monotonic clock in the worker) and handed back raw, in batches.
 */
import type { Prepared } from '../engine/types.ts';
import type { RoundTiming, TimingSettings } from '../results/types.ts';
import { quantile, runningStats } from './latency.ts';

type TimeSamples = NonNullable<Prepared['timeSamples']>;

/** Samples per request, at most: the stopping rule is checked between batches. */
const MAX_BATCH = 1000;

/**
 * Warm-up for `warmupMs` (wall clock) and at least `warmupIterations` passes, discarded; then
 * batches until `minSamples` are in and either the relative margin of error is at `targetRme`
 * or the samples add up to `timeMs`. A batch is sized to what is left of the budget.
 */
export async function timeRoundOnEngine(timeSamples: TimeSamples, t: TimingSettings, round: number): Promise<RoundTiming> {
  let warmRuns = 0, clock = '', downloadInside = false;
  const warmUntil = performance.now() + t.warmupMs;
  while (warmRuns < Math.max(1, t.warmupIterations) || performance.now() < warmUntil) {
    warmRuns += (await timeSamples(Math.max(1, t.warmupIterations))).samplesMs.length;
  }
  const startedAt = new Date().toISOString();
  const own = runningStats(), samples: number[] = [];
  let spentMs = 0;
  while (samples.length < t.minSamples || (own.rme() > t.targetRme && spentMs < t.timeMs)) {
    const perSample = samples.length ? spentMs / samples.length : t.timeMs;
    const wanted = Math.max(t.minSamples - samples.length, Math.ceil((t.timeMs - spentMs) / Math.max(perSample, 1e-3)));
    const batch = await timeSamples(Math.min(MAX_BATCH, Math.max(1, wanted)));
    ({ clock, downloadInside } = batch);
    for (const ms of batch.samplesMs) {
      samples.push(ms);
      own.push(ms);
      spentMs += ms;
    }
  }
  samples.sort((a, b) => a - b);
  return { round, startedAt, endedAt: new Date().toISOString(), median: quantile(samples, 0.5), samplesMs: samples,
    engineClock: { clock, downloadInside } };
}
