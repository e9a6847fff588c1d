/**
 * One decode step of a case (src/modes/decode.ts) in the processes that run it. The case's shape
 * gives the context N already in the cache (seqLen) and the new tokens s (newTokens, default 1);
 * the step is the variant's decoder (src/variants/decode/): project the s new tokens, attend
 * causally over the N cached keys and the s new ones, project the output; it never re-projects the
 * context. Weights and the whole sequence x [B, N + s, D] are built as an inference case's at N + s.
 *
 * The cache: no op of the vocabulary writes at an offset, so the step takes the cache as a per-call
 * input of fixed length N, bound once on the engine (CACHE_LAYOUT), and returns the s new rows as
 * outputs (the caller's write into a preallocated cache). A step's bytes are then every weight read,
 * the cache read and the new rows written (variants/decode/types.ts, StepBytes).
 *
 * The check: counts against the weights held, a finite output, and the output against rows N+1…N+s
 * of the variant's causal float64 forward over N + s tokens, from a cache prefilled in float64; above
 * MAX_REFERENCE_FLOPS of float64 work (as inference cases) the reference is not computed and the cache
 * holds seeded random values. Timing rounds always run on seeded random values (a step's time does
 * not depend on them), read from memory where the engine rotates (decodeSubject).
 */
import { createEngine } from '../engine/resolve.ts';
import type { HostTensor } from '../engine/ops.ts';
import type { Prepared, Program } from '../engine/types.ts';
import { relativeError } from '../linalg/dense.ts';
import { createRng, normalArray } from '../linalg/rng.ts';
import { lineBase } from '../results/lines.ts';
import type { Case, CaseFacts, DecodeStepFacts } from '../results/types.ts';
import { decoderOf } from '../variants/decode/index.ts';
import type { AnyDecoder, DecodeShape, HostCache } from '../variants/decode/types.ts';
import type { VariantName } from '../variants/index.ts';
import { countParams } from '../variants/types.ts';
import { IMPLEMENTATION_TOLERANCE, MAX_REFERENCE_FLOPS, referenceFlops } from './accuracy.ts';
import { buildConfiguration, caseData, caseFailed, countsOf, type CaseOutcome } from './case.ts';
import type { TimedSubject } from './group-round.ts';
import { measureOverhead } from './latency.ts';
import { rotates, rotation } from './rotation.ts';

export const CACHE_LAYOUT = 'a per-call input of fixed length N, bound once on the engine (no op writes at an offset); '
  + 'the s new rows are returned as outputs';

/** The case's shape as a decode step: causal, s = newTokens (absent: 1). */
export function decodeShape(c: Pick<Case, 'shape'>): DecodeShape {
  return { ...c.shape, causal: true, newTokens: c.shape.newTokens ?? 1 };
}

/** The whole sequence: the N context tokens and the s new ones. */
const totalShape = (s: DecodeShape): DecodeShape => ({ ...s, seqLen: s.seqLen + s.newTokens });

/** Why the case's configuration cannot decode (Linformer; flash's fused kernel without the engine's), from its options; else undefined. */
export function decodeUnsupported(c: Case): string | undefined {
  const found = decoderOf(c.variant as VariantName, decodeShape(c), c.options, c.engine.capabilities);
  return 'skipped' in found ? found.skipped : undefined;
}

/** The case's step: its decoder, weights and the whole sequence x [B, N + s, D]. */
function buildDecode(c: Case) {
  const s = decodeShape(c), total = totalShape(s);
  const { base, x } = caseData({ ...c, shape: total });
  const { v, o, w } = buildConfiguration({ ...c, shape: total }, base);
  const found = decoderOf(c.variant as VariantName, s, o, c.engine.capabilities);
  if ('skipped' in found) throw new Error(found.skipped);
  return { s, total, v, o, w, x: x.data, decoder: found.decoder };
}

