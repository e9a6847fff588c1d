/**
 * Measures one case, inside the process that runs it (see worker.ts):
 *   build weights and input → prepare on the engine → first pass (NaN/Inf check) → latency →
 *   peak memory → accuracy against the float64 references.
 * Latency comes before the float64 references so their allocations cannot disturb the timing.
 */
import { createEngine } from '../engine/resolve.ts';
import type { Prepared } from '../engine/types.ts';
import { firstLine } from '../engine/types.ts';
import { createRng } from '../linalg/rng.ts';
import { makeInput, seededBaseWeights } from '../linalg/weights.ts';
import { getVariant } from '../variants/index.ts';
import { countParams, type AnyVariant } from '../variants/types.ts';
import type { Case } from '../run/plan.ts';
import { RESULT_SCHEMA, type FailedLine, type ResultLine } from '../run/result.ts';
import { measureAccuracy } from './accuracy.ts';
import { measureLatency, measureOverhead, noiseReasons } from './latency.ts';

export function variantOf(c: Case): AnyVariant {
  const v = getVariant(c.variant);
  if (!v) throw new Error(`unknown variant ${c.variant}`);
  return v;
}

/** The fields every line has; `options` are the resolved ones once the case has built its weights. */
export function lineBase(c: Case, options = c.options): Omit<FailedLine, 'status' | 'reason'> {
  const v = variantOf(c);
  const known = <T>(f: () => T): T | null => { try { return f(); } catch { return null; } };
  return {
    schema: RESULT_SCHEMA, runId: c.runId, caseId: c.caseId, mode: c.mode, variant: c.variant, options, label: c.label,
    engine: c.engine.engine, backend: c.engine.backend, device: c.engine.device ?? 'cpu', shape: c.shape,
    params: known(() => v.params(c.shape, options)), flops: known(() => v.flops(c.shape, options)), timing: c.timing,
    finishedAt: new Date().toISOString(),
  };
}

export function failedLine(c: Case, status: 'skipped' | 'error', reason: string, options = c.options): FailedLine {
  return { ...lineBase(c, options), status, reason: firstLine(reason) };
}

/** Base weights and input of a case's shape: the same for every variant and engine of that shape. */
export function caseData(c: Pick<Case, 'seed' | 'shape' | 'weights'> & Partial<Pick<Case, 'input'>>) {
  const s = c.shape;
  const x = makeInput(s, createRng(`${c.seed}:input:B${s.batch}N${s.seqLen}D${s.dModel}`), c.input);
  return { base: seededBaseWeights(s.dModel, c.weights, c.seed), x };
}

/** Options resolved against the base weights, the variant's weights, and its counts. */
function buildCase(c: Case) {
  const v = variantOf(c);
  const { base, x } = caseData(c);
  const o = v.resolve ? v.resolve(c.shape, c.options, base) : c.options;
  const w = v.init(c.shape, o, createRng(`${c.seed}:${c.caseId}:init`), base);
  return { v, base, x, o, w, params: v.params(c.shape, o), flops: v.flops(c.shape, o) };
}

export interface MemoryMeasurement {
  peakBytes: number;
  source: string;
}

/**
 * Peak memory over `runs` passes, the largest kept: a resident-set reading of one pass can be
 * masked by the allocator (3 runs in a memory process); tf.profile's count is exact (1 run).
 */
async function peakOf(prepared: Prepared, runs = 1): Promise<MemoryMeasurement> {
  let best: MemoryMeasurement | undefined;
  for (let i = 0; i < runs; i++) {
    const m = await prepared.peakMemory();
    if (!best || m.peakBytes > best.peakBytes) best = m;
  }
  return best!;
}

/** Peak memory of one forward pass of the case, alone in its process (see Capabilities.memoryProcessEnv). */
export async function measureCaseMemory(c: Case): Promise<MemoryMeasurement> {
  const { v, x, o, w } = buildCase(c);
  const prepared = await (await createEngine(c.engine)).prepare((ops, xx, ww) => v.forward(ops, xx, ww, c.shape, o), w, x);
  try {
    await prepared.run();
    return await peakOf(prepared, 3);
  } finally {
    await prepared.dispose();
  }
}

export async function measureCase(c: Case): Promise<ResultLine> {
  const { v, base, x, o, w, params, flops } = buildCase(c);
  const held = countParams(w);
  if (held !== params.inference) return failedLine(c, 'error', `variant holds ${held} parameters at inference, its formula says ${params.inference}`, o);
  const engine = await createEngine(c.engine);
  const prepared = await engine.prepare((ops, xx, ww) => v.forward(ops, xx, ww, c.shape, o), w, x);
  try {
    const y = await prepared.run();
    const bad = y.findIndex((e) => !Number.isFinite(e));
    if (bad >= 0) return failedLine(c, 'error', `output contains ${y[bad]} at flat index ${bad}`, o);
    const overheadMs = await measureOverhead();
    const latency = await measureLatency(() => prepared.run(), c.timing);
    const memory = c.engine.capabilities?.memoryProcessEnv
      ? { peakBytes: null, source: 'pending: measured in a process of its own' } // filled in by run/pool.ts
      : await peakOf(prepared);
    const accuracy = measureAccuracy(v, c.shape, o, x.data, w, base, y);
    const noisy = noiseReasons(latency.stats, overheadMs);
    return { ...lineBase(c, o), mode: 'inference', status: 'ok', params, flops, latencyMs: latency.stats, samplesMs: latency.samples, overheadMs,
      gflops: flops / latency.stats.median / 1e6, memory: { ...memory, analyticBytes: v.memory(c.shape, o) }, accuracy,
      ...(noisy.length > 0 && { noisy }), ...(v.details && { details: v.details(c.shape, o, base) }) };
  } finally {
    await prepared.dispose();
  }
}
