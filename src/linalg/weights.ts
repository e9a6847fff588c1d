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
 *   file      `{ file, prefix }` (or `--weights FILE`): one trained layer's weights, read by weights-file.ts.
 * Grouped-query shapes (kvHeads < H): K and V weights of a multi-head layer are mean-pooled over each
 * group of H / kvHeads heads into one K/V head (Ainslie et al. 2023, "GQA", §2.1: how a multi-head
 * checkpoint becomes a grouped-query one), so every kvHeads of a run derives from the same layer; a
 * file that already holds grouped K/V projections (Llama's k_proj, v_proj) is used as it is.
 *
 * Inputs (`input:`):
 *   gaussian    x ~ N(0, 1) entry-wise.
 *   correlated  per batch entry and feature an AR(1) process along the sequence:
 *               x_0 = z_0, x_t = ρ·x_{t−1} + √(1−ρ²)·z_t, z ~ N(0, 1): unit variance and correlation
 *               ρ^|i−j| between positions i and j, i.e. neighbouring tokens look alike, as in text
 *               and audio embeddings — the locality sparse-window attention bets on. Default ρ = 0.9
 *               (correlation length 1/(1−ρ) = 10 positions).
 */
import { kvHeadsOf, kvWidth, type Shape } from '../results/types.ts';
import { DEFAULT_DECAY, DEFAULT_RHO, type InputInit, type WeightsInit } from '../results/schema.ts';
import { UserError, messages } from '../messages.ts';
import { cachedArray } from './cache.ts';
import { createRng, normalArray, type Rng } from './rng.ts';
import { matMul64 } from './dense.ts';
import type { HostTensor } from '../engine/ops.ts';
import { loadWeightsFile } from './weights-file.ts';

/** The base weights every variant of a case starts from: `full`'s Wq, bq, …, Wo, bo. */
export type BaseWeights = Record<'Wq' | 'bq' | 'Wk' | 'bk' | 'Wv' | 'bv' | 'Wo' | 'bo', HostTensor>;

/** Weights drawn from a seeded generator (not read from a file). */
export type SyntheticInit = Exclude<WeightsInit, { init: 'file' }>;

export function baseWeights(s: Shape, cfg: SyntheticInit, rng: Rng): BaseWeights {
  const D = s.dModel;
  const m = (): HostTensor => ({
    data: cfg.init === 'spectrum' ? spectralMatrix(D, cfg.decay ?? DEFAULT_DECAY, rng) : normalArray(rng, D * D, 1 / Math.sqrt(D)),
    shape: [D, D],
  });
  const b = () => ({ data: normalArray(rng, D, 0.1), shape: [D] });
  return withKvHeads({ Wq: m(), bq: b(), Wk: m(), bk: b(), Wv: m(), bv: b(), Wo: m(), bo: b() }, s);
}

/**
 * The base weights for a shape's kvHeads: as they are when K and V already have kvHeads·E columns,
 * else (a multi-head layer, D columns) each group of H / kvHeads heads mean-pooled into one.
 */
export function withKvHeads(base: BaseWeights, s: Shape): BaseWeights {
  const Dkv = kvWidth(s), D = s.dModel, held = base.Wk.shape[1];
  if (held === Dkv) return base;
  if (held !== D) throw new UserError(messages.kvWidthMismatch(held, D / s.heads, kvHeadsOf(s)));
  const E = D / s.heads, group = s.heads / kvHeadsOf(s);
  const pool = (t: HostTensor): HostTensor => {
    const rows = t.shape.length === 2 ? D : 1, out = new Float32Array(rows * Dkv);
    for (let i = 0; i < rows; i++) {
      for (let c = 0; c < Dkv; c++) {
        const head = Math.floor(c / E), e = c % E;
        let sum = 0;
        for (let g = 0; g < group; g++) sum += t.data[i * D + (head * group + g) * E + e];
        out[i * Dkv + c] = sum / group;
      }
    }
    return { data: out, shape: t.shape.length === 2 ? [D, Dkv] : [Dkv] };
  };
  return { ...base, Wk: pool(base.Wk), bk: pool(base.bk), Wv: pool(base.Wv), bv: pool(base.bv) };
}

const NAMES = ['Wq', 'bq', 'Wk', 'bk', 'Wv', 'bv', 'Wo', 'bo'] as const;

/**
 * The base weights of a model width: the same for every sequence length, batch and variant of a
 * run (a layer does not change with its input). Spectrum weights take seconds to build (two
 * orthogonal factors per matrix), so they are cached on disk by (seed, D, init) and shared by the
 * case processes (cache.ts). Weights from a file are the file's, whatever the seed.
 */
export function seededBaseWeights(D: number, cfg: WeightsInit, seed: number): BaseWeights {
  if (cfg.init === 'file') {
    const base = loadWeightsFile(cfg.file, cfg.prefix);
    if (base.Wq.shape[0] !== D) throw new Error(`weights file ${cfg.file} holds D = ${base.Wq.shape[0]}, the case has D = ${D}`);
    return base;
  }
  const key = `${seed}:weights:D${D}:${JSON.stringify(cfg)}`;
  const build = () => baseWeights({ batch: 1, seqLen: 1, dModel: D, heads: 1 }, cfg, createRng(key));
  if (cfg.init === 'gaussian') return build();
  const shapes = NAMES.map((n) => (n.startsWith('W') ? [D, D] : [D]));
  const all = cachedArray(Float32Array, key, () => {
    const base = build();
    const out = new Float32Array(NAMES.reduce((s, n) => s + base[n].data.length, 0));
    let at = 0;
    for (const n of NAMES) { out.set(base[n].data, at); at += base[n].data.length; }
    return out;
  });
  let at = 0;
  return Object.fromEntries(NAMES.map((n, i) => {
    const len = shapes[i].reduce((a, b) => a * b, 1);
    const t = { data: all.slice(at, at + len), shape: shapes[i] };
    at += len;
    return [n, t];
  })) as BaseWeights;
}

/** A D×D matrix with singular values c·i^−decay, ‖W‖_F² = D, and Haar-random singular vectors. */
export function spectralMatrix(D: number, decay: number, rng: Rng): Float32Array {
  const raw = Array.from({ length: D }, (_, i) => (i + 1) ** -decay);
  const c = Math.sqrt(D / raw.reduce((acc, v) => acc + v * v, 0));
  const u = haarOrthogonal(D, rng), vt = transpose(haarOrthogonal(D, rng), D);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) u[i * D + j] *= c * raw[j]; // U·diag(σ)
  return Float32Array.from(matMul64(u, vt, D, D, D));
}

