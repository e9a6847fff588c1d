/**
 * The library entry: `import { runSuite, VARIANTS } from 'attnbench'`. runSuite does what
 * `npm run bench` does for a suite object (validated as a suite file is), without the terminal.
 */
import os from 'node:os';
import { listEngines, probeNames, requestsOf, selectAll } from './engine/resolve.ts';
import { readResults } from './results/store.ts';
import type { ResultLine } from './results/types.ts';
import { parseSuite, withFileLayer, type SuiteInput } from './run/suite.ts';
import { runSweep, type SweepListener } from './run/sweep.ts';
import { parseShard } from './run/shard.ts';
import { writeReport } from './report/index.ts';

export { VARIANTS, VARIANT_NAMES, getVariant } from './variants/index.ts';
export { ENGINE_NAMES } from './engine/resolve.ts';
export type { Case, OkLine, ResultLine, Shape } from './results/types.ts';
export type { SuiteInput } from './run/suite.ts';

export interface RunSuiteOptions {
  /** The run folder (default results/<run-id>). */
  out?: string;
  /** Write report.html beside the results (default true). */
  report?: boolean;
  /** Measure the engines' matmul ceilings before and after the cases (default true; false as `--no-ceilings`). */
  ceilings?: boolean;
  /** Lifecycle hooks (default: silent). */
  listener?: Partial<SweepListener>;
  /** Run shard `index` of `count` of the plan (1-based), as `--shard i/n` (src/run/shard.ts); default the whole plan. */
  shard?: { index: number; count: number };
}

/** Runs a suite on its engines (else the fastest here); resolves with the run folder and every line in it. */
export async function runSuite(input: SuiteInput, opts: RunSuiteOptions = {}): Promise<{ dir: string; lines: ResultLine[] }> {
  const suite = parseSuite(withFileLayer(input), '(runSuite)');
  const requests = requestsOf(suite.engines), all = await listEngines(probeNames(requests));
  const selection = selectAll(all, requests);
  const listener: SweepListener = { start: () => undefined, done: () => undefined, note: () => undefined, ...opts.listener };
  const result = await runSweep({ suite, engines: all, selected: selection.engines,
    fallbacks: selection.fallbacks, argv: [], out: opts.out, resume: false,
    limits: { timeoutMs: 300_000, heapMb: 4096 }, maxMemoryBytes: Math.floor(os.freemem() / 2),
    shard: opts.shard && parseShard(`${opts.shard.index}/${opts.shard.count}`), ceilings: opts.ceilings }, listener);
  if (opts.report ?? true) await writeReport(result.dir);
  return { dir: result.dir, lines: readResults(result.dir) };
}
