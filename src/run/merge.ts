/**
 * `npm run merge`: shard folders (each written by `npm run bench -- --shard i/n`) into one run.
 *
 *   read each shard's run.json ─► same suite? same plan fingerprint? same n? no index twice?
 *   ─► plan the suite again (this version must give the same fingerprint) and split it as the shards did
 *   ─► every line in its own shard's part, no case twice ─► missing cases (an error unless allowed)
 *   ─► OUT/run.json (every shard's environment, engines, ceilings) + OUT/results.jsonl (lines tagged
 *      with their shard and machine); the command line then writes the report.
 *
 * Lines keep their own shard's run id. Matmul ceilings are per machine: they stay in `shards`, and
 * the merged run has none of its own.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserError, messages } from '../messages.ts';
import { lockRunDir } from '../results/lock.ts';
import { SHARD_META_FIELDS, type RunMeta, type ShardRecord } from '../results/run-meta.ts';
import { createRunDir, inspectRunMeta, readResults, RESULTS_FILE, RUN_FILE, writeFileAtomic, writeRunMeta } from '../results/store.ts';
import type { ResultLine } from '../results/types.ts';
import { makeRunId } from './env.ts';
import { planCases } from './plan.ts';
import { partition, planFingerprint, shardText } from './shard.ts';
import { parseSuite } from './suite.ts';

/** A shard folder as read: its run.json (with shard and plan) and its lines, the last of each case. */
interface ShardRun {
  dir: string;
  meta: RunMeta & Required<Pick<RunMeta, 'shard' | 'plan'>>;
  lines: ResultLine[];
}

export interface Merged {
  dir: string;
  meta: RunMeta;
  /** Lines written to OUT/results.jsonl. */
  lines: number;
  /** Planned case ids no shard measured. */
  missing: string[];
}

function readShard(dir: string): ShardRun {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(messages.notAShard(dir, 'not a folder'));
  const read = inspectRunMeta(dir);
  if (!read) throw new UserError(messages.notAShard(dir, 'no run.json'));
  if ('problem' in read) throw new UserError(messages.notAShard(dir, `${RUN_FILE}: ${read.problem}`));
  const { meta } = read;
  if (!meta.shard || !meta.plan) throw new UserError(messages.notAShard(dir, 'its run.json records no --shard i/n'));
  if (!existsSync(path.join(dir, RESULTS_FILE))) throw new UserError(messages.notAShard(dir, `no ${RESULTS_FILE}`));
  const lines = [...new Map(readResults(dir).map((l) => [l.caseId, l])).values()];
  return { dir, meta: meta as ShardRun['meta'], lines };
}

/** Same suite, same plan, same n, no index twice: else one line saying which folders disagree. */
function checkCompatible(shards: ShardRun[]): void {
  const [first] = shards, seen = new Map<number, string>();
  for (const s of shards) {
    if (s.meta.suite.name !== first.meta.suite.name) {
      throw new UserError(messages.mergeSuites(first.dir, first.meta.suite.name, s.dir, s.meta.suite.name));
    }
    if (s.meta.shard.count !== first.meta.shard.count) {
      throw new UserError(messages.mergeCounts(first.dir, shardText(first.meta.shard), s.dir, shardText(s.meta.shard)));
    }
    if (s.meta.plan.fingerprint !== first.meta.plan.fingerprint) throw new UserError(messages.mergePlans(first.dir, s.dir));
    const other = seen.get(s.meta.shard.index);
    if (other !== undefined) throw new UserError(messages.mergeOverlap(shardText(s.meta.shard), other, s.dir));
    seen.set(s.meta.shard.index, s.dir);
  }
}

/** The plan the shards ran, planned again here and split as they split it: case ids per shard index (0-based). */
function replan(s: ShardRun): string[][] {
  const suite = parseSuite(s.meta.suite, `${s.dir}/run.json`);
  const engines = s.meta.selected.map((id) => s.meta.engines.find((e) => e.id === id)!);
  const plan = planCases(suite, engines, s.meta.runId);
  if (planFingerprint(suite, engines, plan) !== s.meta.plan.fingerprint) throw new UserError(messages.mergeReplan(s.dir));
  return partition(plan, s.meta.shard.count).map((groups) => groups.flatMap((g) => g.cases.map((c) => c.caseId)));
}

