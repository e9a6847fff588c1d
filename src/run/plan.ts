/**
 * Suite → cases. One case = one variant configuration × one engine/backend × one shape × one mode
 * (a forward pass, or a training step), each round of it run in a process of its own, in the
 * interleaved order of src/run/rounds.ts. Cases whose analytic
 * memory exceeds the budget are found here, before anything runs (`preflight`).
 */
import { modeOf } from '../modes/index.ts';
import { analyticCounts } from '../variants/analytic.ts';
import { getVariant, VARIANT_NAMES } from '../variants/index.ts';
import { UserError, messages } from '../messages.ts';
import { listOf, type Suite, type VariantSpec } from './suite.ts';
import { shapeText } from '../results/group.ts';
import type { Case, EngineInfo, ParamCount, Shape } from '../results/types.ts';
import { DEFAULT_DTYPE, DTYPE_SUFFIX, dtypeOf } from '../results/dtype.ts';

export type { Case };

/** Validates a variant spec against the registry and the variant's option schema. */
export function resolveVariant(spec: VariantSpec): { name: string; options: Record<string, unknown>; label: string } {
  const { name, options, label } = typeof spec === 'string' ? { name: spec, options: {}, label: undefined } : spec;
  const variant = getVariant(name);
  if (!variant) throw new UserError(messages.unknownVariant(name, VARIANT_NAMES));
  const parsed = variant.options.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(messages.badVariantOptions(name, issue.path.join('.') || '(options)', issue.message));
  }
  return { name, options: parsed.data as Record<string, unknown>, label: label ?? variant.describe(parsed.data) };
}

/**
 * Every shape a suite sweeps: each batch × width × heads × sequence length, bidirectional and/or
 * causal, of its own grid and then of each grid in `also` (a shape already swept is not repeated).
 * A bidirectional shape has no `causal` key, so its case ids are as they always were.
 */
export function shapesOf(suite: Suite): Shape[] {
  const all = [gridOf(suite), ...(suite.also ?? []).map((g) => gridOf({ ...suite, ...g }))].flat();
  const seen = new Set<string>();
  return all.filter((s) => !seen.has(shapeText(s)) && Boolean(seen.add(shapeText(s))));
}

type Grid = Pick<Suite, 'batch' | 'dModel' | 'heads' | 'kvHeads' | 'newTokens' | 'seqLen' | 'causal' | 'dtype'>;

function gridOf(suite: Grid): Shape[] {
  const causal = suite.causal === undefined ? [false] : Array.isArray(suite.causal) ? suite.causal : [suite.causal];
  const kvs = (heads: number) => (suite.kvHeads === undefined ? [heads] : listOf(suite.kvHeads));
  const dtypes = suite.dtype === undefined ? [DEFAULT_DTYPE] : [suite.dtype].flat();
  const news = suite.newTokens === undefined ? [1] : listOf(suite.newTokens);
  return listOf(suite.batch).flatMap((batch) => listOf(suite.dModel).flatMap((dModel) => listOf(suite.heads).flatMap((heads) =>
    kvs(heads).flatMap((kvHeads) => news.flatMap((s) => suite.seqLen.flatMap((seqLen) => causal.flatMap((c) => dtypes.map((dtype) => ({
      batch, seqLen, dModel, heads, ...(c && { causal: true }), ...(kvHeads !== heads && { kvHeads }), ...(s !== 1 && { newTokens: s }),
      ...(dtype !== DEFAULT_DTYPE && { dtype }) })))))))));
}

export function planCases(suite: Suite, engines: EngineInfo[], runId: string): Case[] {
  const variants = suite.variants.map(resolveVariant);
  const cases: Case[] = [];
  const shapes = shapesOf(suite);
  // A suite sweeping widths, heads or batches names them in each label, so tables, charts and
  // findings tell its configurations apart; a suite of one keeps the labels (and case ids) as they were.
  const several = new Set(shapes.map((s) => `${s.batch}|${s.dModel}|${s.heads}|${s.kvHeads}|${s.newTokens}`)).size > 1;
  for (const shape of shapes) {
    const seqLen = shape.seqLen;
    for (const spec of variants) {
      const kv = shape.kvHeads === undefined ? '' : ` KV=${shape.kvHeads}`;
      const s = shape.newTokens === undefined ? '' : ` s=${shape.newTokens}`;
      const sized = several ? `${spec.label} · D=${shape.dModel} H=${shape.heads}${kv} B=${shape.batch}${s}` : spec.label;
      const typed = shape.dtype === undefined ? sized : `${sized} · ${shape.dtype}`;
      const v = { ...spec, label: shape.causal ? `${typed} · causal` : typed };
      for (const engine of engines) {
        // A mode that does not read newTokens runs its shape once, at the default (none).
        for (const mode of suite.modes.filter((m) => shape.newTokens === undefined || modeOf(m).readsNewTokens)) {
          const caseId = `${v.label}|${engine.id}|B${shape.batch}N${seqLen}D${shape.dModel}H${shape.heads}`
            + `${shape.kvHeads === undefined ? '' : `K${shape.kvHeads}`}${shape.newTokens === undefined ? '' : `S${shape.newTokens}`}`
            + `${shape.causal ? 'c' : ''}${DTYPE_SUFFIX[dtypeOf(shape)]}${modeOf(mode).caseIdSuffix}`;
          cases.push({ caseId, runId, mode, variant: v.name, options: seededOptions(v, suite.seed), label: v.label, engine, shape,
            seed: suite.seed, weights: suite.weights, input: suite.input, timing: { ...suite.timing, downloadInside: true } });
        }
      }
    }
  }
  return cases;
}

