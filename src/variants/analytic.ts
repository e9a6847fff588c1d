/**
 * What a variant's formulas say of a configuration before its weights exist: parameter counts,
 * FLOPs and analytic memory — or null, with the reason, where they depend on what `resolve` has not
 * seen yet (Variant.unresolved: SVD by energy). "Depends on the weights" is data, not an exception.
 */
import type { ParamCount, Shape } from '../results/types.ts';
import { dtypeOf, ELEMENT_BYTES } from '../results/dtype.ts';
import type { AnyVariant } from './types.ts';

export type AnalyticCounts =
  | { params: ParamCount; flops: number; memory: number; unresolved?: undefined }
  /** The formulas need the resolved options: `unresolved` says why. */
  | { params: null; flops: null; memory: null; unresolved: string };

export function analyticCounts(v: AnyVariant, shape: Shape, options: object): AnalyticCounts {
  const unresolved = v.unresolved?.(shape, options);
  if (unresolved !== undefined) return { params: null, flops: null, memory: null, unresolved: `${v.name}: ${unresolved}` };
  return { params: v.params(shape, options), flops: v.flops(shape, options), memory: memoryInDtype(v, shape, options) };
}

/**
 * A variant's analytic peak memory in the shape's dtype, bytes: its formula counts 4-byte (float32)
 * elements (Variant.memory); every tensor of a pass, weights, activations and temporaries, holds the
 * case's dtype, so the count scales by the element's bytes (bfloat16, float16: half).
 */
export function memoryInDtype(v: AnyVariant, shape: Shape, options: object): number {
  return (v.memory(shape, options) / ELEMENT_BYTES.float32) * ELEMENT_BYTES[dtypeOf(shape)];
}
