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
import type { Case, RoundSettings, RoundTiming } from '../results/types.ts';
import { roleOf } from '../variants/roles.ts';
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

/**
 * Each case's baseline in its group, by index: the baseline variant's case (full attention) at the same
 * shape and mode, for every other case; undefined for the baseline itself and where there is none.
 */
export function baselinesOf(cases: readonly Case[]): Array<number | undefined> {
  const key = (c: Case) => `${c.mode}|${JSON.stringify(c.shape)}`;
  const baseline = new Map<string, number>();
  cases.forEach((c, i) => { if (roleOf(c.variant) === 'baseline' && !baseline.has(key(c))) baseline.set(key(c), i); });
  return cases.map((c, i) => { const b = baseline.get(key(c)); return b === i ? undefined : b; });
}

/**
 * The passes of one `adjacent` block, as chunks to run back to back: each baseline's dependents
 * (`baselines[i]`: the index of case i's baseline) two at a time on either side of one pass of it,
 * an odd one out on a random side; every other case alone; the chunks in a fresh order. Each
 * dependent's paired baseline pass is the one of its chunk.
 */
export function adjacentChunks(baselines: ReadonlyArray<number | undefined>, rng: ReturnType<typeof createRng>): number[][] {
  const n = baselines.length, dependents = new Map<number, number[]>();
  for (const i of shuffled(n, rng)) {
    const b = baselines[i];
    if (b !== undefined && b !== i) dependents.set(b, [...(dependents.get(b) ?? []), i]);
  }
  const chunks: number[][] = [];
  for (const [b, ds] of dependents) {
    for (let k = 0; k < ds.length; k += 2) {
      if (k + 1 < ds.length) chunks.push([ds[k], b, ds[k + 1]]);
      else chunks.push(rng.uniform() < 0.5 ? [ds[k], b] : [b, ds[k]]);
    }
  }
  for (let i = 0; i < n; i++) if (!dependents.has(i) && !(baselines[i] !== undefined && baselines[i] !== i)) chunks.push([i]);
  return shuffled(chunks.length, rng).map((k) => chunks[k]);
}

/** A round's timing of one subject, with the baseline pass next to each of its samples where the blocks were adjacent. */
export type GroupRoundTiming = RoundTiming & { warmup: WarmupRecord; adjacentTo?: { index: number; baselineMs: number[] } };

/** One block: every case's pass in a fresh order, or in adjacent chunks; each sample kept, and the baseline pass beside it. */
async function runBlock(subjects: readonly TimedSubject[], chunks: number[][], samples: number[][], beside: number[][],
  record: (i: number, ms: number) => void, seen: Array<{ clock?: Clock }>): Promise<void> {
  for (const chunk of chunks) {
    const times = new Map<number, number>();
    for (const i of chunk) {
      const ms = await sampleOf(subjects[i], seen[i]);
      samples[i].push(ms);
      record(i, ms);
      times.set(i, ms);
    }
    // In a chunk of a baseline and its dependents, the baseline is the one whose pass the others are paired with.
    if (chunk.length > 1) {
      const b = chunk.length === 3 ? chunk[1] : chunk.find((i) => beside[i] === undefined)!;
      for (const i of chunk) if (i !== b) beside[i].push(times.get(b)!);
    }
  }
}

/**
 * Round `round` of a group: one RoundTiming per subject, its samples in block order (`pairedBlocks`).
 * With `t.pairing` 'adjacent' and some subject's baseline given (`baselines[i]`: its index), blocks run
 * in adjacent chunks (adjacentChunks) and a dependent's timing names its baseline and the pass beside each sample.
 */
export async function timeGroupRound(subjects: readonly TimedSubject[], t: RoundSettings, round: number,
  seed: string, baselines: ReadonlyArray<number | undefined> = []): Promise<GroupRoundTiming[]> {
  const rng = createRng(`blocks:${seed}:round${round}`);
  const warmup = await warmUp(subjects, t, rng);
  const adjacent = t.pairing === 'adjacent' && baselines.some((b, i) => b !== undefined && b !== i);
  const startedAt = new Date().toISOString(), begin = performance.now(), budget = t.timeMs * subjects.length;
  const samples: number[][] = subjects.map(() => []), own = subjects.map(() => runningStats());
  const beside: number[][] = subjects.map((_, i) => (adjacent && baselines[i] !== undefined && baselines[i] !== i ? [] : undefined!));
  const seen: Array<{ clock?: Clock }> = subjects.map(() => ({}));
  const enough = () => performance.now() - begin >= budget || own.every((o) => o.rme() <= t.targetRme);
  for (let block = 0; block < t.minSamples || !enough(); block++) {
    const chunks = adjacent ? adjacentChunks(baselines.slice(0, subjects.length), rng) : shuffled(subjects.length, rng).map((i) => [i]);
    await runBlock(subjects, chunks, samples, beside, (i, ms) => own[i].push(ms), seen);
  }
  const endedAt = new Date().toISOString();
  return samples.map((s, i) => ({ round, startedAt, endedAt, median: quantile([...s].sort((a, b) => a - b), 0.5),
    samplesMs: s, pairedBlocks: true, warmup: warmup[i], ...(seen[i].clock ?? HARNESS_TIMING),
    ...(beside[i] !== undefined && { adjacentTo: { index: baselines[i]!, baselineMs: beside[i] } }) }));
}
