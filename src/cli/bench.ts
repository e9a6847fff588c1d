/**
 * `npm run bench`: flags in, a sweep (src/run/sweep.ts), a summary table and the report path out.
 */
import os from 'node:os';
import path from 'node:path';
import { Command, Option } from 'commander';
import { checkEngineSettings, ENGINE_NAMES, type EngineRequest, EngineSelectionError, listEngines, probeNames, requestsOf,
  selectAll, type Selection } from '../engine/resolve.ts';
import type { EngineInfo } from '../engine/types.ts';
import { modeNames } from '../modes/index.ts';
import { builtinSuites, loadSuite, parseSuite, withFileLayer, type Suite } from '../run/suite.ts';
import { parseVariantsFlag, type InlineSpec } from './variants-flag.ts';
import { resolveVariant } from '../run/plan.ts';
import { runSweep } from '../run/sweep.ts';
import { parseShard, type Shard } from '../run/shard.ts';
import { readResults, RESULTS_ROOT } from '../results/store.ts';
import { UserError, messages } from '../messages.ts';
import { createProgress } from './progress.ts';
import { planOutput, unprobedEngines } from './plan.ts';
import { DTYPES, type Dtype } from '../results/dtype.ts';
import { csvList, dtypeList, engineTable, isMain, jsonLines, onePositiveInt, positiveInt, runCli, summaryTable,
  variantList } from './format.ts';

interface BenchFlags {
  suite: string;
  variants?: InlineSpec[];
  seq?: number[];
  dModel?: number[];
  heads?: number[];
  kvHeads?: number[];
  newTokens?: number[];
  batch?: number[];
  causal?: boolean;
  mode?: string[];
  dtype?: Dtype[];
  engine?: string;
  backend?: string[];
  out?: string;
  resume?: boolean;
  shard?: Shard;
  rounds?: number;
  time?: number;
  lanes?: number;
  caseTimeout: number;
  heap: number;
  maxMemory?: number;
  seed?: number;
  engines?: boolean;
  list?: boolean;
  json?: boolean;
  report: boolean;
  ceilings: boolean;
  weights?: string;
  weightsPrefix?: string;
  plan?: boolean;
}

const ENGINE_CHOICES = [...ENGINE_NAMES, 'all'];

const EXAMPLES = `
Examples:
  # LoRA r=16 merged against full at a model's width, 768 with 12 heads, at N = 512 and 2048:
  npm run bench -- --variants full,lora:rank=16:merged=true --d-model 768 --heads 12 --seq 512,2048
  # Exact attention three ways, causal, at long N on onnx: dense, tiled online softmax, the fused kernel:
  npm run bench -- --variants full,flash:kernel=tiled,flash:kernel=fused --causal --seq 2048,4096 --engine onnx
  # Sliding windows of two widths and SVD keeping 90 % of the energy, on onnx only, five rounds:
  npm run bench -- --variants full,sparse-window:window=128,sparse-window:window=512,svd:energy=0.9 --engine onnx --rounds 5
  # Decode steps at context 8k with 8 and 2 KV heads on onnx: time per step, GB/s, fraction of the ideal step:
  npm run bench -- --suite decode --seq 8192 --kv-heads 8,2 --engine onnx
  # The quick suite as JSON lines, for a pipeline or a notebook (progress stays on stderr):
  npm run bench -- --suite quick --json --no-report | jq .medianMs

Environment:
  ATTNBENCH_TFJS_KERNEL  loop|batched: run tfjs/wasm's batched products on that kernel (default: measured, the faster)
  ATTNBENCH_ONNX_SPIN    1|0: onnx's intra-op threads spin always | never (default: decode steps within a run, else never)
  ATTNBENCH_MACHINE      the machine's name in run.json and merged reports (default: the host name)
  ATTNBENCH_PYTHON       the interpreter of the torch engine's worker, with torch installed (default: python3)`;

