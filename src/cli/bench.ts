/**
 * `npm run bench`: flags in, a sweep (src/run/sweep.ts), a summary table and the report path out.
 */
import os from 'node:os';
import { Command, Option } from 'commander';
import { ENGINE_NAMES, EngineSelectionError, listEngines, selectEngines, type EngineRequest, type Selection } from '../engine/resolve.ts';
import type { EngineInfo } from '../engine/types.ts';
import { builtinSuites, loadSuite, parseSuite, type Suite } from '../run/suite.ts';
import { resolveVariant } from '../run/plan.ts';
import { runSweep } from '../run/sweep.ts';
import { readResults, RESULTS_ROOT } from '../results/store.ts';
import { writeReport } from '../report/index.ts';
import { UserError, messages } from '../messages.ts';
import { createProgress } from './progress.ts';
import { csvList, engineTable, isMain, positiveInt, runCli, summaryTable, variantList } from './format.ts';

interface BenchFlags {
  suite: string;
  variants?: string[];
  seq?: number[];
  engine?: string;
  backend?: string[];
  out?: string;
  resume?: boolean;
  time?: number;
  rounds?: number;
  caseTimeout: number;
  heap: number;
  maxMemory?: number;
  seed?: number;
  engines?: boolean;
  list?: boolean;
  report: boolean;
}

const ENGINE_CHOICES = [...ENGINE_NAMES, 'all'];

export function benchCommand(): Command {
  return new Command('bench')
    .description('Run an attention benchmark suite and write results/<run-id>/'
      + '{run.json, rounds.jsonl, results.jsonl, findings.json, report.html}.')
    .option('--suite <name|file>', `built-in suite (${builtinSuites().join(', ')}) or a suite .json file`, 'default')
    .option('--variants <list>', 'comma-separated variants to run, with default options (overrides the suite)', csvList)
    .option('--seq <list>', 'comma-separated sequence lengths, e.g. 256,1024 (overrides the suite)', (v) => positiveInt('--seq', v))
    .addOption(new Option('--engine <name>', 'engine to run (default: the suite\'s, else the fastest here)').choices(ENGINE_CHOICES))
    .option('--backend <list>', 'backends of --engine, e.g. wasm,cpu', csvList)
    .option('--out <dir>', 'output folder (default: results/<run-id>)')
    .option('--resume', 'continue the run in --out: its completed cases and rounds are kept, the rest run')
    .option('--rounds <n>', 'timing rounds per case, interleaved across cases, each round in a worker process of its own '
      + '(overrides the suite)', (v) => positiveInt('--rounds', v)[0])
    .option('--time <ms>', 'sampling budget of one round of a case, ms (overrides the suite)', (v) => positiveInt('--time', v)[0])
    .option('--case-timeout <s>', 'wall-clock limit of one job (a case\'s checks, or one round of it), seconds',
      (v) => positiveInt('--case-timeout', v)[0], 300)
    .option('--heap <mb>', 'JavaScript heap limit of each worker process, MB', (v) => positiveInt('--heap', v)[0], 4096)
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
    timing: { ...suite.timing, ...(f.time !== undefined && { timeMs: f.time }), ...(f.rounds !== undefined && { rounds: f.rounds }) },
  }, '(after command-line overrides)');
}

/** The engines of a run: command-line flags first, then the suite's list, else the fastest here. */
function chooseEngines(all: EngineInfo[], suite: Suite, f: BenchFlags): Selection {
  const requests: EngineRequest[] = f.engine || f.backend ? [{ engine: f.engine, backends: f.backend }]
    : (suite.engines ?? [undefined]).map((spec) => {
      if (spec === undefined) return {};
      const [engine, backend] = spec.split('/');
      if (!ENGINE_CHOICES.includes(engine)) throw new UserError(messages.unknownEngine(spec, [...ENGINE_CHOICES, ...all.map((i) => i.id)]));
      return { engine, backends: backend ? [backend] : undefined };
    });
  const engines: EngineInfo[] = [], fallbacks: string[] = [];
  for (const req of requests) {
    const sel = worded(() => selectEngines(all, req));
    for (const e of sel.engines) if (!engines.includes(e)) engines.push(e);
    fallbacks.push(...sel.fallbacks.filter((x) => !fallbacks.includes(x)));
  }
  return { engines, fallbacks };
}

/** Engine selection errors are typed; the command line words them. */
function worded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof EngineSelectionError)) throw e;
    const p = e.problem;
    throw new UserError(p.kind === 'unknown-backend' ? messages.unknownBackend(p.received, p.valid) : messages.noEngineAvailable(p.tried));
  }
}

export async function bench(argv: string[]): Promise<number> {
  const f = benchCommand().parse(argv, { from: 'user' }).opts<BenchFlags>();
  if (f.list) return (console.log(variantList()), 0);
  if (f.engines) return (console.log(engineTable(await listEngines())), 0);
  if (f.resume && !f.out) throw new UserError(messages.resumeNeedsOut());
  const suite = await applyFlags(await loadSuite(f.suite), f); // bad input is found before the engines are probed (seconds)
  suite.variants.forEach(resolveVariant);
  const all = await listEngines();
  const selection = chooseEngines(all, suite, f);
  const progress = createProgress();
  const result = await runSweep({ suite, engines: all, selected: selection.engines, fallbacks: selection.fallbacks, argv,
    out: f.out, resume: Boolean(f.resume), limits: { timeoutMs: f.caseTimeout * 1000, heapMb: f.heap },
    maxMemoryBytes: f.maxMemory ? f.maxMemory * 2 ** 20 : Math.floor(os.freemem() / 2) }, progress);
  progress.stop();
  console.log(summaryTable(readResults(result.dir)));
  if (f.report) console.log(`report: ${await writeReport(result.dir, RESULTS_ROOT)}`);
  if (result.interrupted) {
    console.error(`interrupted: ${result.lines.length} of ${result.todo} case(s) ran; continue with --out ${result.dir} --resume`);
  }
  return result.interrupted ? 130 : 0;
}

if (isMain(import.meta.url)) runCli(() => bench(process.argv.slice(2)));
