/** What an engine is to the harness: a forward pass compiled, a training step compiled, a registry entry. */
import type { Capabilities, EngineInfo, KernelChoice } from '../results/types.ts';
import type { HostTensor, Ops } from './ops.ts';

export { firstLine } from '../messages.ts';

/** A variant's forward pass, bound to its options: the only code that does math. */
export type ForwardFn = <T>(ops: Ops<T>, x: T, w: Record<string, T>) => T;

export type { Capabilities, EngineInfo, KernelChoice };

/** A forward pass compiled for one engine, with weights and input already on the device. */
export interface Prepared {
  /** One forward pass; resolves when the output is on the host (download inside, every engine). */
  run(): Promise<Float32Array>;
  /** Peak memory of one forward pass beyond what weights and input already hold, in bytes. */
  peakMemory(): Promise<{ peakBytes: number; source: string }>;
  dispose(): Promise<void>;
  /**
   * Runs `count` passes back to back, each timed on the engine's own clock (`clock`, e.g.
   * `cuda-events`), the output left on the device (`downloadInside: false`); absent = the harness
   * times `run` in JavaScript. Raw samples, ms: statistics stay in the harness.
   */
  timeSamples?(count: number): Promise<{ samplesMs: number[]; clock: string; downloadInside: boolean }>;
  /** Which kernel each batched product of the pass runs, where the engine chooses between kernels (tfjs/wasm). */
  kernels?: KernelChoice[];
}

/** What a training step needs beyond the forward pass, weights and input. */
export interface TrainingSetup {
  /** Names of the weights the step updates; every other weight is frozen (never differentiated). */
  trainable: string[];
  /** The fixed target of the loss, the output's shape. */
  target: HostTensor;
  /** Adam's learning rate. */
  learningRate: number;
}

/**
 * One training step compiled for one engine, weights, input and target on the device. A step is
 * the forward pass, the loss mean((y − target)²) over every element, the gradients of the loss
 * with respect to the trainable weights only, and one Adam update of those weights.
 */
export interface PreparedTraining {
  /** One step; resolves with the loss before the update once it is on the host (download inside). */
  step(): Promise<number>;
  /** ∂loss/∂w of every trainable weight at the current weights, by weight name; updates nothing. */
  gradients(): Promise<Record<string, Float32Array>>;
  /** The current value of every weight, trainable and frozen, by name. */
  weights(): Promise<Record<string, Float32Array>>;
  /**
   * Bytes held between steps: the trainable and the frozen weights, and the optimizer's state as
   * its own variables hold it (Adam's moments m and v; its step counter and β-power scalars not counted).
   */
  heldBytes(): Promise<{ trainable: number; frozen: number; optimizerState: number }>;
  /** Peak memory of one step (which updates the weights) beyond what is held before it, in bytes. */
  peakMemory(): Promise<{ peakBytes: number; source: string }>;
  dispose(): Promise<void>;
}

export interface Engine {
  info: EngineInfo;
  prepare(forward: ForwardFn, weights: Record<string, HostTensor>, input: HostTensor): Promise<Prepared>;
  /** Present exactly when `info.capabilities.gradients`: training steps with Adam. */
  prepareTraining?(forward: ForwardFn, weights: Record<string, HostTensor>, input: HostTensor,
    setup: TrainingSetup): Promise<PreparedTraining>;
}

/**
 * One engine/backend in the registry (src/engine/registry.ts): its names and priority, how to
 * find out whether it works here, and how to build it in the process that runs a case.
 */
export interface BackendEntry {
  engine: string;
  backend: string;
  /** Lower runs first when the user does not choose: the expected speed on a machine that has them all. */
  priority: number;
  probe(): Promise<Omit<EngineInfo, 'priority'>>;
  create(info: EngineInfo): Promise<Engine>;
}
