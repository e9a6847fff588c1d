/**
 * Code compiled from this checkout's sources (esbuild), kept in node_modules/.cache/attnbench/ and
 * keyed by a hash of every source file, so that a process started from a source checkout loads plain
 * JavaScript instead of passing each of its modules through tsx's loader. Used for the sweep's worker
 * (compiled-worker.ts), the commands (src/cli/launch.mjs: what `npm run bench` … runs) and the test
 * files (scripts/unit-tests.ts).
 *
 * Plain JavaScript, not TypeScript: the commands' launcher runs it before anything can load TypeScript.
 * The cache lies inside the project, so that the compiled code's imports of packages resolve to the
 * project's node_modules as the sources' do. Each module keeps its own location: import.meta.url,
 * .dirname and .filename are replaced by the source file's (torch/client.ts finds worker.py beside
 * itself, linalg/cache.ts hashes the sources, run/bundled.ts tells sources from the bundle by them).
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Where compiled code is kept: inside the project, so that its imports of packages resolve as the sources' do. */
export const CACHE = path.resolve(SRC, '..', 'node_modules', '.cache', 'attnbench');

let hashed;

/**
 * A hash of every .ts and .mjs file under src/ (names and contents), read once per process: a command
 * and the workers it compiles are one code version.
 */
export function sourcesHash() {
  if (hashed !== undefined) return hashed;
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => /\.(ts|mjs)$/.test(f)).sort();
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(path.join(SRC, f))).update('\0');
  return (hashed = h.digest('hex').slice(0, 16));
}

/**
 * import.meta's .url, .dirname and .filename in source text. Spelt in pieces: this file is compiled by the
 * same replacement (the test files bundle it), which would otherwise rewrite its own pattern.
 */
const META = ['import', 'meta'].join('\\.');
const OWN_LOCATION = new RegExp(`\\b${META}\\.(url|dirname|filename)\\b`, 'g');

/**
 * Each source module's import.meta.url, .dirname and .filename, as it has them when run from the sources.
 * @param {string} file @param {string} code @returns {string}
 */
export function ownLocation(file, code) {
  const own = { url: pathToFileURL(file).href, dirname: path.dirname(file), filename: file };
  return code.replace(OWN_LOCATION, (_, key) => JSON.stringify(own[key]));
}

/**
 * Compiles `entries` (sources of this checkout, .ts) to ES modules in `outdir`, each bundling the sources
 * it imports, packages left to node_modules, every module at its own location (ownLocation); with
 * `sourceMaps`, a map inline (stack traces name the sources under --enable-source-maps).
 * @param {string[]} entries @param {string} outdir @param {string} [outbase] @param {boolean} [sourceMaps]
 * @returns {Promise<void>}
 */
export async function compileSources(entries, outdir, outbase = path.dirname(SRC), sourceMaps = false) {
  const { build } = await import('esbuild');
  const pkg = JSON.parse(readFileSync(path.resolve(SRC, '..', 'package.json'), 'utf8'));
  await build({
    entryPoints: entries, outdir, outbase, outExtension: { '.js': '.mjs' }, bundle: true, format: 'esm', platform: 'node',
    target: 'node20', packages: 'external', logLevel: 'silent', sourcemap: sourceMaps && 'inline',
    plugins: [{ name: 'own-location', setup(b) {
      b.onLoad({ filter: /\.(ts|mjs)$/ }, (a) => ({ contents: ownLocation(a.path, readFileSync(a.path, 'utf8')),
        loader: a.path.endsWith('.ts') ? 'ts' : 'js' }));
      // The package by its own name (test/index.test.ts imports 'attnbench'): its exports map's entry, as Node resolves it.
      b.onResolve({ filter: new RegExp(`^${pkg.name}$`) }, () => ({ path: path.resolve(SRC, '..', pkg.exports['.']) }));
    } }],
  });
}

/** Whether `dir` can be created and written (a read-only install: EACCES, EROFS). @param {string} dir */
function writable(dir) {
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `entry` (a path under src/) compiled to one module, `<name>-<sources hash>.mjs` in the cache, compiled
 * now if the cache lacks this code version (older versions of `name` removed). Undefined where the cache
 * cannot be written (a read-only install): the caller then runs the sources under tsx, the same code,
 * only slower to start. A failed compile throws.
 * @param {string} name @param {string} entry @returns {Promise<string | undefined>}
 */
export async function compiledEntry(name, entry) {
  if (!writable(CACHE)) return undefined;
  const out = path.join(CACHE, `${name}-${sourcesHash()}.mjs`);
  if (existsSync(out)) return out;
  const tmp = `${out}.${process.pid}.tmp`, source = path.join(SRC, entry);
  mkdirSync(tmp, { recursive: true });
  await compileSources([source], tmp, path.dirname(source));
  renameSync(path.join(tmp, `${path.basename(entry, '.ts')}.mjs`), out); // whole or absent: two processes may compile at once
  rmSync(tmp, { recursive: true, force: true });
  for (const f of readdirSync(CACHE)) if (f.startsWith(`${name}-`) && path.join(CACHE, f) !== out && !f.endsWith('.tmp')) {
    rmSync(path.join(CACHE, f), { recursive: true, force: true });
  }
  return out;
}
