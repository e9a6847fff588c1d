/**
 * Interleaved rounds (asv's --interleave-processes, Google Benchmark's random interleaving). Each
 * case first gets its facts (round 0: checks, accuracy, memory; untimed, in the checks' workers),
 * then R timing rounds: round 1 of every comparison group in a shuffled order (roundOrder), then
 * round 2 in another shuffled order, and so on; each round runs in a worker of its own
 * (src/run/pool.ts, WarmWorker), so every round of a case runs in a different process, and the
 * between-process variation (Kalibera & Jones's execution level) is sampled R times. Within a
 * round, the cases of one group (a variant and full attention at the same engine and shape) are
 * prepared in the same worker and sampled in shuffled blocks of one pass each
 * (measure/group-round.ts), so a comparison pairs samples taken moments apart.
 *
 * The journal (rounds.jsonl) records each round as it finishes: --resume keeps every completed
 * round, and a round in flight when the sweep stopped is not counted. A case's results line is
 * written once its last round is in the journal: every round's samples, pooled figures, spread.
 */
import { createRng } from '../linalg/rng.ts';
import { noiseReasons, statsOf } from '../measure/latency.ts';
import { modeOf } from '../modes/index.ts';
import { comparisonGroup } from '../results/group.ts';
import type { Ceiling } from '../results/run-meta.ts';
import { baseOf } from '../results/lines.ts';
import { checkCase, groupRoundOf, Workers, type ChildLimits } from './pool.ts';
import type { Case, CaseFacts, OkLine, ResultLine, RoundRecord, RoundTiming, TimingSettings } from '../results/types.ts';

