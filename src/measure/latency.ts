/**
 * Latency of one forward pass with tinybench: warm-up, then samples until the time budget is
 * spent or the relative margin of error reaches the target (whichever first), never fewer than
 * `minSamples`. The harness's own cost per sample (an empty async task through the same path) is
 * measured separately and reported as `overheadMs`, so a reader can see it is negligible.
 */
import { Bench } from 'tinybench';
import { HARNESS_CLOCK } from '../engine/types.ts';
import type { LatencyStats, RoundSettings } from '../results/types.ts';

export interface LatencyMeasurement {
  stats: LatencyStats;
  /** Raw samples in ms, sorted ascending. */
  samples: number[];
}

export async function measureLatency(fn: () => Promise<unknown>, t: RoundSettings): Promise<LatencyMeasurement> {
  const stop = new AbortController();
  const own = runningStats();
  let start = 0;
  const bench = new Bench({
    time: t.timeMs, iterations: t.minSamples, warmup: true, warmupTime: t.warmupMs,
    warmupIterations: t.warmupIterations, retainSamples: true, throws: true, signal: stop.signal,
  });
  bench.add('case', fn, {
    beforeEach: (mode) => { if (mode === 'run') start = performance.now(); },
    afterEach: (mode) => {
      if (mode !== 'run') return;
      own.push(performance.now() - start);
      if (own.n >= t.minSamples && own.rme() <= t.targetRme) stop.abort();
    },
  });
  await bench.run();
  const r = bench.tasks[0].result;
  if (r.state !== 'completed' && r.state !== 'aborted-with-statistics') {
    throw r.state === 'errored' ? r.error : new Error(`timing ended in state ${r.state}`);
  }
  const l = r.latency;
  const samples = Array.from(l.samples ?? []);
  return {
    stats: { median: l.p50, mean: l.mean, p25: quantile(samples, 0.25), p75: l.p75, p99: l.p99, min: l.min,
      max: l.max, rme: l.rme, samples: l.samplesCount },
    samples,
  };
}

/** What the harness's own timing around a call records: its clock, and the outputs' download inside every sample. */
export const HARNESS_TIMING = { clock: HARNESS_CLOCK, downloadInside: true } as const;

/**
 * Summary of samples pooled over rounds, as tinybench summarises one round: quantiles of type 7,
 * rme = 1.96·s/√n / mean (normal approximation: pooled rounds hold tens to thousands of samples).
 */
export function statsOf(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b), n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { median: quantile(sorted, 0.5), mean, p25: quantile(sorted, 0.25), p75: quantile(sorted, 0.75), p99: quantile(sorted, 0.99),
    min: sorted[0], max: sorted[n - 1], rme: n > 1 ? ((1.96 * sd) / Math.sqrt(n) / mean) * 100 : Infinity, samples: n };
}

/** A timing is flagged noisy above these (see `noiseReasons`). */
export const NOISE_LIMITS = { rme: 5, medianOverMin: 1.5, overheadShare: 0.02 };

/** Reasons to read a timing with care; empty when it is clean. */
export function noiseReasons(s: LatencyStats, overheadMs: number): string[] {
  const out: string[] = [];
  if (s.rme > NOISE_LIMITS.rme) out.push(`rme ${s.rme.toFixed(1)} % > ${NOISE_LIMITS.rme} %`);
  if (s.median > NOISE_LIMITS.medianOverMin * s.min) out.push(`median is ${(s.median / s.min).toFixed(2)}× the fastest sample`);
  if (s.median > 1 && overheadMs > NOISE_LIMITS.overheadShare * s.median) {
    out.push(`harness overhead ${overheadMs.toFixed(4)} ms ≥ ${NOISE_LIMITS.overheadShare * 100} % of the median`);
  }
  return out;
}

/** Median latency of an empty async task through the same timing path, ms. */
export async function measureOverhead(): Promise<number> {
  const { stats } = await measureLatency(async () => undefined,
    { timeMs: 20, warmupMs: 5, warmupIterations: 10, minSamples: 100, targetRme: 0, downloadInside: true });
  return stats.median;
}

let overheadHere: Promise<number> | undefined;

/**
 * measureOverhead once per process: the overhead belongs to the process's timing path, not to a
 * case, and a worker checks every case of a run (0.1 s each measured: 5 s of a 48-case run).
 */
export const processOverhead = (): Promise<number> => (overheadHere ??= measureOverhead());

/**
 * Mean and variance updated per sample (Welford), for the stopping rule: O(1) per sample, since
 * sub-microsecond tasks collect hundreds of thousands of samples.
 */
export function runningStats() {
  let n = 0, mean = 0, m2 = 0;
  return {
    get n() { return n; },
    push(x: number) {
      n++;
      const d = x - mean;
      mean += d / n;
      m2 += d * (x - mean);
    },
    /** Relative margin of error of the mean at 95 % confidence, % (normal approximation). */
    rme: () => (n < 2 ? Infinity : ((1.96 * Math.sqrt(m2 / (n - 1) / n)) / mean) * 100),
  };
}

/** Linear-interpolation quantile (R type 7, as tinybench) of ascending samples. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}
