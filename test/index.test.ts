import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readRunMeta } from '../src/results/store.ts';
import { runSuite, VARIANTS } from 'attnbench';
import { tmpDir } from './cli/helpers.ts';

test('the library entry: VARIANTS is the registry, runSuite measures a suite and writes its run folder', async () => {
  assert.deepEqual(Object.keys(VARIANTS), ['full', 'lora', 'svd', 'sparse-window', 'sparse-block', 'linformer', 'flash',
    'yardstick']);
  const out = tmpDir();
  const { dir, lines } = await runSuite({ name: 'lib', variants: ['full'], seqLen: [16], dModel: 16, heads: 2, engines: ['onnx/cpu'],
    timing: { timeMs: 20, warmupMs: 5, minSamples: 5, rounds: 1 } }, { out, ceilings: false });
  assert.equal(dir, out);
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.equal(line.status, 'ok');
  assert.equal(line.caseId, 'full attention|onnx/cpu|B1N16D16H2');
  assert.ok(line.status === 'ok' && line.mode === 'inference' && line.accuracy.relErr !== null && line.accuracy.relErr < 1e-4);
  assert.ok(existsSync(path.join(out, 'report.html')));
  assert.deepEqual(readRunMeta(out)!.ceilings, {}, 'ceilings: false measures none');
});

test('runSuite takes a shard: an empty one (more shards than comparison groups) measures nothing and records what it is', async () => {
  const out = tmpDir();
  const { lines } = await runSuite({ name: 'lib', variants: ['full'], seqLen: [16], dModel: 16, heads: 2, engines: ['onnx/cpu'] },
    { out, shard: { index: 2, count: 2 } });
  assert.deepEqual(lines, []);
  const meta = readRunMeta(out)!;
  assert.deepEqual([meta.shard, meta.cases, meta.plan?.cases, meta.ceilings], [{ index: 2, count: 2 }, 0, 1, {}]);
  assert.match(meta.plan!.fingerprint, /^sha256:/);
  assert.equal(meta.machine, os.hostname());
  assert.ok(existsSync(path.join(out, 'report.html')), 'an empty shard still has its report');
});
