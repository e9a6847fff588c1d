import type { SuiteInput } from '../src/run/suite.ts';

/**
 * Attention on a GPU through PyTorch (issue 22): exact dense (full), exact memory-efficient (flash:
 * SDPA's flash kernel where torch ≥ 2.0 — the line's attentionBackend says which ran — and tiled),
 * LoRA merged and unmerged, SVD, sliding window and block-sparse, at d=1024, 16 heads, N = 1024 … 32768,
 * causal and not, in bfloat16, on torch/cuda (each run also measures the bfloat16 matmul ceiling). Full's
 * score matrices grow as N² (64 GB analytic at N=32768): `--max-memory` skips what would not fit,
 * as `skipped` lines. The yardstick is the plain PyTorch module on the same weights and input (SDPA on
 * projected q, k, v where torch ≥ 2.0, else nn.MultiheadAttention: src/variants/yardstick.ts), measured in
 * full's rounds: the report holds full against it (ratio of latencies with its interval; goal ≤ 1.10).
 * scripts/gpu-check.sh runs the suite from the bundle.
 */
export default {
  name: 'cuda',
  description: 'Attention variants on torch/cuda at d=1024, 16 heads, N=1024–32768, causal and not.',
  variants: [
    'full',
    'yardstick',
    { name: 'flash', options: { kernel: 'fused', backend: 'flash' } },
    { name: 'flash', options: { kernel: 'tiled', tile: 1024 } },
    { name: 'lora', options: { rank: 16, merged: true } },
    { name: 'lora', options: { rank: 16, merged: false } },
    { name: 'svd', options: { rank: 256 } },
    { name: 'sparse-window', options: { window: 512 } },
    { name: 'sparse-block', options: { block: 128, globalTokens: 64 } },
  ],
  seqLen: [1024, 2048, 4096, 8192, 16384, 32768],
  causal: [false, true],
  dModel: 1024,
  heads: 16,
  dtype: 'bfloat16',
  engines: ['torch/cuda'],
  timing: { rounds: 3, timeMs: 500, warmupMs: 100, warmupIterations: 2, minSamples: 5, targetRme: 1 },
} satisfies SuiteInput;
