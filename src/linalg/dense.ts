/** Plain float64 row-major matrix helpers for the reference implementations. */

/**
 * C[m×n] = A[m×k] · B[k×n] (+ bias[n]), all row-major, float64. Below 8 rows of A, a sweep of B's rows
 * per row of C; from 8, B in panels of 4 columns with a 4×4 tile of C in registers, 2.0–2.9× faster
 * in V8 (1024·512·512: 1.1 → 2.0 GFLOP/s, 333·77·130: 1.1 → 2.9), where packing a panel does not pay
 * for one row (1·512·512: 1.9 → 0.7).
 */
export function matMul64(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number,
  bias?: ArrayLike<number>): Float64Array {
  const A = a instanceof Float64Array ? a : Float64Array.from(a), B = b instanceof Float64Array ? b : Float64Array.from(b);
  const c = new Float64Array(m * n);
  if (m < 8) {
    rowSweep(A, B, c, 0, m, k, n, bias);
    return c;
  }
  const panel = new Float64Array(k * 4), n4 = n & ~3;
  for (let j = 0; j < n4; j += 4) {
    for (let p = 0; p < k; p++) for (let t = 0; t < 4; t++) panel[p * 4 + t] = B[p * n + j + t];
    panelTimes(A, panel, c, m, k, n, j, bias);
  }
  for (let j = n4; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let sum = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) sum += A[i * k + p] * B[p * n + j];
      c[i * n + j] = sum;
    }
  }
  return c;
}

/** Rows [from, to) of C = A·B + bias, each a sweep of four rows of B at a time. */
function rowSweep(a: Float64Array, b: Float64Array, c: Float64Array, from: number, to: number, k: number, n: number,
  bias?: ArrayLike<number>): void {
  for (let i = from; i < to; i++) {
    const row = i * n, ai = i * k;
    if (bias) for (let j = 0; j < n; j++) c[row + j] = bias[j];
    let p = 0;
    for (; p + 3 < k; p += 4) {
      const a0 = a[ai + p], a1 = a[ai + p + 1], a2 = a[ai + p + 2], a3 = a[ai + p + 3];
      const r0 = p * n, r1 = r0 + n, r2 = r1 + n, r3 = r2 + n;
      for (let j = 0; j < n; j++) c[row + j] += a0 * b[r0 + j] + a1 * b[r1 + j] + a2 * b[r2 + j] + a3 * b[r3 + j];
    }
    for (; p < k; p++) {
      const av = a[ai + p], r = p * n;
      for (let j = 0; j < n; j++) c[row + j] += av * b[r + j];
    }
  }
}

/** Columns j…j+3 of C = A·panel + bias, panel = those columns of B packed [k, 4]: four rows of C at a time. */
function panelTimes(a: Float64Array, panel: Float64Array, c: Float64Array, m: number, k: number, n: number, j: number,
  bias?: ArrayLike<number>): void {
  const z0 = bias ? bias[j] : 0, z1 = bias ? bias[j + 1] : 0, z2 = bias ? bias[j + 2] : 0, z3 = bias ? bias[j + 3] : 0;
  const m4 = m & ~3;
  for (let i = 0; i < m4; i += 4) {
    let c00 = z0, c01 = z1, c02 = z2, c03 = z3, c10 = z0, c11 = z1, c12 = z2, c13 = z3;
    let c20 = z0, c21 = z1, c22 = z2, c23 = z3, c30 = z0, c31 = z1, c32 = z2, c33 = z3;
    const r0 = i * k, r1 = r0 + k, r2 = r1 + k, r3 = r2 + k;
    for (let p = 0; p < k; p++) {
      const q = p * 4, b0 = panel[q], b1 = panel[q + 1], b2 = panel[q + 2], b3 = panel[q + 3];
      const a0 = a[r0 + p], a1 = a[r1 + p], a2 = a[r2 + p], a3 = a[r3 + p];
      c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
      c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
      c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
      c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    }
    let o = i * n + j;
    c[o] = c00; c[o + 1] = c01; c[o + 2] = c02; c[o + 3] = c03; o += n;
    c[o] = c10; c[o + 1] = c11; c[o + 2] = c12; c[o + 3] = c13; o += n;
    c[o] = c20; c[o + 1] = c21; c[o + 2] = c22; c[o + 3] = c23; o += n;
    c[o] = c30; c[o + 1] = c31; c[o + 2] = c32; c[o + 3] = c33;
  }
  for (let i = m4; i < m; i++) {
    let c0 = z0, c1 = z1, c2 = z2, c3 = z3;
    for (let p = 0; p < k; p++) {
      const q = p * 4, av = a[i * k + p];
      c0 += av * panel[q]; c1 += av * panel[q + 1]; c2 += av * panel[q + 2]; c3 += av * panel[q + 3];
    }
    const o = i * n + j;
    c[o] = c0; c[o + 1] = c1; c[o + 2] = c2; c[o + 3] = c3;
  }
}

/** ‖y − ref‖₂ / ‖ref‖₂. */
export function relativeError(y: ArrayLike<number>, ref: ArrayLike<number>): number {
  if (y.length !== ref.length) throw new Error(`relativeError: lengths differ (${y.length} vs ${ref.length})`);
  let num = 0, den = 0;
  for (let i = 0; i < y.length; i++) {
    const d = y[i] - ref[i];
    num += d * d;
    den += ref[i] * ref[i];
  }
  return Math.sqrt(num) / Math.sqrt(den);
}
