/**
 * The first, untimed process of a train case (see worker.ts; its step latency comes from the
 * timing rounds, train-round.ts):
 *   build weights, input and target → prepare a training step on the engine → first step (finite
 *   loss) → gradient bytes → FACT_STEPS more steps → peak memory of a step → bytes held (weights,
 *   optimizer state) → frozen weights still bit-identical.
 * A step is forward, loss mean((y − target)²), gradients of the trainable weights (the variant's
 * `trainable`, all weights when it has none) and one Adam update; see PreparedTraining.
 */
import { createEngine } from '../engine/resolve.ts';
import { createRng, normalArray } from '../linalg/rng.ts';
import type { HostTensor } from '../engine/ops.ts';
import type { Case } from '../results/types.ts';
import { countParams, type AnyVariant, type Shape, type Weights } from '../variants/types.ts';
import { lineBase } from '../results/lines.ts';
import { buildCase, caseFailed, countsOf, type CaseOutcome } from './case.ts';
import { processOverhead } from './latency.ts';

/** Adam's learning rate in every train case (PyTorch's and Keras's default). */
export const LEARNING_RATE = 1e-3;

/** Steps after the first in a train case's first process: its `train.lossLast` is the loss after FACT_STEPS updates. */
export const FACT_STEPS = 3;

/** The loss target of a case's shape, N(0, 1) like the input: the same for every variant and engine of that shape. */
export function trainTarget(c: Pick<Case, 'seed' | 'shape'>): HostTensor {
  const s = c.shape;
  const rng = createRng(`${c.seed}:B${s.batch}N${s.seqLen}D${s.dModel}H${s.heads}:target`);
  return { data: normalArray(rng, s.batch * s.seqLen * s.dModel, 1), shape: [s.batch, s.seqLen, s.dModel] };
}

/** Names of the weights among `w` a fine-tuning run updates: the variant's choice, or all of them. */
export function trainableNames(v: AnyVariant, s: Shape, o: object, w: Weights): string[] {
  return v.trainable ? v.trainable(s, o) : Object.keys(w);
}

export async function measureTrainCase(c: Case): Promise<CaseOutcome> {
  const fail = (status: 'skipped' | 'error', reason: string, o = c.options): CaseOutcome =>
    ({ kind: 'failed', line: caseFailed(c, status, reason, o) });
  const { v, base, x, o, w, forward, params, flops } = buildCase(c);
  const trainable = trainableNames(v, c.shape, o, w);
  if (trainable.length === 0) return fail('skipped', `nothing to train: ${c.label} holds no trainable weights`, o);
  const held = countParams(Object.fromEntries(trainable.map((n) => [n, w[n]])));
  if (held !== params.trainable) {
    return fail('error', `variant trains ${held} parameters, its formula says ${params.trainable}`, o);
  }
  const engine = await createEngine(c.engine);
  if (!engine.prepareTraining) throw new Error(`${c.engine.id} has no training step (Engine.prepareTraining)`);
  const prepared = await engine.prepareTraining(forward, w, x,
    { trainable, target: trainTarget(c), learningRate: LEARNING_RATE });
  try {
    const lossFirst = await prepared.step();
    if (!Number.isFinite(lossFirst)) return fail('error', `loss is ${lossFirst} at the first step`, o);
    const gradientBytes = Object.values(await prepared.gradients()).reduce((s, g) => s + g.byteLength, 0);
    const overheadMs = await processOverhead();
    let lossLast = lossFirst;
    for (let i = 0; i < FACT_STEPS; i++) lossLast = await prepared.step();
    const memory = await prepared.peakMemory();
    const bytes = await prepared.heldBytes();
    const changed = frozenChanged(w, trainable, await prepared.weights());
    if (changed) return fail('error', `frozen weight ${changed} changed during training`, o);
    return { kind: 'facts', facts: { ...lineBase(c, countsOf(c, o)), mode: 'train', status: 'ok', params, flops, overheadMs,
      train: { optimizer: 'adam', learningRate: LEARNING_RATE, lossFirst, lossLast, steps: 1 + FACT_STEPS,
        checkpointBytes: bytes.trainable },
      memory: { ...memory, weightsBytes: bytes.trainable + bytes.frozen, gradientBytes, optimizerStateBytes: bytes.optimizerState,
        activationBytes: Math.max(0, memory.peakBytes - gradientBytes) },
      ...(v.details && { details: v.details(c.shape, o, base) }) } };
  } finally {
    await prepared.dispose();
  }
}

/** The first frozen weight whose values differ from those it started with, if any. */
function frozenChanged(start: Weights, trainable: string[], now: Record<string, Float32Array>): string | undefined {
  return Object.keys(start).find((n) => !trainable.includes(n) && !now[n].every((e, i) => e === start[n].data[i]));
}
