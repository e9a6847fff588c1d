import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cachedArray, codeVersion } from '../../src/linalg/cache.ts';
import { tmpDir } from '../cli/helpers.ts';

test('a cached array reads back exactly, small (pooled buffer) and large', () => {
  for (const n of [3, 100, 5000]) {
    const key = `cache-test:${n}:${process.pid}:${Date.now()}`;
    const made = Float64Array.from({ length: n }, (_, i) => i * 0.5 - 1);
    let builds = 0;
    const first = cachedArray(Float64Array, key, () => { builds++; return made; });
    const again = cachedArray(Float64Array, key, () => { builds++; return new Float64Array(n); });
    assert.equal(builds, 1, 'built once');
    assert.deepEqual(Array.from(again), Array.from(first));
    const f32 = cachedArray(Float32Array, `${key}:f32`, () => Float32Array.of(1.5, -2, 3));
    assert.deepEqual(Array.from(cachedArray(Float32Array, `${key}:f32`, () => new Float32Array(3))), Array.from(f32));
  }
});

test('the code is in the key: another code version builds again; a change to a linalg or variants source changes the version', () => {
  const key = `cache-version-test:${process.pid}:${Date.now()}`;
  let builds = 0;
  const build = () => { builds++; return Float64Array.of(builds); };
  assert.deepEqual(Array.from(cachedArray(Float64Array, key, build, 'code-a')), [1]);
  assert.deepEqual(Array.from(cachedArray(Float64Array, key, build, 'code-a')), [1], 'same code: read back');
  assert.deepEqual(Array.from(cachedArray(Float64Array, key, build, 'code-b')), [2], 'new code: built again, never the stale array');
  const src = path.join(tmpDir(), 'src');
  for (const [f, text] of [['linalg/svd.ts', 'export const a = 1;'], ['variants/svd.ts', 'x'], ['cli/bench.ts', 'y']]) {
    mkdirSync(path.dirname(path.join(src, f)), { recursive: true });
    writeFileSync(path.join(src, f), text);
  }
  const before = codeVersion(src);
  writeFileSync(path.join(src, 'cli/bench.ts'), 'changed');
  assert.equal(codeVersion(src), before, 'code that computes no cached array is not in the key');
  writeFileSync(path.join(src, 'linalg/svd.ts'), 'export const a = 2;');
  const after = codeVersion(src);
  assert.notEqual(after, before);
  writeFileSync(path.join(src, 'variants/svd.ts'), 'x2');
  assert.notEqual(codeVersion(src), after);
  assert.equal(codeVersion(), codeVersion(), 'this checkout\'s version is stable');
});