function shuffle<T>(xs: readonly T[], rng: ReturnType<typeof createRng>): T[] {
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The case's shape less the fields its mode times across (Mode.timedAcross). */
function timedShape(c: Pick<Case, 'shape' | 'mode'>): Case['shape'] {
  const across: readonly string[] = modeOf(c.mode).timedAcross ?? [];
  return Object.fromEntries(Object.entries(c.shape).filter(([k]) => !across.includes(k))) as Case['shape'];
}

/**
 * The timing group of a case: the cases timed together in one round's blocks, kept whole in one shard.
 * Its comparison group (src/results/group.ts: every variant at one engine, shape and mode), or several
 * of them where its mode times shapes together (Mode.timedAcross: decode's contexts, so a step at two
 * contexts is paired block by block).
 */
export const groupOf = (c: Pick<Case, 'engine' | 'shape' | 'mode'>): string => comparisonGroup(c.engine.id, c.mode, timedShape(c));

/**
 * The cases in the order round `round` (0: checks) runs them, drawn from the seed and the round:
 * the comparison groups in a shuffled order, and the cases of each group back to back in a
 * shuffled order of their own. A comparison's two cases then run seconds apart in every round (a
 * drift of the machine between them stays small), while spells still land on random groups and
 * each case's position within its group changes from round to round.
 */
export function roundOrder(cases: readonly Case[], seed: number, round: number): Case[] {
  const rng = createRng(`order:${seed}:round${round}`);
  const groups = new Map<string, Case[]>();
  for (const c of cases) groups.set(groupOf(c), [...(groups.get(groupOf(c)) ?? []), c]);
  return shuffle([...groups.values()], rng).flatMap((g) => shuffle(g, rng));
}

/** Every (case, round) of a sweep in the order they run: every case's checks, then all of round 1, then all of round 2, … */
export function interleave(cases: readonly Case[], seed: number, rounds: number): Array<{ c: Case; round: number }> {
  return Array.from({ length: rounds + 1 }, (_, r) => roundOrder(cases, seed, r).map((c) => ({ c, round: r }))).flat();
}

/** What the journal holds of one case. */
export interface CaseRounds {
  facts?: CaseFacts;
  /** Timing rounds by index: their timing, or why they failed. */
  timing: Map<number, RoundTiming | { error: string }>;
}

/** The journal grouped by case. */
export function journalByCase(records: readonly RoundRecord[]): Map<string, CaseRounds> {
  const byCase = new Map<string, CaseRounds>();
  for (const r of records) {
    const entry: CaseRounds = byCase.get(r.caseId) ?? { timing: new Map() };
    if ('facts' in r) entry.facts = r.facts;
    else entry.timing.set(r.round, 'timing' in r ? r.timing : { error: r.error });
    byCase.set(r.caseId, entry);
  }
  return byCase;
}

/** True when the journal holds round `round` of the case (0: its facts; else a timing round, measured or failed). */
export function hasRound(j: CaseRounds | undefined, round: number): boolean {
  return round === 0 ? j?.facts !== undefined : j?.timing.has(round) ?? false;
}

/** True when the journal holds every timing round 1..`rounds` of the case (measured or failed). */
export function roundsComplete(j: CaseRounds, rounds: number): boolean {
  return Array.from({ length: rounds }, (_, i) => i + 1).every((r) => j.timing.has(r));
}

/**
 * The lines of cases whose facts and every timing round are in the journal but whose line is not
 * in `done` (results.jsonl): a kill between the last round's record and the results append, or a
 * torn results line set aside. Their rounds were measured, so the line is built from them.
 */
export function linesFromJournal(journal: ReadonlyMap<string, CaseRounds>, rounds: number,
  done: ReadonlySet<string>, ceilings: Record<string, Ceiling> = {}): ResultLine[] {
  return [...journal].filter(([id, j]) => j.facts && !done.has(id) && roundsComplete(j, rounds))
    .map(([, j]) => completeLine(j.facts!, j.timing, ceilings[`${j.facts!.engine}/${j.facts!.backend}`]));
}

/**
 * The case's line over its timing rounds: every round kept, latency figures over the pooled
 * samples, the spread of the round medians; a failed round is named in `noisy`. When every round
 * failed, an error line saying why.
 */
export function completeLine(facts: CaseFacts, timing: CaseRounds['timing'], ceiling?: Ceiling): ResultLine {
  const rounds: RoundTiming[] = [], failed: string[] = [];
  for (const [round, t] of [...timing].sort((a, b) => a[0] - b[0])) {
    if ('error' in t) failed.push(`round ${round} failed: ${t.error}`);
    else rounds.push(t);
  }
  const finishedAt = new Date().toISOString();
  if (rounds.length === 0) {
    return { ...baseOf(facts), finishedAt, status: 'error', reason: `every timing round failed: ${failed.join('; ')}` };
  }
  const samplesMs = rounds.flatMap((r) => r.samplesMs).sort((a, b) => a - b);
  const latencyMs = statsOf(samplesMs), medians = rounds.map((r) => r.median);
  const noisy = [...noiseReasons(latencyMs, facts.overheadMs), ...failed];
  const timingFields = { latencyMs, samplesMs, rounds, roundSpread: Math.max(...medians) / Math.min(...medians) - 1, finishedAt,
    noisy, timing: sampledBy(facts.timing, rounds) };
  return { ...facts, ...timingFields, ...modeOf(facts.mode).timedFields(facts, latencyMs, ceiling) } as ResultLine;
}

/** The case's timing settings, saying what its rounds' samples include and which clock took them (Prepared.timeSamples). */
function sampledBy(timing: TimingSettings, rounds: RoundTiming[]): OkLine['timing'] {
  const graph = rounds.find((r) => r.cudaGraph !== true && r.cudaGraph !== undefined)?.cudaGraph ?? rounds[0].cudaGraph;
  return { ...timing, downloadInside: rounds.every((r) => r.downloadInside), clock: rounds[0].clock,
    ...(graph !== undefined && { cudaGraph: graph }) };
}

/** One case alone, not interleaved (scripts, tests): its checks, then `rounds` timing rounds, each in workers of its own. */
export async function measureAlone(c: Case, limits: ChildLimits, rounds = c.timing.rounds): Promise<ResultLine> {
  const phase = async <T>(job: (w: Workers) => Promise<T>) => {
    const workers = new Workers(limits);
    try { return await job(workers); } finally { workers.close(); }
  };
  const facts = await phase((w) => checkCase(c, w));
  if (facts.status !== 'ok') return facts;
  const timing: CaseRounds['timing'] = new Map();
  for (let r = 1; r <= rounds; r++) {
    timing.set(r, (await phase((w) => groupRoundOf([c], r, `${c.seed}:${groupOf(c)}`, w.get(), limits)))[0]);
  }
  return completeLine(facts, timing);
}
