/**
 * `npm run bench`: suite → planner → one child process per case → results.jsonl → report.html.
 */
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { EngineSelectionError, listEngines, selectEngines, type EngineRequest } from '../engine/resolve.ts';
import type { EngineInfo } from '../engine/types.ts';
import { planCases } from '../run/plan.ts';
import { ceilingInChild, preflight, runInChild, type ChildLimits } from '../run/pool.ts';
import { loadSuite, parseSuite, type Suite } from '../run/suite.ts';
import { collectEnvironment, makeRunId, type RunMeta } from '../run/env.ts';
import { appendResult, createRunDir, readResults, readRunMeta, RESULTS_ROOT, writeRunMeta } from '../run/store.ts';
import type { ResultLine } from '../run/result.ts';
import { writeReport } from '../report/index.ts';
import { UserError, messages } from './messages.ts';
import { createProgress } from './progress.ts';
import { csvList, engineTable, isMain, positiveInt, runCli, summaryTable, variantList } from './format.ts';


interface BenchFlags {
  suite: string;
  variants?: string[];
  seq?: number[];
  engine?: EngineRequest['engine'];
  backend?: string[];
  out?: string;
  resume?: boolean;
  time?: number;
  caseTimeout: number;
  heap: number;
  maxMemory?: number;
  seed?: number;
  engines?: boolean;
  list?: boolean;
  report: boolean;
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('Run an attention benchmark suite and write results/<run-id>/{run.json, results.jsonl, report.html}.')
    .option('--suite <name|file>', 'built-in suite (default, quick) or a suite .json file', 'default')
    .option('--variants <list>', 'comma-separated variants to run, with default options (overrides the suite)', csvList)
    .option('--seq <list>', 'comma-separated sequence lengths, e.g. 256,1024 (overrides the suite)', (v) => positiveInt('--seq', v))
    .addOption(new Option('--engine <name>', 'engine to run (default: the suite\'s, else the fastest here)').choices(['tfjs', 'onnx', 'all']))
    .option('--backend <list>', 'backends of --engine, e.g. wasm,cpu', csvList)
    .option('--out <dir>', 'output folder (default: results/<run-id>)')
    .option('--resume', 'continue the run in --out: cases already in its results.jsonl are skipped')
    .option('--time <ms>', 'sampling budget per case in ms (overrides the suite)', (v) => positiveInt('--time', v)[0])
    .option('--case-timeout <s>', 'wall-clock limit per case process, seconds', (v) => positiveInt('--case-timeout', v)[0], 300)
    .option('--heap <mb>', 'JavaScript heap limit per case process, MB', (v) => positiveInt('--heap', v)[0], 4096)
    .option('--max-memory <mb>', 'skip cases whose analytic peak memory exceeds this, MB (default: half the free memory)',
      (v) => positiveInt('--max-memory', v)[0])
    .option('--seed <n>', 'seed of weights, inputs and case order (overrides the suite)', (v) => positiveInt('--seed', v)[0])
    .option('--engines', 'list every engine/backend, whether it is available here, and why not; then exit')
    .option('--list', 'list every variant with its options and defaults; then exit')
    .option('--no-report', 'do not write report.html')
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
}

async function applyFlags(suite: Suite, f: BenchFlags): Promise<Suite> {
  return parseSuite({
    ...suite,
    ...(f.variants && { variants: f.variants }),
    ...(f.seq && { seqLen: f.seq }),
    ...(f.seed !== undefined && { seed: f.seed }),
    ...(f.time !== undefined && { timing: { ...suite.timing, timeMs: f.time } }),
  }, '(after command-line overrides)');
}

/** The engines of a run: command-line flags first, then the suite's list, else the fastest here. */
function chooseEngines(all: EngineInfo[], suite: Suite, f: BenchFlags) {
  if (f.engine || f.backend) return selectEngines(all, { engine: f.engine, backends: f.backend });
  if (!suite.engines) return selectEngines(all, {});
  const engines: EngineInfo[] = [], fallbacks: string[] = [];
  for (const spec of suite.engines) {
    const [engine, backend] = spec.split('/');
    if (!['tfjs', 'onnx', 'all'].includes(engine)) throw new UserError(messages.unknownEngine(spec, ['tfjs', 'onnx', 'all', ...all.map((i) => i.id)]));
    const sel = selectEngines(all, { engine: engine as EngineRequest['engine'], backends: backend ? [backend] : undefined });
    for (const e of sel.engines) if (!engines.includes(e)) engines.push(e);
    fallbacks.push(...sel.fallbacks.filter((x) => !fallbacks.includes(x)));
  }
  return { engines, fallbacks };
}

