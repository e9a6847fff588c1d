/**
 * The worker process's code as one ES module compiled from the sources (esbuild), so that a worker
 * started from a source checkout loads plain JavaScript instead of passing each of its ~65 modules
 * through tsx's loader. Measured here (`node --import tsx -e "await import('./src/run/worker.ts')"`
 * vs the compiled file): 1.37 s vs 0.55 s of start-up, once per worker process (a default run starts
 * one per phase; `npm test` about 30).
 *
 * The file is kept in node_modules/.cache/attnbench/, keyed by a hash of every source file (a change
 * anywhere in src/ compiles again), inside the project so that its imports of packages resolve to
 * the project's node_modules as the sources' do. Each module keeps its own location: import.meta.url,
 * .dirname and .filename are replaced by the source file's (torch/client.ts finds worker.py beside
 * itself, linalg/cache.ts hashes the sources, run/bundled.ts tells sources from the bundle by them).
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(SRC, 'run', 'worker.ts');
/** Where compiled code is kept: inside the project, so that its imports of packages resolve as the sources' do. */
export const CACHE = path.resolve(SRC, '..', 'node_modules', '.cache', 'attnbench');

/** A hash of every .ts file under src/ (names and contents). */
function sourcesHash(): string {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(path.join(SRC, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

/**
 * import.meta's .url, .dirname and .filename in source text. Spelt in pieces: this file is compiled by the
 * same replacement (the test files bundle it), which would otherwise rewrite its own pattern.
 */
const META = ['import', 'meta'].join('\\.');
const OWN_LOCATION = new RegExp(`\\b${META}\\.(url|dirname|filename)\\b`, 'g');

/** Each source module's import.meta.url, .dirname and .filename, as it has them when run from the sources. */
export function ownLocation(file: string, code: string): string {
  const own: Record<string, string> = { url: pathToFileURL(file).href, dirname: path.dirname(file), filename: file };
  return code.replace(OWN_LOCATION, (_, key: string) => JSON.stringify(own[key]));
}

/**
 * Compiles `entries` (sources of this checkout, .ts) to ES modules in `outdir`, each bundling the sources
 * it imports, packages left to node_modules, every module at its own location (ownLocation); with
 * `sourceMaps`, a map inline (stack traces name the sources under --enable-source-maps). Also used by
 * scripts/unit-tests.ts for the test files.
 */
export async function compileSources(entries: string[], outdir: string, outbase = path.dirname(SRC), sourceMaps = false): Promise<void> {
  const { build } = await import('esbuild');
  const pkg = JSON.parse(readFileSync(path.resolve(SRC, '..', 'package.json'), 'utf8')) as { name: string; exports: Record<'.', string> };
  await build({
    entryPoints: entries, outdir, outbase, outExtension: { '.js': '.mjs' }, bundle: true, format: 'esm', platform: 'node',
    target: 'node20', packages: 'external', logLevel: 'silent', sourcemap: sourceMaps && 'inline',
    plugins: [{ name: 'own-location', setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (a) => ({ contents: ownLocation(a.path, readFileSync(a.path, 'utf8')), loader: 'ts' }));
      // The package by its own name (test/index.test.ts imports 'attnbench'): its exports map's entry, as Node resolves it.
      b.onResolve({ filter: new RegExp(`^${pkg.name}$`) }, () => ({ path: path.resolve(SRC, '..', pkg.exports['.']) }));
    } }],
  });
}

async function compile(out: string): Promise<void> {
  const tmp = `${out}.${process.pid}.tmp`;
  mkdirSync(tmp, { recursive: true });
  await compileSources([ENTRY], tmp, path.dirname(ENTRY));
  renameSync(path.join(tmp, 'worker.mjs'), out); // whole or absent: two sweeps may compile at once
  rmSync(tmp, { recursive: true, force: true });
  for (const f of readdirSync(CACHE)) if (f.startsWith('worker-') && path.join(CACHE, f) !== out && !f.endsWith('.tmp')) {
    rmSync(path.join(CACHE, f), { recursive: true, force: true });
  }
}

let compiled: Promise<string | undefined> | undefined;

/** Whether `dir` can be created and written (a read-only install: EACCES, EROFS). */
function writable(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The compiled worker's path, compiled at the first call of this process if the cache lacks this code
 * version. Undefined where the cache cannot be written (a read-only install): the worker then runs
 * from the sources under tsx, the same code and results, only slower to start. A failed compile throws.
 */
export function compiledWorker(): Promise<string | undefined> {
  compiled ??= (async () => {
    if (!writable(CACHE)) return undefined;
    const out = path.join(CACHE, `worker-${sourcesHash()}.mjs`);
    if (!existsSync(out)) await compile(out);
    return out;
  })();
  return compiled;
}
