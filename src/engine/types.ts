/** What an engine is to the harness: a program compiled (a session), a training step compiled, a registry entry. */
import type { z } from 'zod';
import type { CapabilitiesSchema } from '../results/engine-record.ts';
import type { KernelChoiceSchema } from '../results/line-schema.ts';
import type { EngineInfo, ResultLine } from '../results/types.ts';
import type { HostTensor, Ops } from './ops.ts';
import { DEFAULT_DTYPE, type Dtype } from '../results/dtype.ts';

export { firstLine } from '../messages.ts';
export { HARNESS_CLOCK } from '../results/schema.ts';

/**
 * What an engine/backend can do (gradients, how it measures memory, a fused attention kernel, its
 * process settings); a case that needs more is skipped with the reason. The engine vocabulary, as
 * run.json records it: its fields are documented in the schema (src/results/engine-record.ts).
 */
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

/**
 * The kernel one batched matrix product ran on, where an engine has two, and the timings the choice
 * was made from (src/engine/tfjs-kernels.ts), as a results line records it (src/results/line-schema.ts).
 */
export type KernelChoice = z.infer<typeof KernelChoiceSchema>;

/** A variant's forward pass, bound to its options: the only code that does math. */
export type ForwardFn = <T>(ops: Ops<T>, x: T, w: Record<string, T>) => T;

export type { EngineInfo, ResultLine };

/**
 * A program an engine compiles (an engine session's code): named inputs to named outputs, with
 * state that persists from one call to the next (a decode step's KV cache). `state` holds the
 * values of the previous call (at the first, `Program.state`); the returned `state` replaces them,
 * name for name and shape for shape (traced engines compile one static graph).
 */
export type ProgramFn = <T>(ops: Ops<T>, inputs: Record<string, T>, w: Record<string, T>,
  state: Record<string, T>) => ProgramOutputs<T>;

export interface ProgramOutputs<T> {
  outputs: Record<string, T>;
  /** The state the next call starts from; absent = unchanged (a program without state). */
  state?: Record<string, T>;
}

export interface Program {
  fn: ProgramFn;
  /** The inputs of every call, by name; a call may replace any of them with a tensor of the same shape. */
  inputs: Record<string, HostTensor>;
  /** The state before the first call, by name; absent = none. */
  state?: Record<string, HostTensor>;
  /**
   * The element type weights, inputs, state and compute take on the engine (its values arrive as
   * float32, already rounded to it: linalg/dtype.ts); absent = float32. Outputs come back as float32.
   */
  dtype?: Dtype;
  /**
   * A call is a chain of small ops (a decode step: ~30 ops around two reads of the cache), so an
   * engine whose threads sleep between ops may keep them awake for the call (onnx: spinning within
   * a run); absent = a call of large ops, where that only adds noise (docs/variance.md, session 7).
   */
  smallOps?: boolean;
}

/** The name of a plain forward pass's input and output. */
export const FORWARD_INPUT = 'x', FORWARD_OUTPUT = 'y';

/** A forward pass as a program: input `x`, output `y`, no state. */
export function forwardProgram(forward: ForwardFn, x: HostTensor, dtype: Dtype = DEFAULT_DTYPE): Program {
  return { fn: (ops, inputs, w) => ({ outputs: { [FORWARD_OUTPUT]: forward(ops, inputs[FORWARD_INPUT], w) } }),
    inputs: { [FORWARD_INPUT]: x }, ...(dtype !== DEFAULT_DTYPE && { dtype }) };
}

/** Compiles a plain forward pass on `engine` (forwardProgram): `(await p.run()).y` is its output. */
export function prepareForward(engine: Pick<Engine, 'prepare'>, forward: ForwardFn, weights: Record<string, HostTensor>,
  x: HostTensor): Promise<Prepared> {
  return engine.prepare(forwardProgram(forward, x), weights);
}

/**
 * The program as a forward pass of constants (its inputs and state): for recording the products
 * it issues on shapes alone (flop-recorder.ts); the first output stands for the result.
 */
export function programAsForward(program: Program): ForwardFn {
  return (ops, _x, w) => {
    const lift = (ts: Record<string, HostTensor> = {}) =>
      Object.fromEntries(Object.entries(ts).map(([name, t]) => [name, ops.constant(t.data, t.shape)]));
    return Object.values(program.fn(ops, lift(program.inputs), w, lift(program.state)).outputs)[0];
  };
}

/** Throws unless a call's input `name` replaces a bound input of the same shape. */
export function checkReplacement(name: string, bound: readonly number[] | undefined, given: readonly number[]): void {
  if (!bound) throw new Error(`the program has no input '${name}'`);
  if (bound.join(',') !== given.join(',')) {
    throw new Error(`input '${name}' must keep its shape [${bound.join(', ')}], got [${given.join(', ')}]`);
  }
}

/** Samples an engine timed on its own clock (Prepared.timeSamples); the harness computes every statistic from them. */
export interface EngineSamples {
  /** One per call, ms, in the order they ran. */
  samplesMs: number[];
  /** The clock, e.g. `cuda-events`. */
  clock: string;
  /** Whether a sample includes the outputs' download to the host. */
  downloadInside: boolean;
  /** On CUDA: true when each sample replayed the pass captured as a CUDA graph; else why it was not (the pass ran eagerly). */
  cudaGraph?: true | string;
}

/**
 * A program compiled for one engine (an engine session), weights, inputs and state on the device.
 * One session serves one case in one process; its state lives as long as it does.
 */
export interface Prepared {
  /**
   * One call: `inputs` replace the bound inputs of the same names for this call and the ones after
   * it; resolves with every output by name once it is on the host (download inside). State advances.
   */
  run(inputs?: Record<string, HostTensor>): Promise<Record<string, Float32Array>>;
  /**
   * Engine-side timing, where the engine has it: `count` calls back to back, each timed on the
   * engine's own clock (e.g. CUDA events), outputs left on the device. When present the harness
   * uses it instead of timing `run()` itself.
   */
  timeSamples?(count: number): Promise<EngineSamples>;
  /** Peak memory of one call beyond what weights, inputs and state already hold, in bytes (the state advances). */
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
  /** The fused attention kernel the last call ran (e.g. torch SDPA's `flash`), where the engine reports one. */
  attentionBackend?: string;
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
  /** Compiles `program` with `weights` (the variant's) bound; see Program and Prepared. */
  prepare(program: Program, weights: Record<string, HostTensor>): Promise<Prepared>;
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
  /** Checks the engine's own settings (environment variables) before any engine starts; throws a UserError. */
  checkSettings?(): void;
  /** What a report says at its top about this backend's lines (e.g. a setting that forced a kernel); [] = nothing. */
  notices?(lines: readonly ResultLine[]): string[];
}
