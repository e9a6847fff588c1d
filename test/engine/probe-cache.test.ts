import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cachedProbe } from '../../src/engine/torch/probe-cache.ts';
import { workerScript } from '../../src/engine/torch/client.ts';
import { tmpDir } from '../cli/helpers.ts';

/** An "interpreter" that answers the fingerprint with `line` (and nothing else is asked of it: run is the test's). */
function interpreter(dir: string, name: string, line: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\necho '${line}'\n`);
  chmodSync(file, 0o755);
  return file;
}

const FINGERPRINT = '["attnbench-torch-fingerprint", "/usr/bin/python3.12", "3.12.1", "/site/torch/__init__.py", [1700000000, 2048], null]';

test('the torch probe runs once per interpreter and environment; a failed answer, or no fingerprint, is not kept', async () => {
  const dir = tmpDir(), cache = path.join(dir, 'cache'), python = interpreter(dir, 'python', FINGERPRINT);
  let runs = 0;
  const probe = (answer: { ok: boolean; version?: string }) => () => { runs++; return Promise.resolve(answer); };
  const found = { ok: true, version: '2.11.0' };
  assert.deepEqual(await cachedProbe(python, workerScript(), probe(found), cache), found);
  assert.deepEqual(await cachedProbe(python, workerScript(), probe({ ok: true, version: 'not asked' }), cache), found);
  assert.equal(runs, 1, 'the second answer read from the cache');
  assert.equal(readdirSync(cache).filter((f) => /^torch-probe-[0-9a-f]{24}\.json$/.test(f)).length, 1);

  const was = process.env.CUDA_VISIBLE_DEVICES;
  process.env.CUDA_VISIBLE_DEVICES = '1';
  try {
    assert.equal((await cachedProbe(python, workerScript(), probe({ ok: true, version: 'device 1' }), cache)).version, 'device 1');
  } finally {
    if (was === undefined) delete process.env.CUDA_VISIBLE_DEVICES; else process.env.CUDA_VISIBLE_DEVICES = was;
  }
  assert.equal(runs, 2, 'another CUDA_VISIBLE_DEVICES is another key');

  const other = interpreter(dir, 'python-upgraded', FINGERPRINT.replace('1700000000', '1800000000'));
  await cachedProbe(other, workerScript(), probe({ ok: false }), cache);
  await cachedProbe(other, workerScript(), probe({ ok: false }), cache);
  assert.equal(runs, 4, 'torch reinstalled is another key; an answer without torch is asked again');

  const stub = interpreter(dir, 'python-stub', 'something else');
  await cachedProbe(stub, workerScript(), probe(found), cache);
  await cachedProbe(stub, workerScript(), probe(found), cache);
  assert.equal(runs, 6, 'no fingerprint: nothing kept');
  assert.equal(readdirSync(cache).filter((f) => f.endsWith('.json')).length, 2);
});
