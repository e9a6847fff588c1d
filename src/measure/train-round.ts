/**
 * A timing round of a train case (src/run/rounds.ts): the same weights, input and target, a training
 * step prepared afresh in this round's worker, then warm-up and sampled steps under the case's timing.
 * What a step holds and updates was checked in the case's checks (train.ts); this round only times.
 */
import { createEngine } from '../engine/resolve.ts';
import type { Case, RoundTiming } from '../results/types.ts';
import { buildCase } from './case.ts';
import { HARNESS_TIMING, timeRound } from './latency.ts';
import { LEARNING_RATE, trainableNames, trainTarget } from './train.ts';

export async function measureTrainRound(c: Case, round: number): Promise<RoundTiming> {
  const { v, x, o, w, forward } = buildCase(c);
  const engine = await createEngine(c.engine);
  if (!engine.prepareTraining) throw new Error(`${c.engine.id} cannot train`);
  const prepared = await engine.prepareTraining(forward, w, x,
    { trainable: trainableNames(v, c.shape, o, w), target: trainTarget(c), learningRate: LEARNING_RATE });
  try {
    return { ...(await timeRound(() => prepared.step(), c.timing, round)), ...HARNESS_TIMING }; // its warm-up runs the first steps
  } finally {
    await prepared.dispose();
  }
}