/** One value of a flag: a positive integer. */
const one = (flag: string, example: string) => (v: string) => onePositiveInt(flag, example, v);

/** What a run sweeps: the suite, and the flags that override it. */
function whatFlags(cmd: Command): Command {
  return cmd
    .option('--suite <name|file>', `a built-in suite (${builtinSuites().join(', ')}: listed below) or a suite .json file`, 'default')
    .option('--variants <list>', 'comma-separated configurations, options inline: name[:key=value…], a list value as a+b '
      + '(e.g. full,lora:rank=16:merged=true; see --list; overrides the suite)', parseVariantsFlag)
    .option('--seq <list>', 'sequence lengths N, e.g. 256,1024 (overrides the suite)', (v) => positiveInt('--seq', v))
    .option('--d-model <list>', 'model widths D, e.g. 512,768, each swept (overrides the suite)', (v) => positiveInt('--d-model', v))
    .option('--heads <list>', 'attention heads H, dividing every D, e.g. 8,12, each swept (overrides the suite)',
      (v) => positiveInt('--heads', v))
    .option('--kv-heads <list>', 'key/value heads (grouped-query attention), dividing every H, e.g. 8,2; 1 is multi-query '
      + '(default: H; overrides the suite)', (v) => positiveInt('--kv-heads', v))
    .option('--new-tokens <list>', 'new tokens s per decode step, e.g. 1,4; s > 1 is chunked prefill or speculative decoding\'s '
      + 'verification (mode decode; default: 1; overrides the suite)', (v) => positiveInt('--new-tokens', v))
    .option('--batch <list>', 'batch sizes B, e.g. 1,4, each swept (overrides the suite)', (v) => positiveInt('--batch', v))
    .option('--causal', 'causal (decoder) attention: query i attends keys j ≤ i; linformer cases are skipped (overrides the suite)')
    .option('--mode <list>', `what each case measures, from the mode registry: ${modeNames().join(', ')} (overrides the suite)`, csvList)
    .option('--dtype <list>', `element type of weights, input and compute: ${DTYPES.join(', ')}; a list sweeps each, e.g. `
      + 'float32,bfloat16 (default: float32; engines without it give skipped lines; overrides the suite)', dtypeList)
    .addOption(new Option('--engine <name>', 'engine to run (default: the suite\'s, else the fastest here)').choices(ENGINE_CHOICES))
    .option('--backend <list>', 'backends of --engine, e.g. wasm,cpu', csvList)
    .option('--seed <n>', 'seed of weights, inputs and case order (overrides the suite)', one('--seed', '1'))
    .option('--weights <path>', 'base weights of one attention layer: a .safetensors or .npz file, or a folder of .npy files '
      + '(PyTorch MultiheadAttention, BERT, GPT-2 or attnbench names; D comes from the file; overrides the suite)')
    .option('--weights-prefix <prefix>', 'the layer to read from --weights, e.g. encoder.layer.3. (default: the only layer in it)');
}

