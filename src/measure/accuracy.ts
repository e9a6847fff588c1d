/**
 * Accuracy of a variant's output against float64 references, on fresh inputs of the case:
 *   relErr        vs the variant's own float64 reference (same pattern): proves the implementation
 *   relErrVsFull  vs exact full attention with the base weights: the quality cost of the trick
 * Both references are cached per configuration and input (ownReference; the full one per shape and input).
 * Each output row depends on one query and all keys, so for N > ALL_ROWS_UP_TO the comparison uses
 * SAMPLED_ROWS evenly spaced query rows (first and last included), plus the rows a variant computes
 * by a path of its own (Variant.checkedRows: block-sparse's global tokens): exact for those rows at
 * a fraction of the cost. Above MAX_REFERENCE_FLOPS of float64 work the accuracy is not measured.
 *
 * Enforced: an implementation whose relErr exceeds its dtype's tolerance (`toleranceOf`: float32
 * the project's standard, 1e-4, where measured errors are 2e-7–2e-6; half precision derived from the
 * unit roundoff, docs/measurement.md) computes something other than its reference: its case becomes
 * an `error` line with the figure, at every N. The references compute from the weights and input
 * rounded to the dtype (linalg/dtype.ts), as the engine holds them: the error is the computation's.
 */
import { relativeError } from '../linalg/dense.ts';
import { cachedArray, digest } from '../linalg/cache.ts';
import type { Accuracy } from '../results/types.ts';
import { DEFAULT_DTYPE, UNIT_ROUNDOFF, type Dtype } from '../results/dtype.ts';
import type { AnyVariant, BaseWeights, Shape, Weights } from '../variants/types.ts';
import { full } from '../variants/full.ts';

export const ALL_ROWS_UP_TO = 256;
export const SAMPLED_ROWS = 32;
export const MAX_REFERENCE_FLOPS = 8e9;
/** Largest relative error vs a variant's own float64 reference that a float32 engine may show. */
export const IMPLEMENTATION_TOLERANCE = 1e-4;
/**
 * Roundings to the dtype an attention pass may stack on its output's path, each adding up to u of
 * relative error, to first order (docs/measurement.md): the tolerance of a dtype is this many unit roundoffs.
 */
export const ROUNDING_STAGES = 16;

/**
 * Largest relative error vs a variant's own float64 reference that an engine computing in `dtype`
 * may show: ROUNDING_STAGES·u, and never below float32's standard (for float32, 16·2^-24 = 9.5e-7
 * would be below what float32 accumulation over long products shows: the standard stays 1e-4).
 * bfloat16: 16·2^-8 = 0.0625; float16: 16·2^-11 ≈ 0.0078.
 */
export function toleranceOf(dtype: Dtype): number {
  return Math.max(IMPLEMENTATION_TOLERANCE, ROUNDING_STAGES * UNIT_ROUNDOFF[dtype]);
}

/** The query rows compared: all up to ALL_ROWS_UP_TO, else SAMPLED_ROWS evenly spaced ones and `always`, ascending. */
export function referenceRows(n: number, always: number[] = []): number[] {
  if (n <= ALL_ROWS_UP_TO) return [...Array(n).keys()];
  const sampled = Array.from({ length: SAMPLED_ROWS }, (_, i) => Math.round((i * (n - 1)) / (SAMPLED_ROWS - 1)));
  return [...new Set([...sampled, ...always.filter((i) => i >= 0 && i < n)])].sort((a, b) => a - b);
}

/** Why a measured accuracy shows an implementation error, when it does. */
export function implementationError(a: Accuracy, dtype: Dtype = DEFAULT_DTYPE): string | undefined {
  const tolerance = toleranceOf(dtype);
  if (a.relErr === null || a.relErr <= tolerance) return undefined;
  return `relative error ${a.relErr.toExponential(2)} vs its own float64 reference exceeds the ${dtype} tolerance `
    + `${Number(tolerance.toPrecision(3))} (${a.reference})`;
}

/** Float64 work of one reference pass over `rows` rows (K and V for all N, the rest per row). */
export function referenceFlops(s: Shape, rows: number): number {
  return s.batch * (4 * s.seqLen * s.dModel ** 2 + rows * (4 * s.dModel ** 2 + 4 * s.seqLen * s.dModel));
}

export function measureAccuracy(variant: AnyVariant, s: Shape, o: object, x: Float32Array, w: Weights,
  base: BaseWeights, y: Float32Array): Accuracy {
  const rows = referenceRows(s.seqLen, variant.checkedRows?.(s, o));
  const which = rows.length === s.seqLen ? 'all rows' : `${rows.length} sampled rows`;
  const cost = referenceFlops(s, rows.length);
  if (cost > MAX_REFERENCE_FLOPS) {
    return { relErr: null, relErrVsFull: null,
      reference: `not measured: float64 reference would take ${(cost / 1e9).toFixed(1)} GFLOP (limit ${MAX_REFERENCE_FLOPS / 1e9})` };
  }
  const got = pickRows(y, s, rows);
  const own = ownReference(variant, s, o, x, w, rows);
  // Every variant and engine of a shape compares with the same full reference: computed once per run.
  const exact = variant === full ? own : cachedArray(Float64Array,
    `full-reference:${JSON.stringify(s)}:${rows}:${digest(x, ...Object.values(base).map((t) => t.data))}`,
    () => full.reference(s, {}, x, base, rows) as Float64Array<ArrayBuffer>);
  return { relErr: relativeError(got, own), relErrVsFull: relativeError(got, exact),
    reference: `float64 ${variant.name} reference, ${which} of each batch entry` };
}

/**
 * The variant's own float64 reference, computed once per configuration and input, whichever engine
 * asks (the cases of one shape on onnx and on tfjs compare with the same array): cached on disk
 * (linalg/cache.ts) under the variant, its resolved options, the shape, the rows, the input and every
 * weight it holds, and the source of its reference function (a reference swapped at run time, as a
 * test does, is never answered from the cache).
 */
function ownReference(variant: AnyVariant, s: Shape, o: object, x: Float32Array, w: Weights, rows: number[]): Float64Array {
  const names = Object.keys(w).sort();
  const key = `reference:${variant.name}:${JSON.stringify(o)}:${JSON.stringify(s)}:${rows}:${names}:`
    + digest(String(variant.reference), x, ...names.map((n) => w[n].data));
  return cachedArray(Float64Array, key, () => variant.reference(s, o, x, w, rows) as Float64Array<ArrayBuffer>);
}

/** Rows `rows` of every batch entry of y [B, N, D], as [B, rows, D]. */
export function pickRows(y: Float32Array, s: Shape, rows: number[]): Float32Array {
  const D = s.dModel, out = new Float32Array(s.batch * rows.length * D);
  for (let b = 0; b < s.batch; b++) {
    rows.forEach((i, r) => out.set(y.subarray((b * s.seqLen + i) * D, (b * s.seqLen + i + 1) * D), (b * rows.length + r) * D));
  }
  return out;
}
