/**
 * A sweep: the planned cases of a suite, checked, then measured in R interleaved rounds (rounds.ts),
 * each phase in workers of its own (pool.ts); rounds go to the journal (rounds.jsonl) as they
 * finish, and a case's line to results.jsonl once its last round is in.
 *
 *   lock the folder ─► (resume: set aside torn last lines, read what is done) ─► run.json
 *   ─► checks of every case ─► matmul ceilings, then round 1 of every comparison group, shuffled,
 *   each group's cases timed together in blocks (measure/group-round.ts) ─► round 2 … ─► the
 *   ceilings again, in the last round's worker ─► run.json (with the load and the phases' times)
 *
 * Ctrl-C stops after the job in flight. The command line (src/cli/bench.ts) parses flags and
 * prints; everything else happens here.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { caseFailed } from '../measure/case.ts';
import { weightsFileFacts } from '../linalg/weights-record.ts';
import { bandwidthSizes, CEILING_TIME_MS, mergeCeilings } from '../measure/ceiling.ts';
import { modeOf } from '../modes/index.ts';
import { UserError, messages } from '../messages.ts';
import { lockRunDir } from '../results/lock.ts';
import { ceilingKey, type PhaseTimes, type RunMeta } from '../results/run-meta.ts';
import { DEFAULT_DTYPE, DTYPES, dtypeOf, type Dtype } from '../results/dtype.ts';
import { appendJsonLine, appendResult, createRunDir, readResults, readRounds, readRunMeta, RESULTS_FILE, RESULTS_ROOT, ROUNDS_FILE,
  setAsideTornTail, TORN_SUFFIX, writeRunMeta } from '../results/store.ts';
import type { Case, CaseFacts, EngineInfo, FailedLine, ResultLine, RoundRecord, RoundTiming } from '../results/types.ts';
import { collectEnvironment, machineName, makeRunId } from './env.ts';
import { startLoadSampler } from './load.ts';
import { addGroupRound, addRoundWall, startPhases, timed } from './phases.ts';
import { inLanes, laneCount, runsInLane } from './lanes.ts';
import { planCases, preflight, unsupported } from './plan.ts';
import { ceilingIn, checkCase, groupRoundOf, WarmWorker, workerPids, Workers, type ChildLimits } from './pool.ts';
import { completeLine, groupOf, hasRound, interleave, journalByCase, linesFromJournal, roundsComplete, type CaseRounds } from './rounds.ts';
import { casesOfShard, planFingerprint, shardText, type Shard } from './shard.ts';
import type { Suite } from './suite.ts';

/** What one job of a sweep gave: a case's facts or why it cannot be measured, or a timing round or why it failed. */
export type JobDone = FailedLine | { facts: CaseFacts } | RoundTiming | { error: string };

/** Lifecycle hooks of a sweep (a terminal bar, plain log lines, nothing in tests). */
export interface SweepListener {
  start(c: Case, round: number, index: number, total: number): void;
  done(c: Case, round: number, result: JobDone): void;
  /** A message that must stay visible (fallbacks, warnings). */
  note(text: string): void;
}

export interface SweepSettings {
  suite: Suite;
  /** Every engine probed, and the ones this run measures with the fallbacks taken to choose them. */
  engines: EngineInfo[];
  selected: EngineInfo[];
  fallbacks: string[];
  argv: string[];
  /** The run folder; absent = results/<run-id>. */
  out?: string;
  /** Continue the run in `out`: cases already in its results.jsonl are skipped. */
  resume: boolean;
  limits: ChildLimits;
  maxMemoryBytes: number;
  /** Run this part of the plan only (`--shard i/n`, shard.ts); absent = the whole plan. */
  shard?: Shard;
  /**
   * Measure the engines' matmul ceilings before and after the cases (absent = true); false (`--no-ceilings`): none is
   * measured, so the report draws no roof and checks no case against one, and a resumed run keeps those it has.
   */
  ceilings?: boolean;
}

export interface SweepResult {
  dir: string;
  /** The cases this sweep set out to run (those not already done), and the lines it wrote. */
  todo: number;
  lines: ResultLine[];
  interrupted: boolean;
}

