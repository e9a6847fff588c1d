/**
 * What the report knows of a line's variant: its role and the variant whose graph it runs, as the
 * run recorded them (LineBase.role, sameGraphAs), so that rebuilding an old run's report with newer
 * code gives the same findings. Lines written before they were recorded ask the live registry.
 */
import type { ResultLine, VariantRole } from '../results/types.ts';
import { getVariant } from '../variants/index.ts';
import { roleOf } from '../variants/roles.ts';

type Recorded = Pick<ResultLine, 'variant' | 'options' | 'role' | 'sameGraphAs'>;

export const roleOfLine = (l: Recorded): VariantRole | undefined => l.role ?? roleOf(l.variant);

export const isBaselineLine = (l: Recorded): boolean => roleOfLine(l) === 'baseline';

/** The variant whose graph the line's configuration runs unchanged, if any. */
export const sameGraphOf = (l: Recorded): string | undefined =>
  (l.role !== undefined ? l.sameGraphAs : getVariant(l.variant)?.sameGraphAs?.(l.options));

/** Roles whose point is to compute less than the baseline (approximations, exact-efficient kernels). */
export const meantToSaveWorkLine = (l: Recorded): boolean => {
  const role = roleOfLine(l);
  return role === 'approximation' || role === 'exact-efficient';
};