/** No case twice and every line in its own shard's part of the plan; the planned cases no shard has. */
function checkCases(shards: ShardRun[], parts: string[][]): string[] {
  const where = new Map<string, string>();
  for (const s of shards) {
    for (const l of s.lines) {
      const other = where.get(l.caseId);
      if (other !== undefined) throw new UserError(messages.mergeDuplicate(l.caseId, other, s.dir));
      where.set(l.caseId, s.dir);
    }
  }
  for (const s of shards) {
    const mine = new Set(parts[s.meta.shard.index - 1]);
    const foreign = s.lines.find((l) => !mine.has(l.caseId));
    if (foreign) throw new UserError(messages.mergeForeignCase(foreign.caseId, s.dir, shardText(s.meta.shard)));
  }
  return parts.flat().filter((id) => !where.has(id));
}

function shardRecord(s: ShardRun, planned: number): ShardRecord {
  const m = s.meta;
  const own = Object.fromEntries(SHARD_META_FIELDS.map((k) => [k, m[k]])) as Pick<RunMeta, (typeof SHARD_META_FIELDS)[number]>;
  return { index: m.shard.index, count: m.shard.count, machine: m.machine ?? 'unknown', dir: s.dir, ...own, cases: planned,
    lines: s.lines.length };
}

function mergedMeta(shards: ShardRun[], parts: string[][], missing: string[], argv: string[]): RunMeta {
  const first = shards[0].meta, times = (f: (m: RunMeta) => string | undefined) => shards.map((s) => f(s.meta)).filter(Boolean).sort();
  return { schema: 1, runId: makeRunId(`${first.suite.name}-merged`), suite: first.suite, argv,
    startedAt: times((m) => m.startedAt)[0] ?? first.startedAt,
    finishedAt: times((m) => m.finishedAt).at(-1), environment: first.environment, engines: first.engines, selected: first.selected,
    fallbacks: shards.flatMap((s) => s.meta.fallbacks.map((f) => `shard ${shardText(s.meta.shard)}: ${f}`)),
    cases: first.plan.cases, plan: first.plan, ...(shards.some((s) => s.meta.interrupted) && { interrupted: true }),
    shards: shards.map((s) => shardRecord(s, parts[s.meta.shard.index - 1].length)), missing };
}

/** Merges shard folders into `out` (see the header); bad input is a UserError naming the folders. */
export function mergeShards(dirs: string[], out: string, allowMissing: boolean, argv: string[]): Merged {
  const shards = dirs.map(readShard).sort((a, b) => a.meta.shard.index - b.meta.shard.index);
  checkCompatible(shards);
  const parts = replan(shards[0]);
  const missing = checkCases(shards, parts);
  if (missing.length > 0 && !allowMissing) {
    const present = new Set(shards.map((s) => s.meta.shard.index)), count = shards[0].meta.shard.count;
    const absent = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !present.has(i));
    const which = absent.length > 0 ? `shard(s) ${absent.map((i) => `${i}/${count}`).join(', ')} not given` : 'shards incomplete';
    throw new UserError(messages.mergeMissing(missing.length, parts.flat().length, which));
  }
  createRunDir(out);
  if (existsSync(path.join(out, RESULTS_FILE))) throw new UserError(messages.mergeOutHoldsRun(out));
  const unlock = lockRunDir(out);
  try {
    const meta = mergedMeta(shards, parts, missing, argv);
    writeRunMeta(out, meta);
    const lines = shards.flatMap((s) => s.lines.map((l) => ({ ...l, shard: { ...s.meta.shard, machine: s.meta.machine ?? 'unknown' } })));
    writeFileAtomic(path.join(out, RESULTS_FILE), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    return { dir: out, meta, lines: lines.length, missing };
  } finally {
    unlock();
  }
}