/** The run folder, its metadata before this sweep (when resuming), and the case ids already measured. */
function openRun(s: SweepSettings, listener: SweepListener) {
  const previous = s.resume && s.out ? readRunMeta(s.out) : undefined;
  if (previous && JSON.stringify(previous.suite) !== JSON.stringify(s.suite)) throw new UserError(messages.resumeMismatch(s.out!));
  if (previous && JSON.stringify(previous.shard) !== JSON.stringify(s.shard)) {
    const what = (x?: Shard) => (x ? `shard ${shardText(x)}` : 'a whole run');
    throw new UserError(messages.resumeShardMismatch(s.out!, what(previous.shard), what(s.shard)));
  }
  const runId = previous?.runId ?? makeRunId(s.suite.name);
  const dir = s.out ?? path.join(RESULTS_ROOT, runId);
  createRunDir(dir);
  const release = lockRunDir(dir);
  for (const name of s.resume ? [RESULTS_FILE, ROUNDS_FILE] : []) {
    const file = path.join(dir, name), torn = setAsideTornTail(file);
    if (torn !== undefined) listener.note(messages.tornLineMoved(file, torn, `${file}${TORN_SUFFIX}`));
  }
  const done = new Set(previous ? readResults(dir).map((l) => l.caseId) : []);
  const journal = journalByCase(previous ? readRounds(dir) : []);
  return { previous, runId, dir, done, journal, release };
}

/**
 * Each engine's matmul ceiling, one engine after another in `worker`: a timing round's worker (the
 * first round's before its groups, the last round's after them: the roof is timed in the same kind
 * of process as the cases, and costs no process of its own), or, when the sweep ran no timing
 * round, one of its own. With it, its bandwidth ceiling at the working-set sizes of its cases
 * (Mode.workingSetBytes: decode steps). Merged into `earlier` (the same run's first measurement, or
 * a resumed run's), each shape's and size's best kept (ceiling.ts).
 */
async function measureCeilings(s: SweepSettings, used: EngineDtype[], todo: ReadonlyArray<{ c: Case }>, listener: SweepListener,
  earlier: RunMeta['ceilings'] = {}, worker?: WarmWorker): Promise<RunMeta['ceilings']> {
  const ceilings: NonNullable<RunMeta['ceilings']> = { ...earlier };
  if (used.length === 0) return ceilings;
  const own = worker ? undefined : new WarmWorker(s.limits);
  try {
    for (const { engine: e, dtype } of used) {
      // The bandwidth roof (decode cases' working sets) is a float32 streaming read: measured once per engine, with its float32 key.
      const sets = dtype !== DEFAULT_DTYPE ? [] : todo.map(({ c }) => c).filter((c) => c.engine.id === e.id && !unsupported(c))
        .flatMap((c) => modeOf(c.mode).workingSetBytes?.(c) ?? []);
      const c = await ceilingIn((worker ?? own)!, e, Math.min(CEILING_TIME_MS, s.suite.timing.timeMs), dtype, bandwidthSizes(sets));
      const key = ceilingKey(e.id, dtype);
      if ('error' in c) listener.note(`matmul ceiling of ${key} not measured: ${c.error}`);
      else ceilings[key] = ceilings[key] ? mergeCeilings(ceilings[key], c) : c;
    }
  } finally {
    own?.close();
  }
  return ceilings;
}

/** An engine and a dtype its cases compute in. */
interface EngineDtype {
  engine: EngineInfo;
  dtype: Dtype;
}

/** The engines and dtypes of the cases to run, in engine order, each dtype the engine declares (the others are skipped lines). */
function ceilingsUsed(selected: EngineInfo[], cases: Case[]): EngineDtype[] {
  return selected.flatMap((engine) => DTYPES.filter((dtype) => (engine.capabilities?.dtypes ?? [DEFAULT_DTYPE]).includes(dtype)
    && cases.some((c) => c.engine.id === engine.id && dtypeOf(c.shape) === dtype)).map((dtype) => ({ engine, dtype })));
}

/** A case's checks (round 0) in the checks' workers; journals its facts, or writes the line saying why it cannot be measured. */
async function checkJob(s: SweepSettings, dir: string, c: Case, workers: Workers, journal: Map<string, CaseRounds>): Promise<JobDone> {
  const skip = unsupported(c) ?? preflight(c, s.maxMemoryBytes);
  const facts = skip ? caseFailed(c, 'skipped', skip) : await checkCase(c, workers);
  if (facts.status !== 'ok') {
    appendResult(dir, facts); // a case that cannot be measured has no timing rounds
    return facts;
  }
  appendJsonLine(dir, ROUNDS_FILE, { caseId: c.caseId, round: 0, facts } satisfies RoundRecord);
  entryOf(journal, c).facts = facts;
  return { facts };
}

