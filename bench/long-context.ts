import type { SuiteInput } from '../src/run/suite.ts';

/**
 * Long sequences on onnx, causal and not: exact attention dense (full) and memory-efficient
 * (flash: ORT's fused kernel where the engine has one), against the sparse and low-rank
 * approximations, N = 1024 … 16384, d=512, 8 heads. Full's score matrices grow as N² (8 GB of
 * analytic peak at N=16384): `--max-memory` (default: half the free memory) skips the cases that
 * would not fit, as recorded `skipped` lines (xformers' "Skipped (OOM)"); linformer cannot be
 * causal and is skipped there with its reason. One round, short budgets: a long-context sweep
 * takes tens of minutes here, not five.
 */
export default {
  name: 'long-context',
  description: 'Long sequences (N=1024–16384) on onnx, causal and not: full vs flash vs sparse and low-rank.',
  variants: [
    'full',
    'flash',
    { name: 'sparse-window', options: { window: 256 } },
    { name: 'sparse-block', options: { block: 64, globalTokens: 16 } },
    { name: 'linformer', options: { k: 256 } },
  ],
  seqLen: [1024, 2048, 4096, 8192, 16384],
  causal: [false, true],
  dModel: 512,
  heads: 8,
  engines: ['onnx'],
  timing: { rounds: 1, timeMs: 500, warmupMs: 100, warmupIterations: 1, minSamples: 3, targetRme: 1 },
} satisfies SuiteInput;
