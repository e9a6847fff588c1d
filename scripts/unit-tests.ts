/**
 * `npm run test:unit [-- FILE.test.ts …]`: the test files (default: test/*.test.ts and test/*\/*.test.ts)
 * compiled to ES modules in node_modules/.cache/attnbench/tests/ (compileSources: the sources each
 * imports bundled in, every module at its own location, source maps inline), then node:test over them
 * on plain Node, two files at a time. Under tsx's loader every test process paid about 1 s of CPU
 * resolving and transforming its modules (test/engine/engines.test.ts: 2.3 s of CPU under tsx, 1.2 s
 * compiled; 70 files on 2 cores). The commands and workers the tests spawn run as users run them.
 * A test file alone runs as ever: `node --import tsx --test test/x.test.ts`.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CACHE, compileSources } from '../src/run/compiled-worker.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(CACHE, 'tests');

/** test/*.test.ts and test/<folder>/*.test.ts, as the shell's glob of package.json used to give them. */
function testFiles(): string[] {
  const dir = path.join(ROOT, 'test');
  const top = readdirSync(dir, { withFileTypes: true });
  return [
    ...top.filter((e) => e.isFile() && e.name.endsWith('.test.ts')).map((e) => path.join(dir, e.name)),
    ...top.filter((e) => e.isDirectory()).flatMap((d) => readdirSync(path.join(dir, d.name))
      .filter((f) => f.endsWith('.test.ts')).map((f) => path.join(dir, d.name, f))),
  ].sort();
}

const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => path.resolve(f)) : testFiles();
rmSync(OUT, { recursive: true, force: true });
await compileSources(files, OUT, ROOT, true);
const compiled = files.map((f) => path.join(OUT, path.relative(ROOT, f)).replace(/\.ts$/, '.mjs'));
const r = spawnSync(process.execPath, ['--enable-source-maps', '--test', '--test-concurrency=2', '--test-reporter=spec', ...compiled],
  { cwd: ROOT, stdio: 'inherit' });
process.exit(r.status ?? 1);
