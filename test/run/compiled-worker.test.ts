import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledWorker, ownLocation } from '../../src/run/compiled-worker.ts';
import { compiledEntry, sourcesHash } from '../../src/run/compile-sources.mjs';
import { ROOT } from '../cli/helpers.ts';

test('ownLocation gives a module the import.meta of its source file', () => {
  const file = path.join(ROOT, 'src', 'engine', 'torch', 'client.ts');
  const meta = ['import', 'meta'].join('.'); // not spelled out: this file is compiled by the same replacement (npm run test:unit)
  const code = `const a = ${meta}.url, b = ${meta}.dirname, c = ${meta}.filename, d = ${meta}.resolve("x");`;
  assert.equal(ownLocation(file, code), `const a = ${JSON.stringify(pathToFileURL(file).href)}, `
    + `b = ${JSON.stringify(path.dirname(file))}, c = ${JSON.stringify(file)}, d = ${meta}.resolve("x");`);
});

test('the worker compiled from the sources: a file per code version in node_modules/.cache, each module at its own place', async () => {
  const file = await compiledWorker();
  assert.ok(file, 'node_modules/.cache is writable here');
  assert.match(path.relative(ROOT, file), /^node_modules\/\.cache\/attnbench\/worker-[0-9a-f]{16}\.mjs$/);
  assert.equal(await compiledWorker(), file, 'compiled once per process');
  const code = readFileSync(file, 'utf8');
  assert.doesNotMatch(code, new RegExp(`${['import', 'meta'].join('\\.')}\\.(url|dirname|filename)`));
  // torch/client.ts finds worker.py beside its source; linalg/cache.ts hashes the sources beside it.
  assert.ok(code.includes(JSON.stringify(pathToFileURL(path.join(ROOT, 'src/engine/torch/client.ts')).href)));
  assert.ok(code.includes(JSON.stringify(path.join(ROOT, 'src/linalg'))));
  assert.doesNotMatch(code, /from "\.\.?\//, 'every source module inlined; packages imported from node_modules');
  assert.match(code, /^import \{ z \} from "zod";$/m);
  assert.ok(code.includes('("onnxruntime-node")'), 'onnxruntime-node required from node_modules');
});

test('the commands compiled for npm run (src/cli/launch.mjs): one file per code version beside the worker, sources inlined', async () => {
  const file = await compiledEntry('cli', 'cli/attnbench.ts');
  assert.ok(file, 'node_modules/.cache is writable here');
  assert.match(path.relative(ROOT, file), new RegExp(`^node_modules/\\.cache/attnbench/cli-${sourcesHash()}\\.mjs$`));
  const code = readFileSync(file, 'utf8');
  assert.doesNotMatch(code, /from "\.\.?\//, 'every source module inlined');
  // run/suite.ts finds the built-in suites beside its source, not beside the compiled file.
  assert.ok(code.includes(JSON.stringify(pathToFileURL(path.join(ROOT, 'src/run/suite.ts')).href)));
  const launcher = readFileSync(path.join(ROOT, 'src/cli/launch.mjs'), 'utf8');
  assert.match(launcher, /compiledEntry\('cli', 'cli\/attnbench\.ts'\)/);
});
