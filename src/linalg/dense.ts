/** Plain float64 row-major matrix helpers for the reference implementations. */

/** C[m×n] = A[m×k] · B[k×n] (+ bias[n]), all row-major. */
export function matMul64(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, bias?: ArrayLike<number>): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    if (bias) for (let j = 0; j < n; j++) c[row + j] = bias[j];
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      if (av === 0) continue;
      const brow = p * n;
      for (let j = 0; j < n; j++) c[row + j] += av * b[brow + j];
    }
  }
  return c;
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
