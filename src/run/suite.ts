/**
 * Suites: plain data saying what to sweep. Built-in suites live in bench/<name>.ts (default export);
 * any JSON file of the same shape works with `--suite path/to/suite.json`.
 */
import { besideBundle, BUNDLED } from './bundled.ts';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UserError, messages } from '../messages.ts';
import { DEFAULT_MODE, modeNames } from '../modes/index.ts';
import { SuiteFields, WeightsInitSchema, type VariantSpec } from '../results/schema.ts';
import { inspectWeightsFile, layoutKvHeads } from '../linalg/weights-file.ts';

/** A suite value that may be one number or a list of them, as a list. */
export const listOf = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v]);

export const SuiteSchema = z.object({
  ...SuiteFields,
  /** The registry's modes only (src/modes); absent = the default mode. */
  modes: z.array(z.string().refine((m) => modeNames().includes(m),
    { error: (i) => `unknown mode '${String(i.input)}'; known: ${modeNames().join(', ')}` })).min(1).default([DEFAULT_MODE]),
}).strict().superRefine((suite, ctx) => {
  for (const s of [suite, ...(suite.also ?? []).map((g) => ({ ...suite, ...g }))]) checkGrid(s, ctx);
});

/** Heads divide every width, and kvHeads every heads, in one grid of a suite. */
function checkGrid(s: { dModel: number | number[]; heads: number | number[]; kvHeads?: number | number[] },
  ctx: z.RefinementCtx): void {
  for (const d of listOf(s.dModel)) {
    for (const h of listOf(s.heads)) {
      if (d % h === 0) continue;
      ctx.addIssue({ code: 'custom', path: ['heads'], message: `dModel must be a multiple of heads (dModel ${d}, heads ${h})` });
    }
  }
  for (const h of listOf(s.heads)) {
    for (const kv of s.kvHeads === undefined ? [] : listOf(s.kvHeads)) {
      if (h % kv !== 0) ctx.addIssue({ code: 'custom', path: ['kvHeads'], message: messages.kvHeadsDivide(h, kv) });
    }
  }
}

export type SuiteInput = z.input<typeof SuiteSchema>;
export type Suite = z.output<typeof SuiteSchema>;
export type { VariantSpec };

/** bench/*.ts of the sources, or the bundle's bench/*.mjs (scripts/bundle.mjs). */
const BENCH_DIR = BUNDLED ? fileURLToPath(besideBundle('bench'))
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench');
const SUITE_EXT = BUNDLED ? '.mjs' : '.ts';

/** Names of the built-in suites (files in bench/). */
export function builtinSuites(): string[] {
  return readdirSync(BENCH_DIR).filter((f) => f.endsWith(SUITE_EXT)).map((f) => f.slice(0, -SUITE_EXT.length)).sort();
}

/**
 * A suite module's default export. A .ts one through tsx's tsImport, which needs no tsx loader in the process:
 * the compiled test files (scripts/unit-tests.ts) run on plain Node. Suites import types only, so a module
 * loaded this way shares no state with the process's own.
 */
async function importDefault(file: string): Promise<unknown> {
  const url = pathToFileURL(file).href;
  if (!file.endsWith('.ts')) return ((await import(url)) as { default: unknown }).default;
  const { tsImport } = await import('tsx/esm/api');
  return ((await tsImport(url, import.meta.url)) as { default: unknown }).default;
}

/** Loads a built-in suite by name, or a .json / .ts suite file by path; validates it. */
export async function loadSuite(nameOrPath: string): Promise<Suite> {
  const builtin = path.join(BENCH_DIR, `${nameOrPath}${SUITE_EXT}`);
  let raw: unknown;
  if (/^[\w-]+$/.test(nameOrPath) && existsSync(builtin)) {
    raw = await importDefault(builtin);
  } else if (existsSync(nameOrPath)) {
    raw = nameOrPath.endsWith('.json') ? parseJson(nameOrPath) : await importDefault(path.resolve(nameOrPath));
  } else {
    throw new UserError(messages.unknownSuite(nameOrPath, builtinSuites()));
  }
  return parseSuite(withFileLayer(raw), nameOrPath);
}

/**
 * Validates a suite: the schema alone, no file read (a run's recorded suite validates where its
 * weights file is absent, e.g. in `npm run merge`). A new suite with a weights file goes through
 * `withFileLayer` first.
 */
export function parseSuite(raw: unknown, where: string): Suite {
  const parsed = SuiteSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(messages.badSuite(where, issue.path.join('.') || '(top level)', issue.message));
  }
  return parsed.data;
}

/**
 * A suite whose weights come from a file takes D from it (its dModel, when given, must agree), and the
 * layer prefix found there when the file holds one layer only; heads must divide D. Reads headers only.
 */
export function withFileLayer(raw: unknown): unknown {
  const weights = WeightsInitSchema.safeParse((raw as { weights?: unknown } | null)?.weights);
  if (!weights.success || weights.data.init !== 'file') return raw;
  const { file, prefix } = weights.data, suite = raw as Record<string, unknown>;
  const layout = inspectWeightsFile(file, prefix), D = layout.dModel;
  const given = suite.dModel === undefined ? [D] : [suite.dModel].flat();
  if (given.some((d) => d !== D)) throw new UserError(messages.weightsDModel(file, D, given.join(',')));
  const heads = [suite.heads ?? 8].flat();
  for (const h of heads) {
    if (typeof h === 'number' && D % h !== 0) throw new UserError(messages.weightsHeads(file, D, h));
  }
  return { ...suite, dModel: D, ...(layout.kvWidth !== D && { kvHeads: fileKvHeads(layout, heads, suite.kvHeads) }),
    weights: { ...weights.data, prefix: layout.prefix } };
}

/** A grouped-query layer fixes kvHeads (Dkv / E): one value for every heads swept, and the suite's, when given, must agree. */
function fileKvHeads(layout: ReturnType<typeof inspectWeightsFile>, heads: unknown[], given: unknown): number {
  const kv = [...new Set(heads.filter((h): h is number => typeof h === 'number').map((h) => layoutKvHeads(layout, h)))];
  const asked = given === undefined ? kv : [given].flat();
  if (kv.length !== 1 || asked.some((k) => k !== kv[0])) {
    throw new UserError(messages.kvWidthMismatch(layout.kvWidth, layout.dModel / (heads[0] as number), Number(asked[0])));
  }
  return kv[0];
}

function parseJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(messages.badSuite(file, '(file)', `not valid JSON: ${(e as Error).message}`));
  }
}
