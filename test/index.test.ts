import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { runSuite, VARIANTS } from 'attnbench';
import { tmpDir } from './cli/helpers.ts';

test('the library entry: VARIANTS is the registry, runSuite measures a suite and writes its run folder', async () => {
  assert.deepEqual(Object.keys(VARIANTS), ['full', 'lora', 'svd', 'sparse-window', 'sparse-block', 'linformer', 'flash']);
  const out = tmpDir();
  const { dir, lines } = await runSuite({ name: 'lib', variants: ['full'], seqLen: [16], dModel: 16, heads: 2, engines: ['onnx/cpu'],
    timing: { timeMs: 20, warmupMs: 5, minSamples: 5 } }, { out });
  assert.equal(dir, out);
  assert.equal(lines.length, 1);
  const [line] = lines;
  assert.equal(line.status, 'ok');
  assert.equal(line.caseId, 'full attention|onnx/cpu|B1N16D16H2');
  assert.ok(line.status === 'ok' && line.mode === 'inference' && line.accuracy.relErr !== null && line.accuracy.relErr < 1e-4);
  assert.ok(existsSync(path.join(out, 'report.html')));
});