/** How a run measures, where it writes, and what it prints. */
function howFlags(cmd: Command): Command {
  return cmd
    .option('--out <dir>', 'output folder (default: results/<run-id>)')
    .option('--resume', 'continue the run in --out: its completed cases and rounds are kept, the rest run')
    .option('--shard <i/n>', 'run shard i of n of the plan (whole comparison groups, balanced by predicted cost); '
      + 'join the shards with npm run merge', parseShard)
    .option('--rounds <n>', 'timing rounds per case, each round in a worker process of its own, a comparison group\'s cases '
      + 'sampled together in shuffled blocks (overrides the suite)', one('--rounds', '3'))
    .option('--time <ms>', 'sampling budget of one round of a case, ms (overrides the suite)', one('--time', '250'))
    .option('--lanes <n>', 'worker processes that may time a single-threaded engine\'s groups (tfjs/wasm) at once in a '
      + 'round, at most one per CPU core (duet benchmarking; default 1: every group alone; overrides the suite)', one('--lanes', '2'))
    .option('--case-timeout <s>', 'wall-clock limit of a case\'s checks, or of its share of a group\'s round, seconds',
      one('--case-timeout', '300'), 300)
    .option('--heap <mb>', 'JavaScript heap limit of each worker process, MB', one('--heap', '4096'), 4096)
    .option('--max-memory <mb>', 'skip cases whose analytic peak memory exceeds this, MB (default: half the free memory)',
      one('--max-memory', '8192'))
    .option('--json', 'print the final table as JSON lines on stdout (one object per case; progress stays on stderr)')
    .option('--engines', 'list every engine/backend, whether it is available here, and why not; then exit')
    .option('--list', 'list every variant with its options, defaults and an inline example; then exit')
    .option('--plan', 'print the cases the run would measure (params, FLOPs, analytic memory, --max-memory skips) '
      + 'without building weights or starting engines; with --json one JSON object per case; then exit')
    .option('--no-report', 'do not write report.html')
    .option('--no-ceilings', 'do not measure the engines\' matmul ceilings (seconds per engine, before and after the cases): '
      + 'the report draws no roof and checks no case against one; a resumed run keeps those it has');
}

/** `suites`: the built-in suites, one per line with its description (suiteList). */
export function benchCommand(suites = builtinSuites().map((n) => `  ${n}`).join('\n')): Command {
  const cmd = new Command('bench')
    .description('Run an attention benchmark suite and write results/<run-id>/'
      + '{run.json, rounds.jsonl, results.jsonl, findings.json, report.html}.');
  return howFlags(whatFlags(cmd)).addHelpText('after', `\nBuilt-in suites (bench/):\n${suites}\n${EXAMPLES}`).exitOverride()
    .configureOutput({ outputError: () => undefined });
}

const oneOrList = (xs: number[]) => (xs.length === 1 ? xs[0] : xs);

/** `--weights` replaces the suite's weights; `--weights-prefix` alone changes the suite's layer. */
function weightsFlag(suite: Suite, f: BenchFlags): Suite['weights'] {
  if (f.weights) return { init: 'file', file: path.resolve(f.weights), prefix: f.weightsPrefix ?? '' };
  if (f.weightsPrefix === undefined) return suite.weights;
  if (suite.weights.init !== 'file') throw new UserError(messages.prefixNeedsWeights());
  return { ...suite.weights, prefix: f.weightsPrefix };
}

async function applyFlags(suite: Suite, f: BenchFlags): Promise<Suite> {
  const raw: Partial<Suite> = {
    ...suite,
    weights: weightsFlag(suite, f),
    ...(f.variants && { variants: f.variants }),
    ...(f.seq && { seqLen: f.seq }),
    ...(f.dModel && { dModel: oneOrList(f.dModel) }),
    ...(f.heads && { heads: oneOrList(f.heads) }),
    ...(f.kvHeads && { kvHeads: oneOrList(f.kvHeads) }),
    ...(f.newTokens && { newTokens: oneOrList(f.newTokens) }),
    ...(f.batch && { batch: oneOrList(f.batch) }),
    ...(f.causal && { causal: true }),
    ...(f.mode && { modes: f.mode }),
    ...(f.dtype && { dtype: f.dtype.length === 1 ? f.dtype[0] : f.dtype }),
    ...(f.seed !== undefined && { seed: f.seed }),
    timing: { ...suite.timing, ...(f.time !== undefined && { timeMs: f.time }), ...(f.rounds !== undefined && { rounds: f.rounds }),
      ...(f.lanes !== undefined && { lanes: f.lanes }) },
  };
  if (f.weights && !f.dModel) delete raw.dModel; // D comes from the file (src/run/suite.ts)
  if (f.seq || f.dModel || f.heads || f.kvHeads || f.newTokens || f.batch) delete raw.also; // the command line names the shapes
  return parseSuite(withFileLayer(raw), '(after command-line overrides)');
}

