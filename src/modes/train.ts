/**
 * Train: one sample is one training step — forward, loss mean((y − target)²), gradients of the
 * trainable weights only, one Adam update, the loss downloaded to the host. Its check: the
 * trainable count against the weights trained, a finite loss, the bytes held, frozen weights
 * unchanged (src/measure/train.ts). Needs an engine that computes gradients.
 */
import { measureTrainCase } from '../measure/train.ts';
import { prepareTrainStep } from '../measure/train-round.ts';
import { ownLineFields, TrainOkLineSchema } from '../results/line-schema.ts';
import type { ResultLine, TrainOkLine } from '../results/types.ts';
import type { Mode } from './types.ts';

/**
 * A training step keeps the forward's activations for the backward pass and adds their gradients:
 * budgeted (not measured) as 3 × the forward's analytic peak.
 */
export const TRAIN_MEMORY_FACTOR = 3;
/** A training step's FLOPs over its forward's: backward ≈ twice the forward (shard predictions only). */
export const TRAIN_FLOPS_FACTOR = 3;

export const train: Mode = {
  name: 'train',
  summary: 'a training step (forward, MSE loss, gradients of the trainable weights, one Adam update)',
  sample: 'one training step: forward, loss, backward of the trainable weights, one Adam update',
  caseIdSuffix: '|train',
  lineFields: ownLineFields(TrainOkLineSchema),
  memoryFactor: TRAIN_MEMORY_FACTOR,
  flopsFactor: TRAIN_FLOPS_FACTOR,
  unsupported: (c) => (c.engine.capabilities?.gradients ? undefined
    : `${c.engine.id} cannot train: the engine computes no gradients (capabilities.gradients is false)`),
  check: measureTrainCase,
  subject: prepareTrainStep,
  timedFields: () => ({}),
  checked: () => 'checked',
  report: { forwardPass: false, tag: ' · train' },
};

/** The train lines that measured a step. */
export const isTrainOk = (l: ResultLine): l is TrainOkLine => l.status === 'ok' && l.mode === train.name;
/** Every train line, measured or not. */
export const isTrainLine = (l: ResultLine): boolean => l.mode === train.name;
