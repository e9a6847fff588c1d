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
import { InputInitSchema, WeightsInitSchema } from '../linalg/weights.ts';
import { inspectWeightsFile } from '../linalg/weights-file.ts';

const positiveInt = z.number().int().positive();
const oneOrMany = z.union([positiveInt, z.array(positiveInt).min(1)]);

/** A suite value that may be one number or a list of them, as a list. */
export const listOf = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v]);

export const VariantSpecSchema = z.union([
  z.string(),
  z.object({
    name: z.string(),
    options: z.record(z.string(), z.unknown()).default({}),
    /** Overrides the variant's own description in charts and tables. */
    label: z.string().optional(),
  }).strict(),
]);

/** Rounds per case when a suite does not say (see src/run/rounds.ts and the README's Measurement section). */
export const DEFAULT_ROUNDS = 3;

export const TimingSchema = z.object({
  /** Rounds each case is measured in, interleaved with every other case's (src/run/rounds.ts). */
  rounds: positiveInt.default(DEFAULT_ROUNDS),
  /** Sampling budget of one round, ms. */
  timeMs: positiveInt.default(1000),
  warmupMs: positiveInt.default(200),
  warmupIterations: positiveInt.default(2),
  minSamples: positiveInt.default(5),
  targetRme: z.number().positive().default(2),
}).strict();

export const SuiteSchema = z.object({
  name: z.string().min(1),
  description: z.string().default(''),
  variants: z.array(VariantSpecSchema).min(1),
  seqLen: z.array(positiveInt).min(1),
  /** Model width, heads and batch: one value, or a list whose every value is swept (with every other). */
  dModel: oneOrMany.default(512),
  heads: oneOrMany.default(8),
  batch: oneOrMany.default(1),
  /**
   * Causal (decoder) attention: query i attends keys j ≤ i. `true`, `false`, or both ([false, true])
   * to sweep each shape both ways; absent = bidirectional only.
   */
  causal: z.union([z.boolean(), z.array(z.boolean()).min(1)]).optional(),
    /** `tfjs`, `onnx`, `all` or `engine/backend` ids; absent = the fastest engine here. */
  engines: z.array(z.string()).optional(),
  seed: z.number().int().default(1),
  /** What each case measures, by mode (src/modes: `inference`, a forward pass; `train`, a training step; …). */
  modes: z.array(z.string().refine((m) => modeNames().includes(m),
    { error: (i) => `unknown mode '${String(i.input)}'; known: ${modeNames().join(', ')}` })).min(1).default([DEFAULT_MODE]),
  /** Base weights every variant of a case starts from (see src/linalg/weights.ts). */
  weights: WeightsInitSchema.default({ init: 'gaussian' }),
  /** Inputs of the cases (see src/linalg/weights.ts). */
  input: InputInitSchema.default({ input: 'gaussian' }),
  timing: TimingSchema.default(TimingSchema.parse({})),
}).strict().superRefine((s, ctx) => {
  for (const d of listOf(s.dModel)) {
    for (const h of listOf(s.heads)) {
      if (d % h === 0) continue;
      ctx.addIssue({ code: 'custom', path: ['heads'], message: `dModel must be a multiple of heads (dModel ${d}, heads ${h})` });
    }
  }
});

export type SuiteInput = z.input<typeof SuiteSchema>;
export type Suite = z.output<typeof SuiteSchema>;
export type VariantSpec = z.output<typeof VariantSpecSchema>;

/** bench/*.ts of the sources, or the bundle's bench/*.mjs (scripts/bundle.mjs). */
const BENCH_DIR = BUNDLED ? fileURLToPath(besideBundle('bench'))
  : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench');
const SUITE_EXT = BUNDLED ? '.mjs' : '.ts';

/** Names of the built-in suites (files in bench/). */
export function builtinSuites(): string[] {
  return readdirSync(BENCH_DIR).filter((f) => f.endsWith(SUITE_EXT)).map((f) => f.slice(0, -SUITE_EXT.length)).sort();
}

/** Loads a built-in suite by name, or a .json / .ts suite file by path; validates it. */
export async function loadSuite(nameOrPath: string): Promise<Suite> {
  const builtin = path.join(BENCH_DIR, `${nameOrPath}${SUITE_EXT}`);
  let raw: unknown;
  if (/^[\w-]+$/.test(nameOrPath) && existsSync(builtin)) {
    raw = (await import(pathToFileURL(builtin).href)).default;
  } else if (existsSync(nameOrPath)) {
    raw = nameOrPath.endsWith('.json') ? parseJson(nameOrPath) : (await import(pathToFileURL(path.resolve(nameOrPath)).href)).default;
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
  for (const h of [suite.heads ?? 8].flat()) {
    if (typeof h === 'number' && D % h !== 0) throw new UserError(messages.weightsHeads(file, D, h));
  }
  return { ...suite, dModel: D, weights: { ...weights.data, prefix: layout.prefix } };
}

function parseJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(messages.badSuite(file, '(file)', `not valid JSON: ${(e as Error).message}`));
  }
}
