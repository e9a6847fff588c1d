/**
 * Where a sweep's wall time goes, by phase (run.json `phases`, seconds): the matmul ceilings, every
 * case's checks, and per timing round the wall time of its jobs split into the cases' preparation
 * (as each case's round reports it, RoundTiming.prepareMs), their warm-up passes
 * (RoundTiming.warmup.ms), the sampling blocks (a group's startedAt → endedAt) and the rest (the
 * round's worker starting, disposal, messages between the processes). Issue 21 asks that most of a
 * run be timed samples: this record says, per run, how far it is.
 */
import type { PhaseTimes, RoundPhases } from '../results/run-meta.ts';
import type { RoundTiming } from '../results/types.ts';
import { coveredSeconds } from './lanes.ts';

const seconds = (ms: number) => ms / 1000;

/** An empty record, or a resumed run's record to add this sweep's time to. */
export function startPhases(earlier?: PhaseTimes): PhaseTimes {
  return { ceilings: earlier?.ceilings ?? 0, checks: earlier?.checks ?? 0, rounds: (earlier?.rounds ?? []).map((r) => ({ ...r })) };
}

/** Wall time of `job`, added to the phase `phase` (ceilings or checks). */
export async function timed<T>(phases: PhaseTimes, phase: 'ceilings' | 'checks', job: () => Promise<T>): Promise<T> {
  const begin = performance.now();
  try {
    return await job();
  } finally {
    phases[phase] += seconds(performance.now() - begin);
  }
}

function roundOf(phases: PhaseTimes, round: number): RoundPhases {
  let entry = phases.rounds.find((r) => r.round === round);
  if (!entry) {
    entry = { round, wall: 0, prepare: 0, warmup: 0, sampling: 0, other: 0 };
    phases.rounds.push(entry);
    phases.rounds.sort((a, b) => a.round - b.round);
  }
  return entry;
}

/** One group-round job of `wallMs` that gave `timed` (one entry per case; failed ones have no timing): its time, split. */
export function addGroupRound(phases: PhaseTimes, round: number, wallMs: number,
  timed: ReadonlyArray<RoundTiming | { error: string }>): void {
  const ok = timed.flatMap((t) => ('error' in t ? [] : [t])), spans = ok.filter((t) => t.startedAt && t.endedAt);
  const entry = roundOf(phases, round), sum = (f: (t: RoundTiming) => number) => ok.reduce((a, t) => a + f(t), 0);
  const prepare = sum((t) => t.prepareMs ?? 0), warmup = sum((t) => t.warmup?.ms ?? 0);
  // The group's cases share their blocks: one span from the first block's start to the last one's end.
  const sampling = spans.length === 0 ? 0
    : Math.max(...spans.map((t) => Date.parse(t.endedAt!))) - Math.min(...spans.map((t) => Date.parse(t.startedAt!)));
  entry.wall += seconds(wallMs);
  entry.prepare += seconds(prepare);
  entry.warmup += seconds(warmup);
  entry.sampling += seconds(sampling);
  entry.other += seconds(Math.max(0, wallMs - prepare - warmup - sampling));
}

/**
 * A timing round's own wall time (`elapsedMs`), the lanes its single-threaded groups ran in, and the wall
 * time in which at least one of its groups was in its sampling blocks (`spans`, ms): with two lanes the
 * groups' times (`wall`, `sampling`) add up to more than the round took, so the duty cycle reads this.
 */
export function addRoundWall(phases: PhaseTimes, round: number, elapsedMs: number,
  spans: ReadonlyArray<readonly [number, number]>, lanes: number): void {
  const entry = roundOf(phases, round);
  entry.elapsed = (entry.elapsed ?? 0) + seconds(elapsedMs);
  entry.sampledWall = (entry.sampledWall ?? 0) + coveredSeconds(spans);
  entry.lanes = Math.max(entry.lanes ?? 1, lanes);
}

/** Timed samples as a share of the wall: the wall time some group was sampling, every round's, over the whole (seconds). */
export function dutyOf(phases: PhaseTimes, wallS: number): number {
  return phases.rounds.reduce((a, r) => a + (r.sampledWall ?? r.sampling), 0) / wallS;
}
