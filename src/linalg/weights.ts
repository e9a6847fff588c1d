/**
 * Base weights and inputs of a case, from a seeded generator.
 *
 * Weights (`weights:` of a suite); biases ~ N(0, 0.1²) in both cases:
 *   gaussian  W ~ N(0, 1/D) entry-wise. Its singular values follow the quarter-circle law: a flat
 *             spectrum, on which every low-rank method (SVD, LoRA's premise, Linformer) looks bad.
 *   spectrum  W = U·diag(σ)·Vᵀ with σ_i ∝ i^−α (i = 1..D) and U, V Haar-random orthogonal (QR of a
 *             Gaussian, columns signed by diag(R): Mezzadri 2007), scaled so ‖W‖_F² = D exactly,
 *             the gaussian case's expected value: the two differ in the shape of the spectrum only.
 *             Default α = 0.5. Trained layers have heavy-tailed spectra (Martin & Mahoney 2021,
 *             "Implicit Self-Regularization in Deep Neural Networks", JMLR): the eigenvalues λ = σ²
 *             of WᵀW follow a power law p(λ) ∝ λ^−a with a ≈ 2…4, which rank-ordered is
 *             σ_i ∝ i^−1/(2(a−1)), a decay of 1/6…1/2. α = 0.5 is the heavy-tailed end: the top r
 *             singular values hold ≈ ln r / ln D of the energy (D = 512, r = 64: 70%), a spectrum on
 *             which low rank helps but is not free. Cost: two ml-matrix QRs and one product per
 *             matrix, O(D³): measured ≈ 0.4 s per matrix at D = 256, ≈ 2 s at D = 512.
 *
 * Inputs (`input:`):
 *   gaussian    x ~ N(0, 1) entry-wise.
 *   correlated  per batch entry and feature an AR(1) process along the sequence:
 *               x_0 = z_0, x_t = ρ·x_{t−1} + √(1−ρ²)·z_t, z ~ N(0, 1): unit variance and correlation
 *               ρ^|i−j| between positions i and j, i.e. neighbouring tokens look alike, as in text
 *               and audio embeddings — the locality sparse-window attention bets on. Default ρ = 0.9
 *               (correlation length 1/(1−ρ) = 10 positions).
 */
import { z } from 'zod';
import { Matrix, QrDecomposition } from 'ml-matrix';
import type { BaseWeights, Shape } from '../variants/types.ts';
import { normalArray, type Rng } from './rng.ts';
import type { HostTensor } from '../engine/ops.ts';

export const DEFAULT_DECAY = 0.5;
export const DEFAULT_RHO = 0.9;

export const WeightsInitSchema = z.discriminatedUnion('init', [
  z.object({ init: z.literal('gaussian') }).strict(),
  z.object({ init: z.literal('spectrum'), decay: z.number().min(0).default(DEFAULT_DECAY) }).strict(),
]);
export type WeightsInit = z.input<typeof WeightsInitSchema>;

export const InputInitSchema = z.discriminatedUnion('input', [
  z.object({ input: z.literal('gaussian') }).strict(),
  z.object({ input: z.literal('correlated'), rho: z.number().min(0).lt(1).default(DEFAULT_RHO) }).strict(),
]);
export type InputInit = z.input<typeof InputInitSchema>;

export function baseWeights(s: Shape, cfg: WeightsInit, rng: Rng): BaseWeights {
  const D = s.dModel;
  const m = (): HostTensor => ({
    data: cfg.init === 'spectrum' ? spectralMatrix(D, cfg.decay ?? DEFAULT_DECAY, rng) : normalArray(rng, D * D, 1 / Math.sqrt(D)),
    shape: [D, D],
  });
  const b = () => ({ data: normalArray(rng, D, 0.1), shape: [D] });
  return { Wq: m(), bq: b(), Wk: m(), bk: b(), Wv: m(), bv: b(), Wo: m(), bo: b() };
}

/** A D×D matrix with singular values c·i^−decay, ‖W‖_F² = D, and Haar-random singular vectors. */
export function spectralMatrix(D: number, decay: number, rng: Rng): Float32Array {
  const raw = Array.from({ length: D }, (_, i) => (i + 1) ** -decay);
  const c = Math.sqrt(D / raw.reduce((acc, v) => acc + v * v, 0));
  const u = haarOrthogonal(D, rng), v = haarOrthogonal(D, rng);
  u.mulRowVector(raw.map((x) => c * x)); // U·diag(σ)
  return Float32Array.from(u.mmul(v.transpose()).to1DArray());
}

function haarOrthogonal(n: number, rng: Rng): Matrix {
  const g = Matrix.from1DArray(n, n, Array.from({ length: n * n }, () => rng.normal()));
  const qr = new QrDecomposition(g);
  const q = qr.orthogonalMatrix, r = qr.upperTriangularMatrix;
  // Q alone is not uniformly distributed: Householder QR's sign convention biases it.
  q.mulRowVector(Array.from({ length: n }, (_, j) => (r.get(j, j) < 0 ? -1 : 1)));
  return q;
}

/** Input x [B, N, D]. */
export function makeInput(s: Shape, rng: Rng, cfg: InputInit = { input: 'gaussian' }): HostTensor {
  const { batch: B, seqLen: N, dModel: D } = s;
  const shape = [B, N, D];
  if (cfg.input === 'gaussian') return { data: normalArray(rng, B * N * D, 1), shape };
  const rho = cfg.rho ?? DEFAULT_RHO, innovation = Math.sqrt(1 - rho * rho);
  const data = new Float32Array(B * N * D);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < N; t++) {
      const row = (b * N + t) * D;
      for (let d = 0; d < D; d++) data[row + d] = t === 0 ? rng.normal() : rho * data[row - D + d] + innovation * rng.normal();
    }
  }
  return { data, shape };
}
