/**
 * Shards: `--shard i/n` runs a deterministic part of a suite's plan, so that a sweep too long for
 * one machine runs on several (a CI matrix, a Kubernetes Indexed Job) and `npm run merge` joins
 * them (merge.ts).
 *
 * Partition. The unit is the comparison group (src/results/group.ts: one engine/backend, shape and
 * mode — full attention and every variant compared with it): a group is never split, so every
 * speed-up is measured on one machine, in one run, in the same interleaved rounds.
 *
 * Balance. Groups go to shards by greedy longest-processing-time (Graham 1969): groups in order of
 * predicted cost, largest first (ties by group key), each to the shard with the least predicted
 * cost so far (ties to the lowest index). Every machine computes the same partition from the same
 * plan. The bound that holds, and that the tests check: no shard's predicted cost exceeds the mean
 * (total / n) by more than the largest group's cost, and it is within 4/3 of the best split
 * possible. An empty shard (more shards than groups) runs nothing and merges as such.
 *
 * Predicted cost of a case (seconds; a prediction used for balancing only, never reported as a
 * measurement): each of its jobs (rounds + 1: the checks, then every timing round) starts a worker
 * (JOB_START_S); each timing round samples for its budget (timeMs + warmupMs); and the FLOPs it
 * computes at an assumed ASSUMED_FLOPS_PER_S: min samples and warm-up iterations per round, plus
 * CHECK_PASSES forward passes of checks (the float64 reference, accuracy vs full, the memory probe).
 * FLOPs are the variant's analytic count (full attention's where it depends on weights not built,
 * e.g. SVD by energy: an upper bound), × its mode's flopsFactor (a training step: 3).
 *
 * Fingerprint: sha256 of the plan — the suite after command-line overrides (name, variants with
 * their options, shapes, seed, modes, weights, inputs, timing; not its description), the ids of the
 * engines/backends measured, and every case id, sorted. Shards of one plan share it whatever their
 * i; it does not cover engine versions or the machine (run.json records those per shard).
 */
import { createHash } from 'node:crypto';
import { UserError, messages } from '../messages.ts';
import { modeOf } from '../modes/index.ts';
import { analyticCounts } from '../variants/analytic.ts';
import { getVariant } from '../variants/index.ts';
import { BASELINE } from '../variants/roles.ts';
import type { Case, EngineInfo } from '../results/types.ts';
import { groupOf } from './rounds.ts';
import type { Suite } from './suite.ts';

/** 1-based shard index and the number of shards. */
export interface Shard {
  index: number;
  count: number;
}

/** Seconds to start a worker process and load its engine (prediction only). */
export const JOB_START_S = 1;
/** Sustained FLOP rate assumed for the prediction (a CPU engine's order of magnitude). */
export const ASSUMED_FLOPS_PER_S = 5e9;
/** Forward passes' worth of work in a case's checks (float64 reference, accuracy vs full, memory probe). */
export const CHECK_PASSES = 10;

/** `--shard i/n`, 1-based: i and n positive integers, i ≤ n. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const [index, count] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(index >= 1 && count >= 1 && index <= count)) throw new UserError(messages.badShard(text));
  return { index, count };
}

export const shardText = (s: Shard): string => `${s.index}/${s.count}`;

/** Analytic FLOPs of one forward pass of the case; full attention's at its shape where the variant's depend on weights. */
function forwardFlops(c: Case): number {
  return analyticCounts(getVariant(c.variant)!, c.shape, c.options).flops ?? BASELINE.flops(c.shape, {});
}

/** Predicted seconds a case takes (see the header): for balancing shards only. */
export function predictedSeconds(c: Case): number {
  const t = c.timing, rounds = t.rounds;
  const flops = forwardFlops(c) * modeOf(c.mode).flopsFactor;
  const passes = rounds * (t.minSamples + t.warmupIterations) + CHECK_PASSES;
  return (rounds + 1) * JOB_START_S + rounds * (t.timeMs + t.warmupMs) / 1000 + passes * flops / ASSUMED_FLOPS_PER_S;
}

export interface Group {
  key: string;
  cases: Case[];
  cost: number;
}

/** The plan's comparison groups, largest predicted cost first (ties by key). */
export function groupsOf(cases: readonly Case[]): Group[] {
  const byKey = new Map<string, Case[]>();
  for (const c of cases) byKey.set(groupOf(c), [...(byKey.get(groupOf(c)) ?? []), c]);
  return [...byKey].map(([key, cs]) => ({ key, cases: cs, cost: cs.reduce((sum, c) => sum + predictedSeconds(c), 0) }))
    .sort((a, b) => b.cost - a.cost || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The plan split into `count` shards (index 0 = shard 1): whole groups, balanced by longest-processing-time. */
export function partition(cases: readonly Case[], count: number): Group[][] {
  const shards: Group[][] = Array.from({ length: count }, () => []), load = new Array<number>(count).fill(0);
  for (const g of groupsOf(cases)) {
    const least = load.indexOf(Math.min(...load));
    shards[least].push(g);
    load[least] += g.cost;
  }
  return shards;
}

/** The cases of one shard, in plan order. */
export function casesOfShard(cases: readonly Case[], shard: Shard): Case[] {
  const mine = new Set(partition(cases, shard.count)[shard.index - 1].flatMap((g) => g.cases));
  return cases.filter((c) => mine.has(c));
}

/** sha256 of the plan (see the header): equal for every shard of one plan. */
export function planFingerprint(suite: Suite, selected: readonly EngineInfo[], cases: readonly Case[]): string {
  const { description: _description, ...defining } = suite;
  const text = JSON.stringify({ suite: defining, engines: selected.map((e) => e.id).sort(), cases: cases.map((c) => c.caseId).sort() });
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

/** The largest analytic peak memory of the cases, bytes (× its mode's memoryFactor, as preflight budgets it). */
export function casesMemoryBytes(cases: readonly Case[]): number {
  return Math.max(0, ...cases.map((c) => {
    // Where it depends on the weights (SVD by energy): full attention's.
    const bytes = analyticCounts(getVariant(c.variant)!, c.shape, c.options).memory ?? BASELINE.memory(c.shape, {});
    return bytes * modeOf(c.mode).memoryFactor;
  }));
}

/** Room for a bench process and its worker with their engines loaded (the rule of deploy/k8s, not a measurement). */
export const POD_BASE_BYTES = 2 ** 30;

/**
 * Memory a pod running shards of these cases requests: POD_BASE_BYTES + 2 × the largest analytic
 * peak (the engine's own buffers beside the activations), rounded up to 256 MiB. One figure for
 * every shard: the pods of an Indexed Job share one template.
 */
export function podMemoryBytes(cases: readonly Case[]): number {
  const step = 256 * 2 ** 20;
  return Math.ceil((POD_BASE_BYTES + 2 * casesMemoryBytes(cases)) / step) * step;
}
