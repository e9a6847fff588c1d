/**
 * Paired comparisons of two cases measured in the same interleaved rounds (src/run/rounds.ts),
 * as pure functions.
 *
 * Ratio. Each round r ran in a process of its own. Where the round sampled both cases in shared
 * blocks (RoundTiming.pairedBlocks: one pass of each case per block, in a shuffled order,
 * measure/group-round.ts), its ratio is paired sample by sample: ratio_r = exp(median over blocks b of
 * log(subject_rb / baseline_rb)); a slow spell or a drift that hits a block hits both of its samples
 * and cancels. Rounds recorded before blocks existed, and rounds of two cases sampled in different
 * blocks (two timing groups, e.g. decode's K/V heads: sharedBlocks), give ratio_r = median_r(subject) /
 * median_r(baseline).
 * The estimate is the median of the per-round ratios: one round that went wrong (a process that
 * placed its threads badly) moves a median over R ≥ 3 rounds little (a mean of ratios would move).
 *
 * Interval. The union of two 95 % intervals, each answering for one source of noise:
 *   - within rounds: a two-level (hierarchical) bootstrap, percentile method, RESAMPLES resamples
 *     from a seeded generator (the same data always give the same interval): draw R rounds with
 *     replacement, within each drawn round draw its blocks with replacement (a block's two samples
 *     stay together), or each case's samples where the round has no blocks, recompute the
 *     per-round ratios and their median;
 *   - between rounds (R ≥ 2): Student's t on the logarithms of the per-round ratios, mean ± t(R−1)·s/√R.
 * Why both, for the R used here (3 by default): with few rounds the bootstrap's outer level can
 * only reshuffle R values and is too narrow (measured: merged LoRA, which runs full's graph, came
 * out "slower" with a bootstrap interval of 1.04–1.24 on a busy machine), while the t interval is
 * built for small samples (its t(2) = 4.30 at R = 3) and widens with the rounds' disagreement. With
 * R = 1 only the bootstrap is left, and the report says the run had one round. Both err towards
 * "no measurable difference", the side this project chooses. Comparisons use every round both
 * cases completed, matched by round index.
 *
 * Verdict. "faster" or "slower" only when the whole 95 % interval lies on one side of 1 and the
 * estimate differs from 1 by at least MIN_EFFECT (5 %): effects below that come and go between
 * processes on a shared machine (memory layout, thread placement) and are not what a reader
 * acts on. Otherwise "no measurable difference", with the interval.
 *
 * Equivalence. "The same within ±EQUIVALENCE_BAND" only when the whole 95 % interval lies inside
 * [1 − band, 1 + band] (two one-sided tests, at a stricter level than TOST's 90 % interval): a claim
 * of constancy (a sliding window's step at two contexts), which "no measurable difference" never is.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { createRng, type Rng } from '../linalg/rng.ts';
import { quantile } from '../measure/latency.ts';
import type { RoundTiming } from '../results/types.ts';

export const RESAMPLES = 1000;
export const CONFIDENCE = 0.95;
export const MIN_EFFECT = 0.05;
export const EQUIVALENCE_BAND = 0.1;

export type Verdict = 'faster' | 'slower' | 'no measurable difference';

export interface PairedRatio {
  /** Median over rounds of that round's ratio (paired by block where the round sampled in blocks). */
  ratio: number;
  /** 95 % interval of `ratio`: the union of the bootstrap and the between-round t interval. */
  ci: [number, number];
  /** Rounds both cases completed (the pairs the ratio is built from). */
  rounds: number;
  /** The per-round ratios, in round order. */
  perRound: number[];
  /** Every round paired sample by sample, block by block (else some or all by their rounds' medians). */
  byBlock: boolean;
}

/** k-th smallest (0-based) of the first n entries of `a`, reordering them (Hoare's quickselect). */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) { [a[i], a[j]] = [a[j], a[i]]; i++; j--; }
    }
    if (k <= j) hi = j; else if (k >= i) lo = i; else return a[k];
  }
  return a[k];
}

/** Median of the first n entries of `a` (reorders them). */
function medianOf(a: Float64Array, n: number): number {
  const hi = select(a, n, n >> 1);
  return n % 2 === 1 ? hi : (select(a, n, (n >> 1) - 1) + hi) / 2;
}

export function median(xs: readonly number[]): number {
  return medianOf(Float64Array.from(xs), xs.length);
}

/** Median of a bootstrap resample of `xs`, using `scratch` (length ≥ xs.length). */
function resampledMedian(xs: readonly number[], rng: Rng, scratch: Float64Array): number {
  const n = xs.length;
  for (let i = 0; i < n; i++) scratch[i] = xs[Math.floor(rng.uniform() * n)];
  return medianOf(scratch, n);
}

type Rounds = ReadonlyArray<Pick<RoundTiming, 'round' | 'samplesMs' | 'pairedBlocks' | 'startedAt' | 'endedAt'>>;
type Round = Rounds[number];

