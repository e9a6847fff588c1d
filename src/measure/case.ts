/**
 * One case inside the processes that run it (see worker.ts). Its first process establishes the
 * facts (its checks, in a process started with the engine's memory settings): build weights and
 * input → prepare on the engine → first pass (NaN/Inf check) → harness overhead → peak memory →
 * accuracy against the float64 references. Its timing rounds, each in
 * that round's worker beside the other cases of its comparison group, build and prepare the same
 * case and only sample its latency (group-round.ts).
 */
import { createEngine } from '../engine/resolve.ts';
import { FORWARD_OUTPUT, forwardProgram, type Prepared } from '../engine/types.ts';
import { createRng } from '../linalg/rng.ts';
import { makeInput, seededBaseWeights, withKvHeads, type BaseWeights } from '../linalg/weights.ts';
import { getVariant } from '../variants/index.ts';
import { analyticCounts, memoryInDtype } from '../variants/analytic.ts';
import { roundedTo, tensorsRoundedTo } from '../linalg/dtype.ts';
import { dtypeOf, ELEMENT_BYTES } from '../results/dtype.ts';
import { notEfficientReason } from '../variants/roles.ts';
import { countParams, forwardAt, type AnyVariant } from '../variants/types.ts';
import { failedLine, lineBase, type CaseCounts } from '../results/lines.ts';
import type { Case, CaseFacts, FailedLine } from '../results/types.ts';
import { implementationError, measureAccuracy } from './accuracy.ts';
import type { TimedSubject } from './group-round.ts';
import { processOverhead } from './latency.ts';

export function variantOf(c: Pick<Case, 'variant'>): AnyVariant {
  const v = getVariant(c.variant);
  if (!v) throw new Error(`unknown variant ${c.variant}`);
  return v;
}

/** Parameter and FLOP counts of a case where its variant can give them without weights; null where it cannot. */
export function countsOf(c: Case, options = c.options): CaseCounts {
  const v = variantOf(c), { params, flops, memory } = analyticCounts(v, c.shape, options);
  const notEfficient = notEfficientReason(c.variant, c.shape, flops, memory), sameGraphAs = v.sameGraphAs?.(options);
  return { options, params, flops, ...(notEfficient && { notEfficient }), role: v.role, ...(sameGraphAs && { sameGraphAs }) };
}

/** A line saying why a case has no measurement; `options` are the resolved ones once the case built its weights. */
export function caseFailed(c: Case, status: 'skipped' | 'error', reason: string, options = c.options): FailedLine {
  return failedLine(c, status, reason, countsOf(c, options));
}


/** Base weights and input of a case's shape: the same for every variant and engine of that shape. */
export function caseData(c: Pick<Case, 'seed' | 'shape' | 'weights'> & Partial<Pick<Case, 'input'>>) {
  const s = c.shape, dtype = dtypeOf(s);
  const x = makeInput(s, createRng(`${c.seed}:input:B${s.batch}N${s.seqLen}D${s.dModel}`), c.input);
  // Rounded to the case's dtype (float32: unchanged): the engine and the float64 references see the same values.
  return { base: tensorsRoundedTo(withKvHeads(seededBaseWeights(s.dModel, c.weights, c.seed), s), dtype),
    x: { data: roundedTo(x.data, dtype), shape: x.shape } };
}

/**
 * The generator of a configuration's random weights: seeded by the suite seed, the variant and what
 * its `seedKey` names, never by the engine, the batch or the case (see Variant.seedKey).
 */
export function initRng(c: Pick<Case, 'seed' | 'shape'>, v: AnyVariant, o: object) {
  return createRng(`${c.seed}:${v.name}:${v.seedKey?.(c.shape, o) ?? ''}:init`);
}

/**
 * A configuration on base weights, as every case builds it: options resolved against the weights
 * and the engine's capabilities, weights seeded by `initRng`, the forward pass at the shape.
 * `npm run attend` builds its configuration here too.
 */
export function buildConfiguration(c: Pick<Case, 'variant' | 'options' | 'seed' | 'shape' | 'engine'>, base: BaseWeights) {
  const v = variantOf(c);
  const o = v.resolve ? v.resolve(c.shape, c.options, base, c.engine.capabilities) : c.options;
  const w = tensorsRoundedTo(v.init(c.shape, o, initRng(c, v, o), base), dtypeOf(c.shape));
  return { v, o, w, forward: forwardAt(v, c.shape, o) };
}

