import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listEngines } from '../../src/engine/resolve.ts';
import { checkCase, Workers } from '../../src/run/pool.ts';
import { resolveVariant, type Case } from '../../src/run/plan.ts';
import type { EngineInfo } from '../../src/engine/types.ts';

const engines = (await listEngines()).filter((i) => i.available && i.id !== 'tfjs/cpu');

async function peak(engine: EngineInfo, spec: string | { name: string; options: Record<string, unknown> },
  seqLen: number): Promise<number> {
  const v = resolveVariant(spec);
  const c: Case = { caseId: `${v.label}-${seqLen}`, runId: 'mem', mode: 'inference', variant: v.name, options: v.options,
    label: v.label, engine,
    shape: { batch: 1, seqLen, dModel: 64, heads: 4 }, seed: 3, weights: { init: 'gaussian' }, input: { input: 'gaussian' },
    timing: { timeMs: 30, warmupMs: 10, warmupIterations: 1, minSamples: 3, targetRme: 50, downloadInside: true } };
  const workers = new Workers({ timeoutMs: 120_000, heapMb: 4096 });
  const line = await checkCase(c, workers).finally(() => workers.close());
  assert.equal(line.status, 'ok', line.status !== 'ok' ? line.reason : '');
  return line.status === 'ok' && line.mode !== 'train' ? line.memory.peakBytes ?? NaN : NaN;
}

// Pairs of N large enough that the growing terms dominate, and on which each engine runs the same
// kernel sequence (tfjs/wasm switches between a loop of 2-D products and its batched kernel by size,
// which changes what a pass allocates).
for (const engine of engines) {
  test(`${engine.id}: measured peak memory grows ≈4× for full and ≈2× for sparse-window when N doubles`, async () => {
    const fullRatio = (await peak(engine, 'full', 1024)) / (await peak(engine, 'full', 512));
    assert.ok(fullRatio > 3.2 && fullRatio < 4.6, `full: ×${fullRatio.toFixed(2)}`);
    const window = { name: 'sparse-window', options: { window: 64 } };
    const windowRatio = (await peak(engine, window, 4096)) / (await peak(engine, window, 2048));
    assert.ok(windowRatio > 1.6 && windowRatio < 2.5, `sparse-window: ×${windowRatio.toFixed(2)}`);
  });
}
