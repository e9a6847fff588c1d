/**
 * Every engine/backend the harness knows, in priority order: a new engine is one file (or folder)
 * in src/engine/ exporting its `BackendEntry` list, and one line here. Engine names, ids and the
 * command line's choices are all derived from this list.
 *
 * Priority (lower first) is the expected speed on a machine that has them all: CUDA first,
 * then native CPU libraries, then WebAssembly, then pure JavaScript. On this project's 2-core
 * reference machine onnx/cpu ran `full` at N=1024 about 30× faster than tfjs/wasm (closing note
 * of #2: 20 ms vs 590 ms for full, d=512), which is why onnx/cpu precedes the tfjs CPU backends.
 */
import { ONNX_BACKENDS } from './onnx/index.ts';
import { TFJS_BACKENDS } from './tfjs.ts';
import { TORCH_BACKENDS } from './torch/index.ts';
import type { BackendEntry } from './types.ts';

export const REGISTRY: readonly BackendEntry[] = [
  ...ONNX_BACKENDS,
  ...TFJS_BACKENDS,
  ...TORCH_BACKENDS,
].sort((a, b) => a.priority - b.priority);

/** `engine/backend` of an entry, e.g. `onnx/cpu`. */
export const idOf = (e: Pick<BackendEntry, 'engine' | 'backend'>): string => `${e.engine}/${e.backend}`;

/** The engines' names, in order of their best backend: what `--engine` accepts besides `all`. */
export const ENGINE_NAMES: readonly string[] = [...new Set(REGISTRY.map((e) => e.engine))];
export const ENGINE_IDS: readonly string[] = REGISTRY.map(idOf);