/** Round `round` of the cases of one comparison group, timed together in the round's worker; journals each case's round. */
async function groupRoundJob(s: SweepSettings, dir: string, cases: Case[], round: number, workers: Workers,
  journal: Map<string, CaseRounds>, phases: PhaseTimes): Promise<JobDone[]> {
  const begin = performance.now();
  const results = await groupRoundOf(cases, round, `${s.suite.seed}:${groupOf(cases[0])}`, workers.get(), s.limits);
  addGroupRound(phases, round, performance.now() - begin, results);
  cases.forEach((c, i) => {
    const t = results[i];
    const record: RoundRecord = { caseId: c.caseId, round, ...('error' in t ? { error: t.error } : { timing: t }) };
    appendJsonLine(dir, ROUNDS_FILE, record);
    entryOf(journal, c).timing.set(round, t);
  });
  return results;
}

function entryOf(journal: Map<string, CaseRounds>, c: Case): CaseRounds {
  const entry: CaseRounds = journal.get(c.caseId) ?? { timing: new Map() };
  journal.set(c.caseId, entry);
  return entry;
}

/** The todo list cut into jobs: each case's checks alone; each timing round of a comparison group's cases together. */
export function jobsOf(todo: ReadonlyArray<{ c: Case; round: number }>): Array<{ cases: Case[]; round: number }> {
  const jobs: Array<{ cases: Case[]; round: number }> = [];
  for (const { c, round } of todo) {
    const last = jobs.at(-1);
    if (round > 0 && last?.round === round && groupOf(last.cases[0]) === groupOf(c)) last.cases.push(c);
    else jobs.push({ cases: [c], round });
  }
  return jobs;
}

/** Writes the case's line once every timing round is in the journal. */
function completeIfDone(dir: string, c: Case, rounds: number, journal: Map<string, CaseRounds>, done: Set<string>,
  ceilings: RunMeta['ceilings']): void {
  const entry = journal.get(c.caseId);
  if (!entry?.facts || done.has(c.caseId) || !roundsComplete(entry, rounds)) return;
  appendResult(dir, completeLine(entry.facts, entry.timing, ceilings?.[c.engine.id]));
  done.add(c.caseId);
}

/** run.json at the start of a sweep (the ceilings, the load and the end come later). */
function runMetaOf(s: SweepSettings, runId: string, previous: RunMeta | undefined, cases: number, plan: Case[]): RunMeta {
  return { schema: 1, runId, suite: s.suite, argv: s.argv, startedAt: previous?.startedAt ?? new Date().toISOString(),
    environment: collectEnvironment(), engines: s.engines, selected: s.selected.map((e) => e.id), fallbacks: s.fallbacks,
    cases, maxMemoryBytes: s.maxMemoryBytes, machine: machineName(),
    plan: { fingerprint: planFingerprint(s.suite, s.selected, plan), cases: plan.length }, ...(s.shard && { shard: s.shard }),
    ...weightsFileOf(s.suite, previous) };
}

/**
 * The lines of planned cases whose every round is in the journal but not in results.jsonl (a kill
 * between the last round's record and the results append, or a torn line set aside): written from
 * the journal, their rounds never measured again.
 */
function writeJournaledLines(dir: string, cases: Case[], rounds: number, journal: Map<string, CaseRounds>, done: Set<string>,
  listener: SweepListener, ceilings: RunMeta['ceilings']): void {
  const planned = new Set(cases.map((c) => c.caseId));
  for (const line of linesFromJournal(journal, rounds, done, ceilings).filter((l) => planned.has(l.caseId))) {
    appendResult(dir, line);
    done.add(line.caseId);
    listener.note(messages.lineFromJournal(line.caseId));
  }
}

/** run.json's record of a weights file; a resumed run must read the same file it started with. */
function weightsFileOf(suite: Suite, previous: RunMeta | undefined): Pick<RunMeta, 'weightsFile'> {
  if (suite.weights.init !== 'file') return {};
  const facts = weightsFileFacts(suite.weights.file, suite.weights.prefix);
  if (previous?.weightsFile && previous.weightsFile.sha256 !== facts.sha256) {
    throw new UserError(messages.resumeWeightsChanged(suite.weights.file, previous.weightsFile.sha256, facts.sha256));
  }
  return { weightsFile: facts };
}