async function measureCeilings(engines: EngineInfo[], limits: ChildLimits): Promise<RunMeta['ceilings']> {
  const ceilings: NonNullable<RunMeta['ceilings']> = {};
  for (const e of engines) {
    const c = await ceilingInChild(e, limits);
    if ('error' in c) console.error(`matmul ceiling of ${e.id} not measured: ${c.error}`);
    else ceilings[e.id] = c;
  }
  return ceilings;
}

export async function bench(argv: string[]): Promise<number> {
  const f = benchCommand().parse(argv, { from: 'user' }).opts<BenchFlags>();
  if (f.list) return (console.log(variantList()), 0);
  const all = await listEngines();
  if (f.engines) return (console.log(engineTable(all)), 0);
  if (f.resume && !f.out) throw new UserError(messages.resumeNeedsOut());

  const suite = await applyFlags(await loadSuite(f.suite), f);
  let selection;
  try {
    selection = chooseEngines(all, suite, f);
  } catch (e) {
    if (e instanceof EngineSelectionError) throw new UserError(e.message);
    throw e;
  }
  const previous = f.resume ? readRunMeta(f.out!) : undefined;
  if (previous && JSON.stringify(previous.suite) !== JSON.stringify(suite)) throw new UserError(messages.resumeMismatch(f.out!));
  const runId = previous?.runId ?? makeRunId(suite.name);
  const dir = f.out ?? path.join(RESULTS_ROOT, runId);
  const cases = planCases(suite, selection.engines, runId);
  const done = new Set(previous ? readResults(dir).map((l) => l.caseId) : []);
  const todo = cases.filter((c) => !done.has(c.caseId));

  createRunDir(dir);
  const maxMemoryBytes = f.maxMemory ? f.maxMemory * 2 ** 20 : Math.floor(os.freemem() / 2);
  const limits = { timeoutMs: f.caseTimeout * 1000, heapMb: f.heap };
  const meta: RunMeta = { schema: 1, runId, suite, argv, startedAt: previous?.startedAt ?? new Date().toISOString(),
    environment: collectEnvironment(), engines: all, selected: selection.engines.map((e) => e.id),
    fallbacks: selection.fallbacks, cases: cases.length, maxMemoryBytes };
  writeRunMeta(dir, meta);

  for (const fb of selection.fallbacks) console.error(`fallback: ${fb}`);
  meta.ceilings = previous?.ceilings ?? await measureCeilings(selection.engines, limits);
  writeRunMeta(dir, meta);
  console.error(`attnbench: suite '${suite.name}', ${todo.length} case(s)${done.size ? ` (${done.size} already done)` : ''} on ${meta.selected.join(', ')} → ${dir}`);
  let interrupted = false;
  const onSigint = () => { interrupted = true; };
  process.once('SIGINT', onSigint);
  const progress = createProgress(todo.length);
  const lines: ResultLine[] = [];
  for (const [i, c] of todo.entries()) {
    if (interrupted) break;
    progress.start(c, i);
    const line = preflight(c, maxMemoryBytes) ?? await runInChild(c, limits);
    appendResult(dir, line);
    lines.push(line);
    progress.done(line);
  }
  progress.stop();
  process.removeListener('SIGINT', onSigint);

  meta.environment.loadAverage.end = collectEnvironment().loadAverage.start;
  writeRunMeta(dir, { ...meta, finishedAt: new Date().toISOString(), interrupted: interrupted || undefined });
  console.log(summaryTable(readResults(dir)));
  if (f.report) console.log(`report: ${await writeReport(dir, RESULTS_ROOT)}`);
  if (interrupted) console.error(`interrupted: ${lines.length} of ${todo.length} case(s) ran; continue with --out ${dir} --resume`);
  return interrupted ? 130 : 0;
}

if (isMain(import.meta.url)) runCli(() => bench(process.argv.slice(2)));
