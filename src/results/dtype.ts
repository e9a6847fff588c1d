/**
 * Element types a case may compute in (a shape field, `Shape.dtype`; absent = float32, so the case
 * ids of float32 cases stay as they were): bytes per element, unit roundoff and the case-id suffix.
 * The accuracy tolerance derived from the unit roundoff is measure/accuracy.ts's (docs/measurement.md).
 */
export const DTYPES = ['float32', 'bfloat16', 'float16'] as const;
export type Dtype = (typeof DTYPES)[number];

export const DEFAULT_DTYPE: Dtype = 'float32';

/** The dtype of a shape: its field, float32 when absent. */
export const dtypeOf = (s: { dtype?: Dtype }): Dtype => s.dtype ?? DEFAULT_DTYPE;

/** Bytes of one element. */
export const ELEMENT_BYTES: Record<Dtype, number> = { float32: 4, bfloat16: 2, float16: 2 };

/**
 * Unit roundoff u = 2^-p (p: significand bits, the implicit one included): the largest relative error
 * of rounding a real to the nearest representable value. float32 p = 24, bfloat16 p = 8, float16 p = 11.
 */
export const UNIT_ROUNDOFF: Record<Dtype, number> = { float32: 2 ** -24, bfloat16: 2 ** -8, float16: 2 ** -11 };

/** The case-id suffix of a dtype: none for float32 (old ids stay). */
export const DTYPE_SUFFIX: Record<Dtype, string> = { float32: '', bfloat16: 'bf16', float16: 'f16' };
