/**
 * Whether this code runs from the bundle (scripts/bundle.mjs: dist/attnbench/attnbench.mjs, bare
 * Node, no tsx) or from the sources (.ts under tsx): what the sweep starts as a worker and where the
 * built-in suites are differ between the two.
 */
export const BUNDLED = import.meta.url.endsWith('.mjs');

/** A file beside the bundle's entry, e.g. `worker.mjs`, `bench/`. */
export const besideBundle = (name: string): URL => new URL(`./${name}`, import.meta.url);
