import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledWorker, ownLocation } from '../../src/run/compiled-worker.ts';
import { ROOT } from '../cli/helpers.ts';

test('ownLocation gives a module the import.meta of its source file', () => {
  const file = path.join(ROOT, 'src', 'engine', 'torch', 'client.ts');
  const code = 'const a = import.meta.url, b = import.meta.dirname, c = import.meta.filename, d = import.meta.resolve("x");';
  assert.equal(ownLocation(file, code), `const a = ${JSON.stringify(pathToFileURL(file).href)}, `
    + `b = ${JSON.stringify(path.dirname(file))}, c = ${JSON.stringify(file)}, d = import.meta.resolve("x");`);
});

test('the worker compiled from the sources: a file per code version in node_modules/.cache, each module at its own place', async () => {
  const file = await compiledWorker();
  assert.ok(file, 'node_modules/.cache is writable here');
  assert.match(path.relative(ROOT, file), /^node_modules\/\.cache\/attnbench\/worker-[0-9a-f]{16}\.mjs$/);
  assert.equal(await compiledWorker(), file, 'compiled once per process');
  const code = readFileSync(file, 'utf8');
  assert.doesNotMatch(code, /import\.meta\.(url|dirname|filename)/);
  // torch/client.ts finds worker.py beside its source; linalg/cache.ts hashes the sources beside it.
  assert.ok(code.includes(JSON.stringify(pathToFileURL(path.join(ROOT, 'src/engine/torch/client.ts')).href)));
  assert.ok(code.includes(JSON.stringify(path.join(ROOT, 'src/linalg'))));
  assert.doesNotMatch(code, /from "\.\.?\//, 'every source module inlined; packages imported from node_modules');
  assert.match(code, /^import \{ z \} from "zod";$/m);
  assert.ok(code.includes('("onnxruntime-node")'), 'onnxruntime-node required from node_modules');
});
