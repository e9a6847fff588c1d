/** Builders of results lines shared by the layers that write them (measure, run). */
import { firstLine } from '../messages.ts';
import { LINE_BASE_FIELDS, type LineBase } from './line-schema.ts';
import { RESULT_SCHEMA, type Case, type FailedLine, type ParamCount, type VariantRole } from './types.ts';

/** What a case's variant says of itself, when it can say it: null where it depends on weights never built. */
export interface CaseCounts {
  /** Options as resolved against the base weights (e.g. an SVD rank from an energy target). */
  options: Record<string, unknown>;
  params: ParamCount | null;
  flops: number | null;
  /** Why the configuration saves no work at this shape, when it does not (see LineBase.notEfficient). */
  notEfficient?: string;
  /** The variant's role, and the variant whose graph the configuration runs unchanged (LineBase.role). */
  role?: VariantRole;
  sameGraphAs?: string;
}

/** The fields every line has. */
export function lineBase(c: Case, counts: CaseCounts): LineBase {
  return {
    schema: RESULT_SCHEMA, runId: c.runId, caseId: c.caseId, mode: c.mode, variant: c.variant, options: counts.options,
    label: c.label, ...(counts.role && { role: counts.role }), ...(counts.sameGraphAs && { sameGraphAs: counts.sameGraphAs }),
    engine: c.engine.engine, backend: c.engine.backend, device: c.engine.device ?? 'cpu', shape: c.shape,
    params: counts.params, flops: counts.flops, ...(counts.notEfficient && { notEfficient: counts.notEfficient }),
    timing: c.timing, finishedAt: new Date().toISOString(),
  };
}

export function failedLine(c: Case, status: 'skipped' | 'error', reason: string, counts: CaseCounts): FailedLine {
  return { ...lineBase(c, counts), status, reason: firstLine(reason) };
}

/** The fields every line has (those of the line schema's base), taken from a measured line or its facts. */
export function baseOf(l: LineBase): LineBase {
  return Object.fromEntries(LINE_BASE_FIELDS.filter((k) => l[k] !== undefined).map((k) => [k, l[k]])) as LineBase;
}