/** Rows [from, from + n) of every batch entry of x [B, L, D]. */
function rowsOf(x: Float32Array, s: DecodeShape, L: number, from: number, n: number): Float32Array {
  const D = s.dModel, out = new Float32Array(s.batch * n * D);
  for (let b = 0; b < s.batch; b++) out.set(x.subarray((b * L + from) * D, (b * L + from + n) * D), b * n * D);
  return out;
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** A cache of seeded random values in the decoder's shapes. */
function randomCache(d: AnyDecoder, s: DecodeShape, o: object, seed: number): HostCache {
  const rng = createRng(`${seed}:decode-cache`);
  return Object.fromEntries(Object.entries(d.cacheShapes(s, o)).map(([k, sh]) => [k, normalArray(rng, sizeOf(sh), 1)]));
}

/** The step as an engine session's program: inputs x [B, s, D] and `cache.<name>`; outputs y and `rows.<name>`. */
export function stepProgram(d: AnyDecoder, s: DecodeShape, o: object, xNew: Float32Array, cache: HostCache): Program {
  const shapes = d.cacheShapes(s, o), names = Object.keys(shapes);
  const inputs: Record<string, HostTensor> = { x: { data: xNew, shape: [s.batch, s.newTokens, s.dModel] } };
  for (const k of names) inputs[`cache.${k}`] = { data: cache[k], shape: shapes[k] };
  return {
    inputs,
    smallOps: true, // a step is ~30 small ops: onnx keeps its pool awake between them (Program.smallOps)
    fn: (ops, ins, w) => {
      const { y, rows } = d.step(ops, ins.x, Object.fromEntries(names.map((k) => [k, ins[`cache.${k}`]])), w, s, o);
      return { outputs: { y, ...Object.fromEntries(names.map((k) => [`rows.${k}`, rows[k]])) } };
    },
  };
}

/** What a step moves and computes, by the decoder's formulas. */
export function stepFacts(d: AnyDecoder, s: DecodeShape, o: object): Omit<DecodeStepFacts, 'relErr' | 'reference'> {
  const b = d.bytes(s, o), flops = d.flops(s, o), total = b.weights + b.cacheRead + b.cacheWritten;
  const cacheBytes = 4 * Object.values(d.cacheShapes(s, o)).reduce((n, sh) => n + sh.reduce((a, x) => a * x, 1), 0);
  return { newTokens: s.newTokens, context: s.seqLen, cacheBytes, bytes: { ...b, total }, flops, intensity: flops / total,
    cache: CACHE_LAYOUT };
}

/** A figure of one step of the case, from its options alone; undefined where it depends on weights (SVD by energy). */
function stepFigure(c: Case, figure: (facts: ReturnType<typeof stepFacts>) => number): number | undefined {
  if (decodeUnsupported(c)) return undefined;
  try {
    const found = decoderOf(c.variant as VariantName, decodeShape(c), c.options, c.engine.capabilities);
    const value = 'decoder' in found ? figure(stepFacts(found.decoder, decodeShape(c), c.options)) : NaN;
    return Number.isFinite(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Bytes one step of the case moves, from its options alone; undefined where they depend on weights (SVD by energy). */
export const stepBytesOf = (c: Case): number | undefined => stepFigure(c, (f) => f.bytes.total);
/** FLOPs of one step of the case, from its options alone; undefined where they depend on weights. */
export const stepFlopsOf = (c: Case): number | undefined => stepFigure(c, (f) => f.flops);

async function prepareStep(c: Case, b: ReturnType<typeof buildDecode>, cache: HostCache): Promise<Prepared> {
  const xNew = rowsOf(b.x, b.s, b.total.seqLen, b.s.seqLen, b.s.newTokens);
  return (await createEngine(c.engine)).prepare(stepProgram(b.decoder, b.s, b.o, xNew, cache), b.w);
}

/** The checks of a decode case, untimed (see the file's doc). */
export async function checkDecodeCase(c: Case): Promise<CaseOutcome> {
  const b = buildDecode(c), { s, total, v, o, w, decoder: d } = b;
  const failed = (reason: string): CaseOutcome => ({ kind: 'failed', line: caseFailed(c, 'error', reason, o) });
  const params = v.params(total, o), held = countParams(w);
  if (held !== params.inference) return failed(`variant holds ${held} parameters at inference, its formula says ${params.inference}`);
  const cost = referenceFlops(total, s.newTokens), checked = cost <= MAX_REFERENCE_FLOPS;
  const cache = checked ? d.prefill(s, o, rowsOf(b.x, s, total.seqLen, 0, s.seqLen), w) : randomCache(d, s, o, c.seed);
  const prepared = await prepareStep(c, b, cache);
  try {
    const y = (await prepared.run()).y;
    const bad = y.findIndex((e) => !Number.isFinite(e));
    if (bad >= 0) return failed(`step output contains ${y[bad]} at flat index ${bad}`);
    const rows = Array.from({ length: s.newTokens }, (_, t) => s.seqLen + t);
    const relErr = checked ? relativeError(y, v.reference(total, o, b.x, w, rows)) : null;
    const reference = checked ? `float64 causal ${v.name} forward over N + s = ${total.seqLen} tokens, rows N+1…N+s of each batch entry`
      : `not measured: float64 reference would take ${(cost / 1e9).toFixed(1)} GFLOP (limit ${MAX_REFERENCE_FLOPS / 1e9})`;
    if (relErr !== null && relErr > IMPLEMENTATION_TOLERANCE) {
      return failed(`decode step: relative error ${relErr.toExponential(2)} vs its float64 reference exceeds the float32 tolerance `
        + `${IMPLEMENTATION_TOLERANCE} (${reference})`);
    }
    const step = stepFacts(d, s, o);
    const facts = { ...lineBase(c, { ...countsOf(c, o), flops: step.flops, notEfficient: undefined }), mode: 'decode' as const,
      status: 'ok' as const, params, flops: step.flops, overheadMs: await measureOverhead(), decode: { ...step, relErr, reference } };
    return { kind: 'facts', facts: facts satisfies CaseFacts };
  } finally {
    await prepared.dispose();
  }
}

/**
 * A decode case prepared for its timing round: one pass = one step at context N on a seeded random
 * cache; where the engine rotates (rotation.ts), each pass reads the next slot of the pool as its
 * cache, so the step reads its cache from memory, as the bandwidth roof reads.
 */
export async function decodeSubject(c: Case): Promise<TimedSubject & { dispose(): Promise<void> }> {
  const b = buildDecode(c), shapes = b.decoder.cacheShapes(b.s, b.o), names = Object.keys(shapes);
  const turn = rotates(c.engine) ? rotation(names.map((k) => sizeOf(shapes[k]))) : undefined;
  const slot = () => Object.fromEntries(turn!.next().map((data, i) => [names[i], data]));
  const prepared = await prepareStep(c, b, turn ? slot() : randomCache(b.decoder, b.s, b.o, c.seed));
  const pass = turn ? () => prepared.run(Object.fromEntries(Object.entries(slot()).map(([k, data]) =>
    [`cache.${k}`, { data, shape: shapes[k] }]))) : () => prepared.run();
  const own = !turn && prepared.timeSamples && { timeSamples: prepared.timeSamples.bind(prepared) };
  return { pass, ...own, dispose: () => prepared.dispose() };
}