/**
 * Whether two rounds sampled their cases in the same blocks: both in blocks, in the same group round
 * (a group round stamps every case with its start and end, measure/group-round.ts), with as many
 * samples. Cases of two groups (decode's K/V heads) or a round rerun alone pair by round instead.
 */
const sharedBlocks = (a: Round, b: Round) => a.pairedBlocks === true && b.pairedBlocks === true
  && a.startedAt === b.startedAt && a.endedAt === b.endedAt && a.samplesMs.length === b.samplesMs.length;

/** One round of a comparison: per-block log-ratios where the round paired the cases in blocks, else each case's samples. */
type RoundPair = { logs: number[] } | { s: readonly number[]; b: readonly number[] };

/** The rounds both cases completed, matched by round index. */
function roundPairs(subject: Rounds, baseline: Rounds): RoundPair[] {
  const base = new Map(baseline.map((r) => [r.round, r]));
  return subject.flatMap((r): RoundPair[] => {
    const b = base.get(r.round);
    if (!b || r.samplesMs.length === 0 || b.samplesMs.length === 0) return [];
    if (!sharedBlocks(r, b)) return [{ s: r.samplesMs, b: b.samplesMs }];
    return [{ logs: r.samplesMs.map((x, i) => Math.log(x / b.samplesMs[i])) }];
  });
}

const roundRatio = (p: RoundPair) => ('logs' in p ? Math.exp(median(p.logs)) : median(p.s) / median(p.b));

/** The ratio of one bootstrap resample of a round: its blocks drawn with replacement, or each case's samples. */
function resampledRatio(p: RoundPair, rng: Rng, scratch: Float64Array): number {
  if ('logs' in p) return Math.exp(resampledMedian(p.logs, rng, scratch));
  return resampledMedian(p.s, rng, scratch) / resampledMedian(p.b, rng, scratch);
}

const sizeOf = (p: RoundPair) => ('logs' in p ? p.logs.length : Math.max(p.s.length, p.b.length));

/** The paired ratio subject / baseline over the rounds both completed; undefined when they share none. */
export function pairedRatio(subject: Rounds, baseline: Rounds, seed = 'paired'): PairedRatio | undefined {
  const pairs = roundPairs(subject, baseline);
  if (pairs.length === 0) return undefined;
  const perRound = pairs.map(roundRatio);
  const rng = createRng(seed), R = pairs.length;
  const scratch = new Float64Array(Math.max(...pairs.map(sizeOf)));
  const ratios = new Float64Array(R), estimates = new Float64Array(RESAMPLES);
  for (let i = 0; i < RESAMPLES; i++) {
    for (let r = 0; r < R; r++) ratios[r] = resampledRatio(pairs[Math.floor(rng.uniform() * R)], rng, scratch);
    estimates[i] = medianOf(ratios, R);
  }
  estimates.sort();
  const tail = (1 - CONFIDENCE) / 2, between = roundsInterval(perRound);
  const ci: [number, number] = [quantile(estimates, tail), quantile(estimates, 1 - tail)];
  if (between) [ci[0], ci[1]] = [Math.min(ci[0], between[0]), Math.max(ci[1], between[1])];
  return { ratio: median(perRound), ci, rounds: R, perRound, byBlock: pairs.every((p) => 'logs' in p) };
}

/** 95 % interval of the per-round ratios' geometric mean: Student's t on their logarithms; undefined for one round. */
export function roundsInterval(perRound: readonly number[]): [number, number] | undefined {
  const R = perRound.length;
  if (R < 2) return undefined;
  const logs = perRound.map(Math.log), mean = logs.reduce((a, b) => a + b, 0) / R;
  const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mean) ** 2, 0) / (R - 1));
  const half = tQuantile(1 - (1 - CONFIDENCE) / 2, R - 1) * sd / Math.sqrt(R);
  return [Math.exp(mean - half), Math.exp(mean + half)];
}

/** faster / slower only when the interval excludes 1 and the effect is at least `minEffect`. */
export function verdictOf(p: Pick<PairedRatio, 'ratio' | 'ci'>, minEffect = MIN_EFFECT): Verdict {
  if (p.ci[1] < 1 && p.ratio <= 1 - minEffect) return 'faster';
  if (p.ci[0] > 1 && p.ratio >= 1 + minEffect) return 'slower';
  return 'no measurable difference';
}

/** The whole interval inside [1 − band, 1 + band]: the two are the same within ±band (see the file's doc). */
export function withinBand(p: Pick<PairedRatio, 'ci'>, band = EQUIVALENCE_BAND): boolean {
  return p.ci[0] >= 1 - band && p.ci[1] <= 1 + band;
}

/**
 * Distribution-free 95 % interval of the median of n ascending samples: the order statistics
 * n/2 ∓ 0.98·√n (normal approximation to the binomial; exact enough from n ≈ 10).
 */
export function medianInterval(sorted: readonly number[]): [number, number] {
  const n = sorted.length, half = 0.98 * Math.sqrt(n);
  return [sorted[Math.max(0, Math.floor(n / 2 - half))], sorted[Math.min(n - 1, Math.ceil(n / 2 + half))]];
}
