/**
 * What the harness and the report know of a variant through its role, never its name: which
 * variant is the baseline every other is compared with, which are meant to compute less than it,
 * and whether a configuration keeps that promise at a given shape.
 */
import type { Shape } from '../results/types.ts';
import { getVariant, VARIANTS } from './index.ts';
import type { AnyVariant, VariantRole } from './types.ts';

/** The registry's baseline (exact full attention): the variant every other one is compared with. */
export const BASELINE: AnyVariant = (() => {
  const found = Object.values(VARIANTS as Record<string, AnyVariant>).filter((v) => v.role === 'baseline');
  if (found.length !== 1) throw new Error(`the registry must hold exactly one baseline variant, found ${found.length}`);
  return found[0];
})();

export const roleOf = (variant: string): VariantRole | undefined => getVariant(variant)?.role;

export const isBaseline = (variant: string): boolean => roleOf(variant) === 'baseline';

/** Roles whose point is to compute less than the baseline (approximations, exact-efficient kernels). */
export const meantToSaveWork = (variant: string): boolean => {
  const role = roleOf(variant);
  return role === 'approximation' || role === 'exact-efficient';
};

/**
 * Why a configuration meant to save work does not at this shape, or undefined when it does (or is
 * not meant to). An approximation promises fewer FLOPs: not when they are not below the baseline's
 * (Linformer with k = N, a window as wide as the sequence). An exact-efficient kernel computes the
 * baseline's products and promises less memory: not when its analytic peak is not below the
 * baseline's (a tile as long as the sequence).
 */
export function notEfficientReason(variant: string, s: Shape, flops: number | null, memory: number | null): string | undefined {
  const role = roleOf(variant);
  const [mine, theirs, what] = role === 'approximation' ? [flops, BASELINE.flops(s, {}), 'FLOPs']
    : role === 'exact-efficient' ? [memory, BASELINE.memory(s, {}), 'analytic peak memory'] : [null, 1, ''];
  if (mine === null) return undefined;
  const ratio = mine / theirs;
  return ratio >= 1 ? `not efficient at this N: ${ratio.toFixed(2)}× ${BASELINE.name}'s ${what}` : undefined;
}