/** A configuration's options with the suite seed filled in where it draws a random structure (Variant.seeded). */
function seededOptions(v: { name: string; options: Record<string, unknown> }, seed: number): Record<string, unknown> {
  const variant = getVariant(v.name)!;
  return variant.seeded ? variant.seeded(v.options, seed) : v.options;
}

/**
 * Why a case cannot run: its variant in its shape or on its engine (a causal Linformer, a missing
 * fused kernel), or its mode on its engine (training without gradients); undefined when it can.
 */
export function unsupported(c: Case): string | undefined {
  return dtypeUnsupported(c) ?? getVariant(c.variant)!.unsupported?.(c.shape, c.options, c.engine.capabilities)
    ?? modeOf(c.mode).unsupported(c);
}

/** Why the case's engine cannot compute in its dtype (Capabilities.dtypes; absent = float32 only), with the engine's reason. */
function dtypeUnsupported(c: Case): string | undefined {
  const dtype = dtypeOf(c.shape), caps = c.engine.capabilities;
  if ((caps?.dtypes ?? [DEFAULT_DTYPE]).includes(dtype)) return undefined;
  return messages.dtypeUnsupported(c.engine.id, dtype, caps?.dtypes ?? [DEFAULT_DTYPE], caps?.dtypeReasons?.[dtype]);
}

/** Why a case cannot run within `maxMemoryBytes` by its analytic memory; undefined when it fits (or cannot be known before it runs). */
export function preflight(c: Case, maxMemoryBytes: number): string | undefined {
  const bytes = memoryOf(c);
  if (bytes === null || bytes <= maxMemoryBytes) return undefined; // null: depends on the weights (SVD by energy)
  const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
  const mode = modeOf(c.mode), factor = mode.memoryFactor;
  const what = mode.memoryBytes ? 'analytic memory of a sample' : factor === 1 ? 'analytic peak memory'
    : `${factor}× the analytic forward peak memory`;
  return `${what} ${mb(bytes)} exceeds --max-memory ${mb(maxMemoryBytes)}`;
}

/** A case's analytic memory: its mode's own figure (a decode step's), else its mode's factor × the forward's peak; null where unknown. */
function memoryOf(c: Case): number | null {
  const mode = modeOf(c.mode);
  if (mode.memoryBytes) return mode.memoryBytes(c) ?? null;
  const { memory } = analyticCounts(getVariant(c.variant)!, c.shape, c.options);
  return memory === null ? null : memory * mode.memoryFactor;
}

/** A planned case with what is known of it before anything runs; null where it depends on the weights (SVD by energy). */
export interface PlannedCase {
  c: Case;
  params: ParamCount | null;
  /** FLOPs of one sample: its mode's own figure (a decode step's), else one forward pass's. */
  flops: number | null;
  /** Analytic peak memory, bytes (its mode's memoryFactor × the forward's). */
  memoryBytes: number | null;
  /** Why --max-memory would skip it (preflight). */
  skip?: string;
}

/** Counts, FLOPs and analytic memory of each case from the variants' formulas alone: no weights built, no engine started. */
export function describePlan(cases: Case[], maxMemoryBytes: number): PlannedCase[] {
  return cases.map((c) => {
    const { params, flops } = analyticCounts(getVariant(c.variant)!, c.shape, c.options), mode = modeOf(c.mode);
    const sampleFlops = mode.sampleFlops ? mode.sampleFlops(c) ?? null : flops;
    return { c, params, flops: sampleFlops, memoryBytes: memoryOf(c), skip: preflight(c, maxMemoryBytes) };
  });
}
