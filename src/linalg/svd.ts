/**
 * Truncated SVD of a dense row-major matrix A [m×n] in float64: A ≈ U_r·Σ_r·V_rᵀ, the best rank-r
 * approximation in Frobenius and spectral norm (Eckart & Young 1936) when the factors are exact.
 *
 *   exact       ml-matrix's SingularValueDecomposition (Householder bidiagonalisation + implicit QR,
 *               as in LINPACK/JAMA), then the r largest triplets: O(m·n·min(m, n)).
 *   randomized  Halko, Martinsson & Tropp 2011, "Finding Structure with Randomness" — randomized
 *               subspace iteration (their Alg. 4.4) and direct SVD of the sketch (Alg. 5.1):
 *               Q = orth((A·Aᵀ)^q·A·Ω) with Ω [n×(r+p)] Gaussian, re-orthonormalised after every
 *               product (else rounding erases all but the top directions); B = Qᵀ·A is small
 *               [(r+p)×n]; B = Ũ·Σ·Vᵀ; U = Q·Ũ. O(m·n·(r+p)·(2q+2)). Defaults p = 10 and q = 2, the
 *               paper's advice for slowly decaying spectra (§4.5, §10).
 *
 * Both report what they achieve, computed from the factors they return:
 *   relError  ‖A − U_rΣ_rV_rᵀ‖_F / ‖A‖_F   (exact: √(Σ_{i>r} σ_i² / Σ σ_i²), the optimum)
 *   energy    Σ_{i≤r} σ_i² / ‖A‖_F²        (retained spectral energy)
 */
import { Matrix, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';
import { matMul64 } from './dense.ts';
import type { Rng } from './rng.ts';

export interface TruncatedSvd {
  rank: number;
  /** U_r·Σ_r, [m×r] row-major. */
  us: Float64Array;
  /** V_rᵀ, [r×n] row-major. */
  vt: Float64Array;
  /** σ_1 ≥ … ≥ σ_r. */
  singularValues: number[];
  relError: number;
  energy: number;
}

export interface RandomizedOptions {
  /** Extra sketch columns p beyond the rank. */
  oversample?: number;
  /** Power iterations q. */
  powerIterations?: number;
}

export function exactSvd(a: ArrayLike<number>, m: number, n: number, r: number): TruncatedSvd {
  const svd = new SingularValueDecomposition(toMatrix(a, m, n), { autoTranspose: true });
  return truncate(a, m, n, svd.leftSingularVectors, svd.diagonal, svd.rightSingularVectors, r);
}

export function randomizedSvd(a: ArrayLike<number>, m: number, n: number, r: number, rng: Rng,
  { oversample = 10, powerIterations = 2 }: RandomizedOptions = {}): TruncatedSvd {
  const A = toMatrix(a, m, n), At = A.transpose();
  const l = Math.min(r + oversample, m, n);
  const omega = Matrix.from1DArray(n, l, Array.from({ length: n * l }, () => rng.normal()));
  let q = orth(A.mmul(omega));
  for (let j = 0; j < powerIterations; j++) q = orth(A.mmul(orth(At.mmul(q))));
  const sketch = new SingularValueDecomposition(q.transpose().mmul(A), { autoTranspose: true });
  return truncate(a, m, n, q.mmul(sketch.leftSingularVectors), sketch.diagonal, sketch.rightSingularVectors, r);
}

/** All singular values, descending (no vectors: several times cheaper than the full SVD). */
export function singularValues(a: ArrayLike<number>, m: number, n: number): number[] {
  return new SingularValueDecomposition(toMatrix(a, m, n),
    { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal;
}

/** Smallest r with Σ_{i≤r} σ_i² / Σ σ_i² ≥ energy. */
export function rankForEnergy(sv: number[], energy: number): number {
  const total = sv.reduce((s, x) => s + x * x, 0);
  let kept = 0;
  for (let r = 1; r <= sv.length; r++) {
    kept += sv[r - 1] ** 2;
    // The tolerance lets energy = 1 be met despite rounding in the sums.
    if (kept >= energy * total * (1 - 1e-12)) return r;
  }
  return sv.length;
}

function toMatrix(a: ArrayLike<number>, m: number, n: number): Matrix {
  return Matrix.from1DArray(m, n, Array.from(a));
}

function orth(y: Matrix): Matrix {
  return new QrDecomposition(y).orthogonalMatrix;
}

function truncate(a: ArrayLike<number>, m: number, n: number, u: Matrix, sigma: number[], v: Matrix, rank: number): TruncatedSvd {
  const r = Math.min(rank, sigma.length);
  const us = new Float64Array(m * r), vt = new Float64Array(r * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < r; j++) us[i * r + j] = u.get(i, j) * sigma[j];
  for (let j = 0; j < r; j++) for (let c = 0; c < n; c++) vt[j * n + c] = v.get(c, j);
  const approx = matMul64(us, vt, m, r, n);
  let norm2 = 0, err2 = 0;
  for (let i = 0; i < m * n; i++) {
    norm2 += a[i] * a[i];
    err2 += (a[i] - approx[i]) ** 2;
  }
  const singular = sigma.slice(0, r);
  return { rank: r, us, vt, singularValues: singular, relError: Math.sqrt(err2 / norm2),
    energy: singular.reduce((s, x) => s + x * x, 0) / norm2 };
}
