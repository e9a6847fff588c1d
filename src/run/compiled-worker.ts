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
const CACHE = path.resolve(SRC, '..', 'node_modules', '.cache', 'attnbench');

/** A hash of every .ts file under src/ (names and contents). */
function sourcesHash(): string {
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort();
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(path.join(SRC, f))).update('\0');
  return h.digest('hex').slice(0, 16);
}

/** Each source module's import.meta.url, .dirname and .filename, as it has them when run from the sources. */
export function ownLocation(file: string, code: string): string {
  return code.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(file).href))
    .replaceAll('import.meta.dirname', JSON.stringify(path.dirname(file)))
    .replaceAll('import.meta.filename', JSON.stringify(file));
}

async function compile(out: string): Promise<void> {
  const { build } = await import('esbuild');
  const tmp = `${out}.${process.pid}.tmp`;
  await build({
    entryPoints: [ENTRY], outfile: tmp, bundle: true, format: 'esm', platform: 'node', target: 'node20',
    packages: 'external', logLevel: 'silent',
    plugins: [{ name: 'own-location', setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (a) => ({ contents: ownLocation(a.path, readFileSync(a.path, 'utf8')), loader: 'ts' }));
    } }],
  });
  renameSync(tmp, out); // whole or absent: two sweeps may compile at once
  for (const f of readdirSync(CACHE)) if (f.startsWith('worker-') && path.join(CACHE, f) !== out && !f.endsWith('.tmp')) {
    rmSync(path.join(CACHE, f), { force: true });
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
