/**
 * Measures one case, inside the process that runs it (see worker.ts):
 *   build weights and input → prepare on the engine → first pass (NaN/Inf check) → latency →
 *   peak memory → accuracy against the float64 references.
 * Latency comes before the float64 references so their allocations cannot disturb the timing.
 */
import { createEngine } from '../engine/resolve.ts';
import { firstLine } from '../engine/types.ts';
import { createRng } from '../linalg/rng.ts';
import { baseWeights, makeInput } from '../linalg/weights.ts';
import { getVariant } from '../variants/index.ts';
import { countParams, type AnyVariant } from '../variants/types.ts';
import type { Case } from '../run/plan.ts';
import { RESULT_SCHEMA, type FailedLine, type ResultLine } from '../run/result.ts';
import { measureAccuracy } from './accuracy.ts';
import { measureLatency, measureOverhead } from './latency.ts';

function variantOf(c: Case): AnyVariant {
  const v = getVariant(c.variant);
  if (!v) throw new Error(`unknown variant ${c.variant}`);
  return v;
}

/** The fields every line has, known before anything runs. */
export function lineBase(c: Case): Omit<FailedLine, 'status' | 'reason'> {
  const v = variantOf(c);
  return {
    schema: RESULT_SCHEMA, runId: c.runId, caseId: c.caseId, variant: c.variant, options: c.options, label: c.label,
    engine: c.engine.engine, backend: c.engine.backend, device: c.engine.device ?? 'cpu', shape: c.shape,
    params: v.params(c.shape, c.options), flops: v.flops(c.shape, c.options), timing: c.timing,
    finishedAt: new Date().toISOString(),
  };
}

export function failedLine(c: Case, status: 'skipped' | 'error', reason: string): FailedLine {
  return { ...lineBase(c), status, reason: firstLine(reason) };
}

/** Base weights and input of a case's shape: the same for every variant and engine of that shape. */
export function caseData(c: Pick<Case, 'seed' | 'shape' | 'weights'>) {
  const s = c.shape;
  const rng = createRng(`${c.seed}:B${s.batch}N${s.seqLen}D${s.dModel}H${s.heads}`);
  const base = baseWeights(s, c.weights, rng);
  return { base, x: makeInput(s, rng) };
}

export async function measureCase(c: Case): Promise<ResultLine> {
  const v = variantOf(c);
  const { base, x } = caseData(c);
  const w = v.init(c.shape, c.options, createRng(`${c.seed}:${c.caseId}:init`), base);
  const held = countParams(w), expected = v.params(c.shape, c.options).inference;
  if (held !== expected) return failedLine(c, 'error', `variant holds ${held} parameters at inference, its formula says ${expected}`);
  const engine = await createEngine(c.engine);
  const prepared = await engine.prepare((ops, xx, ww) => v.forward(ops, xx, ww, c.shape, c.options), w, x);
  try {
    const y = await prepared.run();
    const bad = y.findIndex((e) => !Number.isFinite(e));
    if (bad >= 0) return failedLine(c, 'error', `output contains ${y[bad]} at flat index ${bad}`);
    const overheadMs = await measureOverhead();
    const latency = await measureLatency(() => prepared.run(), c.timing);
    const memory = await prepared.peakMemory();
    const accuracy = measureAccuracy(v, c.shape, c.options, x.data, w, base, y);
    const base_ = lineBase(c);
    return { ...base_, status: 'ok', latencyMs: latency.stats, samplesMs: latency.samples, overheadMs,
      gflops: base_.flops / latency.stats.median / 1e6,
      memory: { ...memory, analyticBytes: v.memory(c.shape, c.options) }, accuracy };
  } finally {
    await prepared.dispose();
  }
}
