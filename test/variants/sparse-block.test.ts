import { test } from 'node:test';
import assert from 'node:assert/strict';
import { full } from '../../src/variants/full.ts';
import { blockGroups, MASKED } from '../../src/variants/block-slots.ts';
import { blockSparseKeys, blockSparsePattern, sparseBlock } from '../../src/variants/sparse-block.ts';
import { errorVsFull, hasSquareProduct } from './cases.ts';

const at = (seqLen: number) => ({ batch: 1, seqLen, dModel: 16, heads: 2 });
const range = (a: number, b: number) => [...Array(b - a + 1).keys()].map((i) => a + i);
const keys = (N: number, o: object, i: number) =>
  blockSparseKeys(at(N), sparseBlock.options.parse(o), i).sort((a, b) => a - b);

test('defaults: blocks of 64, 16 global tokens, no random blocks, products chosen by the engine', () => {
  assert.deepEqual(sparseBlock.options.parse({}), { block: 64, globalTokens: 16, randomBlocks: 0, products: 'auto' });
});

test('pattern: global rows see everything; others see globals and blocks b−1..b+1', () => {
  const o = { block: 4, globalTokens: 2 };
  assert.deepEqual(keys(14, o, 1), range(0, 13));
  assert.deepEqual(keys(14, o, 5), range(0, 11));
  assert.deepEqual(keys(14, o, 13), [0, 1, ...range(8, 13)]);
});

test('random blocks: r distinct non-neighbour blocks per query block, fixed per shape', () => {
  const o = { block: 4, globalTokens: 0, randomBlocks: 2 };
  for (let b = 1; b < 7; b++) {
    const ks = keys(32, o, 4 * b);
    assert.equal(ks.length, 5 * 4, `block ${b}: 3 window blocks + 2 random blocks`);
    const far = [...new Set(ks.map((j) => Math.floor(j / 4)))].filter((c) => Math.abs(c - b) > 1);
    assert.equal(far.length, 2);
  }
  assert.deepEqual(keys(32, o, 12), keys(32, o, 12));
});

test('global tokens covering the sequence, or one block, is full attention', async () => {
  assert.ok(await errorVsFull(sparseBlock, at(10), { block: 4, globalTokens: 10 }) < 1e-4);
  assert.ok(await errorVsFull(sparseBlock, at(10), { block: 16, globalTokens: 0 }) < 1e-4);
  assert.ok(await errorVsFull(sparseBlock, at(30), { block: 4, globalTokens: 2 }) > 1e-2);
});

test('really sparse: no N×N product, and FLOPs linear in N', () => {
  for (const o of [{ block: 8, globalTokens: 4, randomBlocks: 1 }, { block: 8, globalTokens: 0 }]) {
    const opts = sparseBlock.options.parse(o);
    assert.equal(hasSquareProduct(sparseBlock, at(256), opts), false);
    assert.equal(sparseBlock.flops(at(2048), opts), 2 * sparseBlock.flops(at(1024), opts));
  }
  assert.equal(hasSquareProduct(full, at(256), {}), true);
});

test('query blocks with a masked slot form their own group; the rest take no mask at all', () => {
  // N=64, W=8, G=2: block 0 lacks a left neighbour and holds keys 0, 1 twice (as globals and in its
  // slots), block 1's left neighbour holds them, block 7 lacks a right neighbour.
  const o = sparseBlock.options.parse({ block: 8, globalTokens: 2 });
  const [masked, clean, ...rest] = blockGroups(blockSparsePattern(at(64), o), 2);
  assert.deepEqual([masked.blocks, clean.blocks, rest], [[0, 1, 7], [2, 3, 4, 5, 6], []]);
  assert.equal(clean.mask, undefined);
  assert.equal(masked.mask!.length, 3 * 8 * (3 * 8 + 2));
  // Block 0, row 0: its left slot group (a stand-in) and its keys 0, 1 are masked; the global columns are not.
  const row = [...masked.mask!.subarray(0, 26)].map((m) => (m === MASKED ? 1 : 0));
  assert.deepEqual(row, [...Array(8).fill(1), 1, 1, ...Array(14).fill(0), 0, 0]);
  // Fewer clean blocks than masked ones (N=32: blocks 0, 1, 3 masked, block 2 clean): one group.
  assert.equal(blockGroups(blockSparsePattern(at(32), o), 2).length, 1);
});
