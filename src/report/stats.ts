/**
 * The statistics of the report, as pure functions: the two-sample Mann–Whitney U test (compare)
 * and least-squares scaling exponents (charts, findings).
 */

export interface MannWhitney {
  /** U of the first sample: the number of pairs (a, b) with a > b, ties counting ½. */
  u: number;
  /** Standard score of max(U_a, U_b) with continuity and tie corrections. */
  z: number;
  /** Two-sided p-value from the normal approximation. */
  p: number;
}

/**
 * Mann–Whitney U, two-sided, normal approximation with tie correction and continuity correction
 * (as scipy.stats.mannwhitneyu(method='asymptotic')):
 *   U_a = R_a − n_a(n_a + 1)/2,  μ = n_a·n_b/2,
 *   σ² = n_a·n_b/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1))),  t = sizes of groups of tied values,
 *   z = (max(U_a, U_b) − μ − ½)/σ,  p = min(1, 2·(1 − Φ(z))).
 */
export function mannWhitneyU(a: readonly number[], b: readonly number[]): MannWhitney {
  const na = a.length, nb = b.length, n = na + nb;
  if (na === 0 || nb === 0) throw new Error('mannWhitneyU needs two non-empty samples');
  const pooled = [...a.map((v) => ({ v, first: true })), ...b.map((v) => ({ v, first: false }))].sort((x, y) => x.v - y.v);
  let rankSumA = 0, tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && pooled[j + 1].v === pooled[i].v) j++;
    const t = j - i + 1, midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (pooled[k].first) rankSumA += midRank;
    tieTerm += t ** 3 - t;
    i = j + 1;
  }
  const u = rankSumA - (na * (na + 1)) / 2, mu = (na * nb) / 2;
  const sigma = Math.sqrt(((na * nb) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (!(sigma > 0)) return { u, z: 0, p: 1 };
  const z = (Math.max(u, na * nb - u) - mu - 0.5) / sigma;
  return { u, z, p: Math.min(1, 2 * normalTail(z)) };
}

/** 1 − Φ(z), the upper tail of the standard normal. */
export function normalTail(z: number): number {
  return erfc(z / Math.SQRT2) / 2;
}

/** Complementary error function, fractional error < 1.2e-7 (Numerical Recipes, 2nd ed., §6.2). */
function erfc(x: number): number {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const r = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806
    + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

/** Least-squares slope of ln y against ln x: the exponent k of y ∝ x^k. Needs two distinct x. */
export function logLogSlope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const xs = points.map((p) => Math.log(p.x)), ys = points.map((p) => Math.log(p.y));
  const mx = mean(xs), my = mean(ys);
  const sxx = xs.reduce((s, x) => s + (x - mx) ** 2, 0);
  if (!(sxx > 0)) throw new Error('logLogSlope needs at least two distinct x');
  return xs.reduce((s, x, i) => s + (x - mx) * (ys[i] - my), 0) / sxx;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