export function buildCase(c: Case) {
  const { base, x } = caseData(c);
  const { v, o, w, forward } = buildConfiguration(c, base);
  return { v, base, x, o, w, forward, params: v.params(c.shape, o), flops: v.flops(c.shape, o) };
}

/** The case's forward pass compiled on its engine: input `x`, output `y` (engine/types.ts, forwardProgram). */
async function prepareForward(c: Case, built: ReturnType<typeof buildCase>): Promise<Prepared> {
  return (await createEngine(c.engine)).prepare(forwardProgram(built.forward, built.x, dtypeOf(c.shape)), built.w);
}

export interface MemoryMeasurement {
  peakBytes: number;
  source: string;
}

/**
 * Peak memory over `runs` passes, the largest kept: a resident-set reading of one pass can be
 * masked by the allocator (3 runs); tf.profile's count is exact (1 run).
 */
async function peakOf(prepared: Prepared, runs = 1): Promise<MemoryMeasurement> {
  let best: MemoryMeasurement | undefined;
  for (let i = 0; i < runs; i++) {
    const m = await prepared.peakMemory();
    if (!best || m.peakBytes > best.peakBytes) best = m;
  }
  return best!;
}

/** What a case's checks give: a line saying why the case cannot be measured, or its facts. */
export type CaseOutcome =
  | { kind: 'failed'; line: FailedLine }
  | { kind: 'facts'; facts: CaseFacts };

/**
 * The checks of an inference case, untimed: counts against the weights held, one pass (no NaN or
 * Inf), the harness's overhead, peak memory, accuracy against the float64 references.
 * Its latency is measured by the timing rounds, in processes of their own (measureRound).
 */
export async function measureCase(c: Case): Promise<CaseOutcome> {
  const built = buildCase(c), { v, base, x, o, w, params, flops } = built;
  const failed = (reason: string): CaseOutcome => ({ kind: 'failed', line: caseFailed(c, 'error', reason, o) });
  const held = countParams(w);
  if (held !== params.inference) return failed(`variant holds ${held} parameters at inference, its formula says ${params.inference}`);
  const prepared = await prepareForward(c, built);
  try {
    const y = (await prepared.run())[FORWARD_OUTPUT];
    const bad = y.findIndex((e) => !Number.isFinite(e));
    if (bad >= 0) return failed(`output contains ${y[bad]} at flat index ${bad}`);
    const overheadMs = await processOverhead();
    // An engine that reads memory from the process (onnx: peak RSS) runs its checks in a process
    // started with its memory settings (pool.ts); a reading there can be masked by the allocator: 3 runs.
    const memory = await peakOf(prepared, c.engine.capabilities?.memoryProcessEnv ? 3 : 1);
    const accuracy = measureAccuracy(v, c.shape, o, x.data, w, base, y), wrong = implementationError(accuracy, dtypeOf(c.shape));
    if (wrong) return failed(wrong);
    const facts: CaseFacts = { ...lineBase(c, countsOf(c, o)), mode: 'inference', status: 'ok', params, flops, overheadMs, accuracy,
      memory: { ...memory, analyticBytes: memoryInDtype(v, c.shape, o), weightsBytes: held * ELEMENT_BYTES[dtypeOf(c.shape)] },
      ...(v.details && { details: v.details(c.shape, o, base) }), ...(prepared.kernels && { kernels: prepared.kernels }),
      ...(prepared.attentionBackend && { attentionBackend: prepared.attentionBackend }) };
    return { kind: 'facts', facts };
  } finally {
    await prepared.dispose();
  }
}

/**
 * An inference case prepared for its timing round (group-round.ts), in that round's worker: the same
 * weights and input as its checks, a pass = one forward with the outputs downloaded; the engine's
 * own clock where it has one (Prepared.timeSamples).
 */
export async function forwardSubject(c: Case): Promise<TimedSubject & { dispose(): Promise<void> }> {
  const prepared = await prepareForward(c, buildCase(c));
  return { pass: () => prepared.run(), ...(prepared.timeSamples && { timeSamples: prepared.timeSamples.bind(prepared) }),
    dispose: () => prepared.dispose() };
}