/**
 * The run's matmul ceilings, measured on demand: of the engines this sweep's jobs run on (a shard of one engine's groups:
 * that engine's; an empty shard, a resumed run with nothing left to measure, or --no-ceilings: none), merged into
 * those the run measured before. Each call measures them again (in `worker` when given) and keeps the best.
 */
function roofMeasurer(s: SweepSettings, todo: { c: Case }[], meta: RunMeta, dir: string, phases: PhaseTimes,
  listener: SweepListener, previous?: RunMeta) {
  const used = s.ceilings === false ? [] : ceilingsUsed(s.selected, todo.map(({ c }) => c));
  meta.ceilings = previous?.ceilings ?? {};
  return async (worker?: WarmWorker) => {
    meta.ceilings = await timed(phases, 'ceilings', () => measureCeilings(s, used, todo, listener, meta.ceilings, worker));
    writeRunMeta(dir, meta);
  };
}

function announce(s: SweepSettings, cases: number, planned: number, left: number, rounds: number, jobs: number,
  donePrior: number, meta: RunMeta, dir: string, listener: SweepListener): void {
  const part = s.shard ? ` shard ${shardText(s.shard)} (${cases} of ${planned} case(s))` : '';
  listener.note(`attnbench: suite '${s.suite.name}'${part}, ${left} case(s) × ${rounds} round(s), ${jobs} job(s)`
    + `${donePrior ? ` (${donePrior} case(s) already done)` : ''} on ${meta.selected.join(', ')} → ${dir}`);
}

/** What the jobs of a sweep's rounds share: its settings, folder, journal, phases and progress. */
interface RoundContext {
  s: SweepSettings;
  dir: string;
  journal: Map<string, CaseRounds>;
  done: Set<string>;
  phases: PhaseTimes;
  listener: SweepListener;
  meta: RunMeta;
  rounds: number;
  /** Jobs in the todo list, and the cases whose job has started (the progress index). */
  total: number;
  started: number;
}

/** The jobs by round, in the order they run (jobsOf keeps the todo list's order: round 0, then 1, …). */
function byRound(jobs: Array<{ cases: Case[]; round: number }>): Map<number, Case[][]> {
  const rounds = new Map<number, Case[][]>();
  for (const j of jobs) rounds.set(j.round, [...(rounds.get(j.round) ?? []), j.cases]);
  return rounds;
}

/** One job: a case's checks (round 0) or a group's round, in `workers`; its lines written once complete. */
async function runJob(ctx: RoundContext, planned: Case[], round: number, workers: Workers): Promise<void> {
  const { s, dir, journal, done, phases, listener } = ctx;
  // A case that could not be measured has no rounds; its line is written.
  const cases = planned.filter((c) => !done.has(c.caseId) && (round === 0 || journal.get(c.caseId)?.facts));
  const i = ctx.started + planned.length - cases.length;
  ctx.started += planned.length;
  if (cases.length === 0) return;
  listener.start(cases[0], round, i, ctx.total);
  const results = round === 0 ? [await timed(phases, 'checks', () => checkJob(s, dir, cases[0], workers, journal))]
    : await groupRoundJob(s, dir, cases, round, workers, journal, phases);
  cases.forEach((c, k) => {
    if (k > 0) listener.start(c, round, i + k, ctx.total);
    listener.done(c, round, results[k]);
    completeIfDone(dir, c, ctx.rounds, journal, done, ctx.meta.ceilings);
  });
}

/**
 * One phase of the sweep: every case's checks, or one timing round. A timing round runs the groups of
 * engines that use every core one at a time in `workers`, then those of single-threaded engines
 * (lanes.ts, Capabilities.singleThreaded) in up to `timing.lanes` workers at once, `workers` the first
 * of them; with one lane, every group in the round's order. Its wall time and the wall time in which
 * some group was sampling are recorded (phases.ts).
 */
