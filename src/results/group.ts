/**
 * The comparison group: the cases a paired speed-up compares, measured in the same blocks of every
 * round (src/run/rounds.ts: a timing group is one comparison group, or several where the mode times
 * shapes together, Mode.timedAcross), kept whole in one shard (src/run/shard.ts), and the cases the
 * report compares variants within (src/report/charts/series.ts, invariants.ts). A comparison across
 * groups (decode's contexts or K/V heads) pairs by block only the rounds its two cases sampled in
 * the same blocks (src/report/paired.ts), else by round. A leaf, as types.ts.
 *
 * Key: engine/backend id, mode, and the whole shape (its JSON with sorted keys, so a field added
 * to Shape, e.g. causal masking, separates groups without anyone touching this), and — for lines
 * of a merged run — the shard and the machine that measured them. Two lines of different shards
 * are never in one group, so no ratio is ever computed across shards, hence never across machines.
 */
import type { ShardTag } from './line-schema.ts';
import type { CaseMode, Shape } from './types.ts';

/** The shape as JSON with its keys sorted: the same shape gives the same text whatever the order it was built in. */
export const shapeText = (shape: Shape): string => JSON.stringify(shape, Object.keys(shape).sort());

export function comparisonGroup(engineId: string, mode: CaseMode, shape: Shape, shard?: ShardTag): string {
  const where = shard ? `|shard ${shard.index}/${shard.count} on ${shard.machine}` : '';
  return `${engineId}|${mode}|${shapeText(shape)}${where}`;
}
