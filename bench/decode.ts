import type { SuiteInput } from '../src/run/suite.ts';

/**
 * Generation: one decode step against a KV cache (mode decode, src/modes/decode.ts) per variant at
 * contexts 1k, 4k and 16k, with 8 query heads and 8 or 2 K/V heads (grouped-query attention), d=512,
 * B=1, on onnx and tfjs; plus multi-query (1 K/V head) and a batch of 8 at context 4k. Full, LoRA
 * r=8 merged and unmerged (the adapters' two small products per token), SVD r=64 through a latent
 * cache (x·U_k, x·U_v: R/Dkv of the cache), a sliding window of 4096 (a ring buffer: constant cost
 * per token from context 4k), split-KV flash (tiles of 256 keys). Each step's line gives its time,
 * tokens/s, cache bytes, bytes moved and achieved GB/s against the engine's bandwidth ceiling,
 * measured in the run at the cases' working-set sizes. 108 cases; measured here under the machine's
 * CPU lock (2 cores, onnx/cpu and tfjs/wasm): 8 min 35 s wall (session 7, one lane, onnx's threads
 * spinning within a decode step; 8 min 3 s in session 6, 7 min 2 s with tfjs/wasm's groups in two
 * lanes), checks 2.9 min of them (float64 references up to 4k).
 */
export default {
  name: 'decode',
  description: 'Decode steps (one token against a KV cache) at context 1k–16k, 8 and 2 KV heads, d=512: full, LoRA, SVD latent, '
    + 'window, flash; 108 cases, 8½ min here (2 cores).',
  variants: [
    'full',
    { name: 'lora', options: { rank: 8, targets: ['q', 'v'], merged: false } },
    { name: 'lora', options: { rank: 8, targets: ['q', 'v'], merged: true } },
    { name: 'svd', options: { rank: 64, latentCache: true } },
    { name: 'sparse-window', options: { window: 4096 } },
    { name: 'flash', options: { kernel: 'tiled', tile: 256 } },
  ],
  seqLen: [1024, 4096, 16384],
  dModel: 512,
  heads: 8,
  kvHeads: [8, 2],
  also: [{ seqLen: [4096], kvHeads: 1 }, { seqLen: [4096], batch: 8 }],
  modes: ['decode'],
  engines: ['onnx', 'tfjs'],
  weights: { init: 'spectrum', decay: 0.5 },
  timing: { rounds: 3, timeMs: 250, warmupMs: 100, warmupIterations: 2, minSamples: 5, targetRme: 1 },
} satisfies SuiteInput;
