/**
 * Duet benchmarking within a round (Bulej et al., ICPE 2020; docs/variance.md, session 7): the
 * comparison groups of an engine whose passes run on one thread (Capabilities.singleThreaded,
 * tfjs/wasm in Node) may be timed in two worker processes at once, one per core, after the round's
 * other groups ran one at a time. Each group is still timed whole in one process, its cases paired
 * block by block; what the two lanes share is the machine, as a duet's two halves do. Measured here
 * (the default suite): two lanes took the run from 219 s to 186 s, but the paired per-block ratios of
 * tfjs/wasm scattered 20–38 % instead of 10–15 %, so spending the saved time on more blocks gave no
 * narrower intervals: one lane is the default (SuiteTiming.lanes).
 */
import os from 'node:os';
import type { Case } from '../results/types.ts';

/** The lanes a round's single-threaded groups may use: the suite's `timing.lanes`, at most one per CPU core. */
export function laneCount(wanted: number, cores = os.availableParallelism()): number {
  return Math.max(1, Math.min(wanted, cores));
}

/** Whether a group of `c`'s engine may be timed beside another (its passes use one thread). */
export const runsInLane = (c: Pick<Case, 'engine'>): boolean => c.engine.capabilities?.singleThreaded === true;

/**
 * Runs `jobs` on `lanes` runners at once, each taking the next job in order as soon as it is free,
 * until every job ran or `stop()` says to stop (checked before each job).
 */
export async function inLanes<J>(jobs: readonly J[], lanes: number, run: (job: J, lane: number) => Promise<void>,
  stop: () => boolean = () => false): Promise<void> {
  const queue = [...jobs];
  const lane = async (i: number) => {
    while (queue.length > 0 && !stop()) await run(queue.shift()!, i);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(lanes, queue.length)) }, (_, i) => lane(i)));
}

/** Seconds covered by at least one of the spans [start, end] (ms): the wall time in which something was being timed. */
export function coveredSeconds(spans: ReadonlyArray<readonly [number, number]>): number {
  const sorted = [...spans].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  let total = 0, end = -Infinity;
  for (const [a, b] of sorted) {
    if (b <= end) continue;
    total += b - Math.max(a, end);
    end = b;
  }
  return total / 1000;
}
