import type { SuiteInput } from '../src/run/suite.ts';

/**
 * What exact memory-efficient attention buys (issue #12's targets): full, flash with ORT's fused
 * kernel and flash's tiled online softmax at N=8192, d=512, 8 heads on onnx; peak memory and
 * latency of each. One round, short budgets: full at N=8192 takes ~1 s a pass and ~4.7 GB.
 * The other targets are this suite with overrides (README, "Exact memory-efficient attention"):
 *   --engine tfjs --backend wasm --variants full,flash:kernel=tiled --seq 1024,2048,4096
 *   --variants full,sparse-window:window=256 --seq 4096 --causal
 */
export default {
  name: 'flash',
  description: 'Exact attention three ways (dense, fused kernel, tiled online softmax) at N=8192 on onnx: memory and latency.',
  variants: [
    'full',
    { name: 'flash', options: { kernel: 'fused' } },
    { name: 'flash', options: { kernel: 'tiled' } },
  ],
  seqLen: [8192],
  dModel: 512,
  heads: 8,
  engines: ['onnx'],
  timing: { rounds: 1, timeMs: 200, warmupMs: 50, warmupIterations: 1, minSamples: 3, targetRme: 1 },
} satisfies SuiteInput;
