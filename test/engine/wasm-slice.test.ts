/**
 * tfjs/wasm's Slice kernel copies the slice only (src/engine/tfjs-wasm-slice.ts): same values as a
 * plain index walk, on contiguous and strided slices of every rank the variants use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copySlice } from '../../src/engine/tfjs-wasm-slice.ts';
import { listEngines } from '../../src/engine/resolve.ts';
import { loadTfjs } from '../../src/engine/tfjs.ts';

const wasm = (await listEngines()).find((e) => e.id === 'tfjs/wasm' && e.available);

/** The slice by walking every output index: the definition. */
function sliceByIndex(src: Float32Array, shape: number[], begin: number[], size: number[]): Float32Array {
  const out = new Float32Array(size.reduce((a, b) => a * b, 1));
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  for (let o = 0; o < out.length; o++) {
    let rest = o, from = 0;
    for (let i = size.length - 1; i >= 0; i--) {
      from += (begin[i] + (rest % size[i])) * strides[i];
      rest = Math.floor(rest / size[i]);
    }
    out[o] = src[from];
  }
  return out;
}

const CASES: Array<[number[], number[], number[]]> = [
  [[7], [2], [4]],
  [[5, 6], [1, 2], [3, 3]],
  [[5, 6], [2, 0], [2, 6]],
  [[3, 4, 5], [1, 0, 0], [1, 4, 5]],
  [[3, 4, 5], [0, 1, 2], [3, 2, 3]],
  [[2, 3, 4, 5], [0, 1, 0, 1], [2, 2, 4, 4]],
  [[2, 3, 4, 5], [1, 0, 2, 0], [1, 3, 2, 5]],
  [[2, 2, 3, 4, 5], [0, 1, 1, 0, 2], [2, 1, 2, 4, 3]],
];

test('copySlice gives every element of the slice, in order', () => {
  for (const [shape, begin, size] of CASES) {
    const src = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i);
    const out = new Float32Array(size.reduce((a, b) => a * b, 1)).fill(-1);
    copySlice(src, shape, begin, size, out);
    assert.deepEqual(out, sliceByIndex(src, shape, begin, size), `shape ${shape} begin ${begin} size ${size}`);
  }
});

test('tfjs/wasm: tf.slice runs the in-place kernel and gives the slice', { skip: !wasm }, async () => {
  const tf = await loadTfjs('wasm');
  for (const [shape, begin, size] of CASES) {
    const src = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => i * 0.5 - 3);
    const x = tf.tensor(src, shape), y = tf.slice(x, begin, size);
    assert.deepEqual(await y.data(), sliceByIndex(src, shape, begin, size), `shape ${shape} begin ${begin} size ${size}`);
    tf.dispose([x, y]);
  }
  const a = tf.tensor([1, 2, 3, 4], [2, 2], 'int32');
  assert.deepEqual(Array.from(await tf.slice(a, [1, 0], [1, 2]).data()), [3, 4], 'int32 too');
});
