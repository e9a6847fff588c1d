import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedArray } from '../../src/linalg/cache.ts';

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
