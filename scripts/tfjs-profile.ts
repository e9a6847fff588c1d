/**
 * Where a variant's time goes on tfjs/wasm: its forward pass runs as a case runs it (kernels chosen
 * as the harness chooses them, src/engine/tfjs-kernels.ts) inside tf.profile, and the time of each
 * kernel is added up per kernel name and per kernel with its input shapes, averaged over the
 * profiled runs; the rest of the pass's wall time is tfjs's own per-op work outside the kernels.
 *   npx tsx scripts/tfjs-profile.ts --variant sparse-window [--options '{"window":256}'] [--seq 1024] [--runs 3] [--top 15]
 * Not a test: timings on a shared machine; run it under /work/coord/cpu or on a quiet one.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import type * as TF from '@tensorflow/tfjs';
import { createEngine, listEngines } from '../src/engine/resolve.ts';
import { prepareForward } from '../src/engine/types.ts';
import { buildConfiguration, caseData } from '../src/measure/case.ts';
import { resolveVariant } from '../src/run/plan.ts';

const { values: a } = parseArgs({ options: {
  variant: { type: 'string', default: 'sparse-window' }, options: { type: 'string', default: '{}' },
  seq: { type: 'string', default: '1024' }, 'd-model': { type: 'string', default: '512' }, heads: { type: 'string', default: '8' },
  runs: { type: 'string', default: '3' }, top: { type: 'string', default: '15' } } });
const shape = { batch: 1, seqLen: Number(a.seq), dModel: Number(a['d-model']), heads: Number(a.heads) };
const runs = Number(a.runs);
const spec = resolveVariant({ name: a.variant!, options: JSON.parse(a.options!) as Record<string, unknown> });
const info = (await listEngines()).find((i) => i.id === 'tfjs/wasm' && i.available);
if (!info) {
  console.error('tfjs/wasm is not available here');
  process.exit(2);
}
const { base, x } = caseData({ seed: 1, shape, weights: { init: 'spectrum', decay: 0.5 } });
const { w, forward } = buildConfiguration({ variant: spec.name, options: spec.options, seed: 1, shape, engine: info }, base);
const prepared = await prepareForward(await createEngine(info), forward, w, x);
await prepared.run(); // warm-up: kernels chosen, constants uploaded
const tf = createRequire(import.meta.url)('@tensorflow/tfjs') as typeof TF;

const byKernel = new Map<string, { name: string; ms: number; count: number }>();
const wall: number[] = [];
for (let r = 0; r < runs; r++) {
  const start = performance.now();
  const profile = await tf.profile(async () => { await prepared.run(); });
  wall.push(performance.now() - start);
  for (const k of profile.kernels) {
    const key = `${k.name} ${k.inputShapes.map((s) => JSON.stringify(s)).join(' ')}`;
    const held = byKernel.get(key) ?? byKernel.set(key, { name: k.name, ms: 0, count: 0 }).get(key)!;
    held.ms += (k.kernelTimeMs as number) / runs;
    held.count += 1 / runs;
  }
}
await prepared.dispose();
const kernels = [...byKernel.entries()];
const total = kernels.reduce((s, [, k]) => s + k.ms, 0), calls = kernels.reduce((s, [, k]) => s + k.count, 0);
const byName = new Map<string, { ms: number; count: number }>();
for (const [, k] of kernels) {
  const held = byName.get(k.name) ?? byName.set(k.name, { ms: 0, count: 0 }).get(k.name)!;
  held.ms += k.ms;
  held.count += k.count;
}
const medianWall = [...wall].sort((p, q) => p - q)[wall.length >> 1];
console.log(`${spec.label}, N=${shape.seqLen}, d=${shape.dModel}: wall median ${medianWall.toFixed(1)} ms of ${runs} profiled runs; `
  + `kernels ${total.toFixed(1)} ms in ${calls.toFixed(0)} calls`);
for (const [name, k] of [...byName.entries()].sort((p, q) => q[1].ms - p[1].ms)) {
  console.log(`  ${name.padEnd(24)} ${k.ms.toFixed(1).padStart(7)} ms  ${k.count.toFixed(0).padStart(5)} calls`);
}
console.log('top kernels (by input shapes, all calls of that shape):');
for (const [key, k] of kernels.sort((p, q) => q[1].ms - p[1].ms).slice(0, Number(a.top))) {
  console.log(`  ${k.ms.toFixed(1).padStart(7)} ms ${k.count.toFixed(0).padStart(5)}×  ${key}`);
}
