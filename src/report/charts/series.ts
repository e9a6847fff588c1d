import type { ResultLine } from '../../run/result.ts';

/** One colour per variant configuration × engine: the series every chart groups by. */
export function seriesName(l: ResultLine): string {
  return `${l.label} · ${l.engine}/${l.backend}`;
}
