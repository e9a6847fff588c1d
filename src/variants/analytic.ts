/**
 * What a variant's formulas say of a configuration before its weights exist: parameter counts,
 * FLOPs and analytic memory — or null, with the reason, where they depend on what `resolve` has not
 * seen yet (Variant.unresolved: SVD by energy). "Depends on the weights" is data, not an exception.
 */
import type { ParamCount, Shape } from '../results/types.ts';
import type { AnyVariant } from './types.ts';

export type AnalyticCounts =
  | { params: ParamCount; flops: number; memory: number; unresolved?: undefined }
  /** The formulas need the resolved options: `unresolved` says why. */
  | { params: null; flops: null; memory: null; unresolved: string };

export function analyticCounts(v: AnyVariant, shape: Shape, options: object): AnalyticCounts {
  const unresolved = v.unresolved?.(shape, options);
  if (unresolved !== undefined) return { params: null, flops: null, memory: null, unresolved: `${v.name}: ${unresolved}` };
  return { params: v.params(shape, options), flops: v.flops(shape, options), memory: v.memory(shape, options) };
}