/** The built-in suites with their descriptions, one per line, for --help. */
async function suiteList(): Promise<string> {
  const suites = await Promise.all(builtinSuites().map(async (name) => ({ name, suite: await loadSuite(name) })));
  return suites.map(({ name, suite }) => `  ${name.padEnd(11)} ${suite.description}`).join('\n');
}

/** The engines of a run: command-line flags first, then the suite's list, else the fastest here. */
function chooseEngines(all: EngineInfo[], suite: Suite, f: BenchFlags): Selection {
  return worded(() => selectAll(all, engineRequests(suite, f)));
}

/** What the flags (else the suite) ask for: `--engine`/`--backend`, else the suite's `engines`. */
function engineRequests(suite: Suite, f: BenchFlags): EngineRequest[] {
  return f.engine || f.backend ? [{ engine: f.engine, backends: f.backend }] : worded(() => requestsOf(suite.engines));
}

/** The engines of a plan, as chooseEngines would request them, named without probing any. */
function planEngines(suite: Suite, f: BenchFlags) {
  return unprobedEngines(engineRequests(suite, f));
}

/** Engine selection errors are typed; the command line words them. */
export function worded<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof EngineSelectionError)) throw e;
    const p = e.problem;
    throw new UserError(p.kind === 'unknown-engine' ? messages.unknownEngine(p.received, p.valid)
      : p.kind === 'unknown-backend' ? messages.unknownBackend(p.received, p.valid) : messages.noEngineAvailable(p.tried));
  }
}

/** Prints a command's whole answer; its exit code is 0. */
function printed(text: string): number {
  console.log(text);
  return 0;
}

export async function bench(argv: string[]): Promise<number> {
  const wantsHelp = argv.includes('--help') || argv.includes('-h'); // the suites' descriptions take loading every suite
  const f = benchCommand(wantsHelp ? await suiteList() : undefined).parse(argv, { from: 'user' }).opts<BenchFlags>();
  if (f.list) return printed(variantList());
  if (f.engines) return printed(engineTable(await listEngines()));
  if (f.resume && !f.out) throw new UserError(messages.resumeNeedsOut());
  checkEngineSettings(); // e.g. a bad ATTNBENCH_TFJS_KERNEL: one line and exit 2 here, not an error in every case
  const suite = await applyFlags(await loadSuite(f.suite), f); // bad input is found before the engines are probed (seconds)
  suite.variants.forEach(resolveVariant);
  const maxMemoryBytes = f.maxMemory ? f.maxMemory * 2 ** 20 : Math.floor(os.freemem() / 2);
  if (f.plan) return printed(planOutput(suite, planEngines(suite, f), maxMemoryBytes, Boolean(f.json)));
  const all = await listEngines(probeNames(engineRequests(suite, f)));
  const selection = chooseEngines(all, suite, f);
  const progress = createProgress();
  const result = await runSweep({ suite, engines: all, selected: selection.engines, fallbacks: selection.fallbacks, argv,
    out: f.out, resume: Boolean(f.resume), limits: { timeoutMs: f.caseTimeout * 1000, heapMb: f.heap },
    maxMemoryBytes, shard: f.shard, ceilings: f.ceilings }, progress);
  progress.stop();
  const lines = readResults(result.dir);
  console.log(f.json ? jsonLines(lines) : summaryTable(lines));
  if (f.report) {
    const { writeReport } = await import('../report/index.ts'); // vega and vega-lite: loaded only when a report is written
    (f.json ? console.error : console.log)(`report: ${await writeReport(result.dir, RESULTS_ROOT)}`);
  }
  if (result.interrupted) {
    console.error(`interrupted: ${result.lines.length} of ${result.todo} case(s) ran; continue with --out ${result.dir} --resume`);
  }
  return result.interrupted ? 130 : 0;
}

if (isMain(import.meta.url)) runCli(() => bench(process.argv.slice(2)));
