/**
 * One decode step per variant on one engine, timed here (not through the harness: no rounds, no
 * paired intervals), beside a memory-bandwidth ceiling (a streaming ReduceSum over 256 MB in the same
 * engine) and the matmul ceiling's idea of ideal time: max(FLOPs / matmul ceiling, bytes / bandwidth).
 *   npx tsx scripts/decode-step.ts [engine-id] [N] [kvHeads,…]
 * The cache holds random values (timing does not depend on them; exactness is tested in
 * test/variants/decode.test.ts).
 */
import { createEngine, listEngines } from '../src/engine/resolve.ts';
import type { Program } from '../src/engine/types.ts';
import { measureCeiling } from '../src/measure/ceiling.ts';
import { createRng, normalArray } from '../src/linalg/rng.ts';
import { baseWeights } from '../src/linalg/weights.ts';
import { VARIANTS, type VariantName } from '../src/variants/index.ts';
import { decoderOf } from '../src/variants/decode/index.ts';
import type { DecodeShape } from '../src/variants/decode/types.ts';
import type { AnyVariant } from '../src/variants/types.ts';

const [engineId = 'onnx/cpu', nArg = '8192', kvArg = '8,2'] = process.argv.slice(2);
const info = (await listEngines()).find((e) => e.id === engineId && e.available);
if (!info) throw new Error(`engine ${engineId} not available`);

const CONFIGS: Array<[VariantName, object]> = [
  ['full', {}], ['lora', { rank: 8 }], ['lora', { rank: 8, merged: true }], ['svd', { rank: 64 }],
  ['svd', { rank: 64, latentCache: true }], ['sparse-window', { window: 4096 }], ['sparse-block', {}],
  ['flash', { kernel: 'tiled', tile: 256 }],
];

async function medianMs(run: () => Promise<unknown>, n: number): Promise<number> {
  for (let i = 0; i < 3; i++) await run();
  const t: number[] = [];
  for (let i = 0; i < n; i++) { const s = performance.now(); await run(); t.push(performance.now() - s); }
  return t.sort((a, b) => a - b)[Math.floor(n / 2)];
}

async function bandwidthGBs(): Promise<number> {
  const rows = 1024, cols = 65536, engine = await createEngine(info!);
  // An input, not a weight: a graph engine folds a reduction over a constant when it compiles.
  const program: Program = { inputs: { big: { data: new Float32Array(rows * cols).fill(1), shape: [rows, cols] } },
    fn: (ops, ins) => ({ outputs: { y: ops.reduceSum(ins.big) } }) };
  const p = await engine.prepare(program, {});
  try { return (4 * rows * cols) / (await medianMs(() => p.run(), 15)) / 1e6; } finally { await p.dispose(); }
}

const bw = await bandwidthGBs(), gflops = (await measureCeiling(info)).gflops;
console.log(JSON.stringify({ engine: info.id, bandwidthGBs: bw, matmulGflops: gflops }));
for (const kvHeads of kvArg.split(',').map(Number)) {
  const s: DecodeShape = { batch: 1, seqLen: Number(nArg), dModel: 512, heads: 8, causal: true, newTokens: 1,
    ...(kvHeads !== 8 && { kvHeads }) };
  const base = baseWeights(s, { init: 'gaussian' }, createRng('decode-step'));
  for (const [name, options] of CONFIGS) {
    const v = VARIANTS[name] as AnyVariant, raw = v.options.parse(options) as object;
    const o = v.resolve ? v.resolve(s, raw, base, info.capabilities) as object : raw;
    const found = decoderOf(name, s, o, info.capabilities);
    if ('skipped' in found) { console.log(JSON.stringify({ name, kvHeads, skipped: found.skipped })); continue; }
    const d = found.decoder, shapes = d.cacheShapes(s, o), names = Object.keys(shapes), rng = createRng('cache');
    const random = (shape: number[]) => ({ data: normalArray(rng, shape.reduce((a, c) => a * c, 1), 1), shape });
    const inputs = { x: random([1, 1, 512]), ...Object.fromEntries(names.map((k) => [`cache.${k}`, random(shapes[k])])) };
    const program: Program = { inputs, fn: (ops, ins, w) => {
      const { y, rows } = d.step(ops, ins.x, Object.fromEntries(names.map((k) => [k, ins[`cache.${k}`]])), w, s, o);
      return { outputs: { y, ...Object.fromEntries(names.map((k) => [`rows.${k}`, rows[k]])) } };
    } };
    const p = await (await createEngine(info)).prepare(program, v.init(s, o, createRng('init'), base));
    try {
      const ms = await medianMs(() => p.run(), 40), b = d.bytes(s, o), f = d.flops(s, o);
      const bytes = b.weights + b.cacheRead + b.cacheWritten;
      const ideal = Math.max(f / gflops / 1e6, bytes / bw / 1e6), bwIdeal = bytes / bw / 1e6;
      console.log(JSON.stringify({ name, label: v.describe(o), kvHeads, msPerStep: +ms.toFixed(3), tokensPerS: +(1000 / ms).toFixed(1),
        cacheMB: +(b.cacheRead / 1e6).toFixed(2), bytesMB: +(bytes / 1e6).toFixed(2), mflops: +(f / 1e6).toFixed(2),
        intensity: +(f / bytes).toFixed(3), achievedGBs: +(bytes / ms / 1e6).toFixed(2), idealMs: +ideal.toFixed(3),
        fractionOfIdeal: +(ideal / ms).toFixed(3), fractionOfBandwidthIdeal: +(bwIdeal / ms).toFixed(3) }));
    } finally { await p.dispose(); }
  }
}
