/**
 * The worker process's code as one ES module compiled from the sources (compile-sources.mjs), so that a
 * worker started from a source checkout loads plain JavaScript instead of passing each of its ~65
 * modules through tsx's loader. Measured here (`node --import tsx -e "await import('./src/run/worker.ts')"`
 * vs the compiled file): 1.37 s vs 0.55 s of start-up, once per worker process (a default run starts
 * one per phase; `npm test` about 30).
 */
import { compiledEntry } from './compile-sources.mjs';

export { CACHE, compileSources, ownLocation } from './compile-sources.mjs';

let compiled: Promise<string | undefined> | undefined;

/**
 * The compiled worker's path, compiled at the first call of this process if the cache lacks this code
 * version. Undefined where the cache cannot be written (a read-only install): the worker then runs
 * from the sources under tsx, the same code and results, only slower to start. A failed compile throws.
 */
export function compiledWorker(): Promise<string | undefined> {
  compiled ??= compiledEntry('worker', 'run/worker.ts');
  return compiled;
}
