import type { HostTensor, Ops } from './ops.ts';

/** A variant's forward pass, bound to its options: the only code that does math. */
export type ForwardFn = <T>(ops: Ops<T>, x: T, w: Record<string, T>) => T;

export type EngineName = 'tfjs' | 'onnx';

/** What an engine/backend can do; a case that needs more is skipped with the reason. */
export interface Capabilities {
  /** Can compute gradients (training mode). */
  gradients: boolean;
  /** Runs on a CUDA device. */
  cuda: boolean;
  /** How peak memory is measured on this engine (recorded as `memory.source`). */
  memorySource: string;
}

/** One engine/backend as found on this machine. */
export interface EngineInfo {
  engine: EngineName;
  backend: string;
  /** `engine/backend`, e.g. `onnx/cpu`. */
  id: string;
  /** Lower runs first when the user does not choose; see resolve.ts. */
  priority: number;
  available: boolean;
  /** Why it is not available (one line), when it is not. */
  reason?: string;
  version?: string;
  device?: string;
  /** Threads the engine computes with (intra-op), where it says. */
  threads?: number;
  capabilities?: Capabilities;
}

/** A forward pass compiled for one engine, with weights and input already on the device. */
export interface Prepared {
  /** One forward pass; resolves when the output is on the host (download inside, every engine). */
  run(): Promise<Float32Array>;
  /** Peak memory of one forward pass beyond what weights and input already hold, in bytes. */
  peakMemory(): Promise<{ peakBytes: number; source: string }>;
  dispose(): Promise<void>;
}

export interface Engine {
  info: EngineInfo;
  prepare(forward: ForwardFn, weights: Record<string, HostTensor>, input: HostTensor): Promise<Prepared>;
}

/** The first non-empty line of an error message: reasons are one line. */
export function firstLine(msg: string): string {
  return msg.split('\n').find((l) => l.trim() !== '')?.trim() ?? msg;
}
