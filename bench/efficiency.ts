import type { SuiteInput } from '../src/run/suite.ts';

/**
 * Do the efficient variants really skip the work they claim to? At N=4096, d=512, 8 heads on onnx,
 * each one's measured speed-up vs full is compared with its analytic FLOP ratio
 * (`npx tsx scripts/efficiency-table.ts results/<run-id>` prints the table).
 * For tfjs/wasm at N=1024: `npm run bench -- --suite efficiency --engine tfjs --backend wasm --seq 1024`.
 */
export default {
  name: 'efficiency',
  description: 'Measured speed-up vs analytic FLOP ratio of the efficient variants, N=4096, d=512.',
  variants: [
    'full',
    { name: 'sparse-window', options: { window: 256 } },
    { name: 'sparse-block', options: {} },
    { name: 'linformer', options: { k: 256 } },
    { name: 'svd', options: { rank: 64 } },
  ],
  seqLen: [4096],
  dModel: 512,
  heads: 8,
  engines: ['onnx'],
  weights: { init: 'spectrum', decay: 0.5 },
  timing: { timeMs: 3000, warmupMs: 500, minSamples: 10 },
} satisfies SuiteInput;