/**
 * A Haar-random orthogonal n×n matrix (row-major): Gram–Schmidt on the columns of a Gaussian
 * matrix is its QR decomposition with a positive diagonal in R, which is Haar-distributed
 * (Mezzadri 2007). Modified Gram–Schmidt on contiguous columns: O(n³), ~10× faster than a
 * general QR here.
 */
export function haarOrthogonal(n: number, rng: Rng): Float64Array {
  const cols = Array.from({ length: n }, () => Float64Array.from({ length: n }, () => rng.normal()));
  for (let j = 0; j < n; j += 4) orthonormaliseBlock(cols, j, Math.min(4, n - j));
  const out = new Float64Array(n * n);
  cols.forEach((q, j) => q.forEach((x, i) => { out[i * n + j] = x; }));
  return out;
}

/**
 * Modified Gram–Schmidt of columns j0 … j0+b−1 (b ≤ 4) against the columns before them, then among
 * themselves, then each normalised. The b columns take each earlier column together: their b dot
 * products are independent sums that the CPU overlaps (one sum alone waits on each addition), about 2×
 * faster at n = 512 here. Every column still sees the same operations in the same order as one
 * column at a time (each dot summed over i ascending, each update after the one before it), so the
 * matrix is the same to the bit, and so are the weights drawn from it.
 */
function orthonormaliseBlock(cols: Float64Array[], j0: number, b: number): void {
  const n = cols[0].length, q = cols.slice(j0, j0 + b), [q0, q1 = q0, q2 = q0, q3 = q0] = q;
  for (let k = 0; k < j0; k++) {
    const p = cols[k];
    let d0 = 0, d1 = 0, d2 = 0, d3 = 0;
    for (let i = 0; i < n; i++) { const x = p[i]; d0 += x * q0[i]; d1 += x * q1[i]; d2 += x * q2[i]; d3 += x * q3[i]; }
    if (b === 4) {
      for (let i = 0; i < n; i++) { const x = p[i]; q0[i] -= d0 * x; q1[i] -= d1 * x; q2[i] -= d2 * x; q3[i] -= d3 * x; }
    } else {
      const d = [d0, d1, d2];
      for (let c = 0; c < b; c++) { const qc = q[c], dc = d[c]; for (let i = 0; i < n; i++) qc[i] -= dc * p[i]; }
    }
  }
  for (let c = 0; c < b; c++) {
    const qc = q[c];
    for (let k = 0; k < c; k++) {
      const p = q[k];
      let dot = 0;
      for (let i = 0; i < n; i++) dot += p[i] * qc[i];
      for (let i = 0; i < n; i++) qc[i] -= dot * p[i];
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += qc[i] * qc[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) qc[i] /= norm;
  }
}

function transpose(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
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
