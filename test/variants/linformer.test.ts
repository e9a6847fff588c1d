import { test } from 'node:test';
import assert from 'node:assert/strict';
import { full } from '../../src/variants/full.ts';
import { linformer } from '../../src/variants/linformer.ts';
import { errorVsFull, hasSquareProduct } from './cases.ts';

const at = (seqLen: number) => ({ batch: 2, seqLen, dModel: 16, heads: 2 });
const parse = (o: object) => linformer.options.parse(o);

test('identity projections with k ≥ N are full attention; a Gaussian k < N is not', async () => {
  assert.ok(await errorVsFull(linformer, at(11), { k: 11, projection: 'identity' }) < 1e-4);
  assert.ok(await errorVsFull(linformer, at(11), { k: 300, projection: 'identity' }) < 1e-4);
  assert.ok(await errorVsFull(linformer, at(11), { k: 4 }) > 1e-2);
});

test('params include E and F [k×N]: they depend on N; k > N is clamped to N', () => {
  const base = full.params(at(100), {}).total;
  assert.equal(linformer.params(at(100), parse({ k: 32 })).total, base + 2 * 32 * 100);
  assert.equal(linformer.params(at(200), parse({ k: 32 })).total, base + 2 * 32 * 200);
  assert.equal(linformer.params(at(20), parse({ k: 32 })).total, base + 2 * 20 * 20);
});

test('really linear: no N×N product, and FLOPs linear in N for a fixed k', () => {
  const o = parse({ k: 32 });
  assert.equal(hasSquareProduct(linformer, at(256), o), false);
  assert.equal(linformer.flops(at(2048), o), 2 * linformer.flops(at(1024), o));
});
