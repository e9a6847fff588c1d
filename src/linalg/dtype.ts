/**
 * Values rounded to a case's dtype (src/results/dtype.ts), still held as float32: every value of a
 * half-precision dtype is exactly a float32, so an engine's conversion of these to its dtype is
 * exact, and the float64 reference computes from the very weights and input the engine holds: the
 * error measured is the computation's, not the rounding of its inputs (measure/accuracy.ts).
 * Round to nearest, ties to even, as torch's `.to(bfloat16)` and `.to(float16)` do.
 */
import type { HostTensor } from '../engine/ops.ts';
import type { Dtype } from '../results/dtype.ts';

/** float32 bits → the nearest bfloat16 (its upper 16 bits), ties to even; NaN stays NaN. */
function roundBfloat16(data: Float32Array): Float32Array {
  const out = new Float32Array(data), bits = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    if ((b & 0x7f800000) === 0x7f800000) continue; // Inf and NaN
    bits[i] = ((b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000) >>> 0;
  }
  return out;
}

/** The nearest float16 (11 significand bits, subnormals below 2^-14, ±Inf beyond 65504), ties to even. */
function roundFloat16(data: Float32Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const x = data[i], a = Math.abs(x);
    if (!Number.isFinite(x) || a === 0) { out[i] = x; continue; }
    const quantum = 2 ** (Math.max(Math.floor(Math.log2(a)), -14) - 10);
    const q = a / quantum, r = Math.floor(q), frac = q - r;
    const m = frac > 0.5 || (frac === 0.5 && r % 2 === 1) ? r + 1 : r;
    const v = m * quantum;
    out[i] = Math.sign(x) * (v >= 65520 ? Infinity : v);
  }
  return out;
}

const ROUNDERS: Record<Dtype, (data: Float32Array) => Float32Array> = {
  float32: (data) => data,
  bfloat16: roundBfloat16,
  float16: roundFloat16,
};

/** `data` rounded to `dtype` (float32: the same array, no copy). */
export const roundedTo = (data: Float32Array, dtype: Dtype): Float32Array => ROUNDERS[dtype](data);

/** Every tensor of `ts` rounded to `dtype` (float32: `ts` itself). */
export function tensorsRoundedTo<K extends string>(ts: Record<K, HostTensor>, dtype: Dtype): Record<K, HostTensor> {
  if (dtype === 'float32') return ts;
  return Object.fromEntries(Object.entries<HostTensor>(ts).map(([k, t]) => [k, { data: roundedTo(t.data, dtype), shape: t.shape }])) as
    Record<K, HostTensor>;
}
