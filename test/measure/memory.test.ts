import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listEngines } from '../../src/engine/resolve.ts';
import { KERNEL_ENV, type BatchedKernel } from '../../src/engine/tfjs-kernels.ts';
import { checkCase, Workers } from '../../src/run/pool.ts';
import { resolveVariant, type Case } from '../../src/run/plan.ts';
import type { EngineInfo } from '../../src/engine/types.ts';

const engines = (await listEngines()).filter((i) => i.available && i.id !== 'tfjs/cpu');

/** Runs `measure` with the workers of one phase, as a sweep's checks run: `kernel` forced in them, process.env restored after. */
async function withWorkers<T>(kernel: BatchedKernel | undefined, measure: (w: Workers) => Promise<T>): Promise<T> {
  const before = process.env[KERNEL_ENV];
  if (kernel) process.env[KERNEL_ENV] = kernel; // the workers inherit it
  const workers = new Workers({ timeoutMs: 120_000, heapMb: 4096 });
  try {
    return await measure(workers);
  } finally {
    workers.close();
    if (before === undefined) delete process.env[KERNEL_ENV];
    else process.env[KERNEL_ENV] = before;
  }
}

async function peak(workers: Workers, engine: EngineInfo, kernel: BatchedKernel | undefined,
  spec: string | { name: string; options: Record<string, unknown> }, seqLen: number): Promise<number> {
  const v = resolveVariant(spec);
  const c: Case = { caseId: `${v.label}-${seqLen}`, runId: 'mem', mode: 'inference', variant: v.name, options: v.options,
    label: v.label, engine,
    shape: { batch: 1, seqLen, dModel: 64, heads: 4 }, seed: 3, weights: { init: 'gaussian' }, input: { input: 'gaussian' },
    timing: { rounds: 1, timeMs: 30, warmupMs: 10, warmupIterations: 1, minSamples: 3, targetRme: 50, downloadInside: true } };
  const line = await checkCase(c, workers);
  assert.equal(line.status, 'ok', line.status !== 'ok' ? line.reason : '');
  if (kernel && line.status === 'ok') {
    assert.ok(line.kernels?.length && line.kernels.every((k) => k.kernel === kernel && k.source === 'forced'));
  }
  return line.status === 'ok' && line.mode === 'inference' ? line.memory.peakBytes ?? NaN : NaN;
}

// Pairs of N large enough that the growing terms dominate. tfjs/wasm runs each batched product on
// the kernel measured faster, a loop of 2-D products or its batched kernel, and the two allocate
// differently (a loop copies its slices): a choice that flipped between the two N of a pair moved
// full's ratio to 4.95 in CI. So each kernel is held for the whole pair, as a user comparing peaks would hold it.
for (const engine of engines) {
  for (const kernel of engine.id === 'tfjs/wasm' ? (['loop', 'batched'] as const) : [undefined]) {
    test(`${engine.id}${kernel ? ` (${kernel} kernel)` : ''}: measured peak memory grows ≈4× for full and ≈2× for sparse-window `
      + 'when N doubles', () => withWorkers(kernel, async (w) => {
      const fullRatio = (await peak(w, engine, kernel, 'full', 1024)) / (await peak(w, engine, kernel, 'full', 512));
      assert.ok(fullRatio > 3.2 && fullRatio < 4.6, `full: ×${fullRatio.toFixed(2)}`);
      // Batched: the kernel held is then the one its products run on (per block, tfjs/wasm's default, issues 2-D products only).
      const window = { name: 'sparse-window', options: { window: 64, products: 'batched' } };
      const windowRatio = (await peak(w, engine, kernel, window, 4096)) / (await peak(w, engine, kernel, window, 2048));
      assert.ok(windowRatio > 1.6 && windowRatio < 2.5, `sparse-window: ×${windowRatio.toFixed(2)}`);
    }));
  }
}

const kernelAtStart = process.env[KERNEL_ENV];
test('the kernel tests leave process.env as they found it', () => {
  assert.equal(process.env[KERNEL_ENV], kernelAtStart);
});
