/**
 * A timing round of a train case (src/run/rounds.ts): the same weights, input and target, a training
 * step prepared afresh in this round's worker; group-round.ts warms it up and samples its steps.
 * What a step holds and updates was checked in the case's checks (train.ts); this round only times.
 */
import { createEngine } from '../engine/resolve.ts';
import type { Case } from '../results/types.ts';
import { buildCase } from './case.ts';
import type { TimedSubject } from './group-round.ts';
import { LEARNING_RATE, trainableNames, trainTarget } from './train.ts';

export async function prepareTrainStep(c: Case): Promise<TimedSubject & { dispose(): Promise<void> }> {
  const { v, x, o, w, forward } = buildCase(c);
  const engine = await createEngine(c.engine);
  if (!engine.prepareTraining) throw new Error(`${c.engine.id} cannot train`);
  const prepared = await engine.prepareTraining(forward, w, x,
    { trainable: trainableNames(v, c.shape, o, w), target: trainTarget(c), learningRate: LEARNING_RATE });
  return { pass: () => prepared.step(), dispose: () => prepared.dispose() };
}
