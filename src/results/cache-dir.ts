import os from 'node:os';
import path from 'node:path';

/**
 * The folder of the disk caches that outlive a run, safe to delete: the float64 arrays
 * (linalg/cache.ts), tfjs's batched-kernel choices (engine/tfjs-kernels.ts) and the torch probe's
 * answers (engine/torch/probe-cache.ts).
 */
export const CACHE_DIR = path.join(os.tmpdir(), 'attnbench-cache');