async function runRound(ctx: RoundContext, round: number, jobs: Case[][], workers: Workers, stop: () => boolean): Promise<void> {
  const lanes = round === 0 ? 1 : laneCount(ctx.s.suite.timing.lanes);
  const begin = performance.now();
  const alone = lanes === 1 ? jobs : jobs.filter((cases) => !runsInLane(cases[0]));
  for (const cases of alone) {
    if (stop()) return;
    await runJob(ctx, cases, round, workers);
  }
  const paired = lanes === 1 ? [] : jobs.filter((cases) => runsInLane(cases[0]));
  const own = [workers, ...Array.from({ length: lanes - 1 }, () => new Workers(ctx.s.limits))];
  try {
    await inLanes(paired, lanes, (cases, lane) => runJob(ctx, cases, round, own[lane]), stop);
  } finally {
    for (const w of own.slice(1)) w.close();
  }
  if (round === 0) return;
  const spans = jobs.flat().flatMap((c) => {
    const t = ctx.journal.get(c.caseId)?.timing.get(round);
    return t && !('error' in t) && t.startedAt && t.endedAt ? [[Date.parse(t.startedAt), Date.parse(t.endedAt)] as const] : [];
  });
  addRoundWall(ctx.phases, round, performance.now() - begin, spans, paired.length > 1 ? lanes : 1);
}

export async function runSweep(settings: SweepSettings, listener: SweepListener): Promise<SweepResult> {
  // Every worker runs with the flags the run's engines ask for (tfjs/wasm: no wasm tier-up), checks and ceilings too.
  const nodeFlags = [...new Set(settings.selected.flatMap((e) => e.capabilities?.processFlags ?? []))];
  const s: SweepSettings = { ...settings, limits: { ...settings.limits, nodeFlags } };
  const { previous, runId, dir, done, journal, release } = openRun(s, listener);
  const plan = planCases(s.suite, s.selected, runId), rounds = s.suite.timing.rounds;
  const cases = s.shard ? casesOfShard(plan, s.shard) : plan;
  const donePrior = new Set(done);
  const todo = interleave(cases, s.suite.seed, rounds)
    .filter(({ c, round }) => !done.has(c.caseId) && !hasRound(journal.get(c.caseId), round));
  const meta = runMetaOf(s, runId, previous, cases.length, plan);
  writeRunMeta(dir, meta);
  appendFileSync(path.join(dir, RESULTS_FILE), ''); // a run (an empty shard too) always has its results file
  writeJournaledLines(dir, cases, rounds, journal, done, listener, previous?.ceilings);
  for (const fb of s.fallbacks) listener.note(`fallback: ${fb}`);
  const load = startLoadSampler(workerPids), phases = (meta.phases = startPhases(previous?.phases));
  const measureRoof = roofMeasurer(s, todo, meta, dir, phases, listener, previous);
  let roofTaken = false; // the first measurement: in the first timing round's worker, before its groups
  announce(s, cases.length, plan.length, cases.length - donePrior.size, rounds, todo.length, donePrior.size, meta, dir, listener);

  let interrupted = false, workers: Workers | undefined, lastRound = -1;
  const onSigint = () => { interrupted = true; };
  process.once('SIGINT', onSigint);
  const ctx: RoundContext = { s, dir, journal, done, phases, listener, meta, rounds, total: todo.length, started: 0 };
  try {
    for (const [round, jobs] of byRound(jobsOf(todo))) {
      if (interrupted) break;
      workers?.close(); // each round in workers of its own (rounds.ts)
      workers = new Workers(s.limits);
      lastRound = round;
      if (round > 0 && !roofTaken) {
        roofTaken = true;
        await measureRoof(workers.get());
      }
      await runRound(ctx, round, jobs, workers, () => interrupted);
    }
    // A second look at the roof after the cases (in the last round's worker): one busy moment must not set it for the whole run.
    if (!interrupted) await measureRoof(lastRound > 0 ? workers?.get() : undefined);
  } finally {
    workers?.close();
    process.removeListener('SIGINT', onSigint);
    meta.load = [...(previous?.load ?? []), ...load.stop()];
    meta.environment.loadAverage.end = collectEnvironment().loadAverage.start;
    writeRunMeta(dir, { ...meta, finishedAt: new Date().toISOString(), interrupted: interrupted || undefined });
    release(); // the folder is free for the next writer as soon as this sweep is done, not when the process exits
  }
  const lines = readResults(dir).filter((l) => !donePrior.has(l.caseId));
  return { dir, todo: cases.length - donePrior.size, lines, interrupted };
}
