import type { SuiteInput } from '../src/run/suite.ts';

/**
 * The default suite: `npm run bench`. Every variant from N=256 to N=1024, d=512, 8 heads, on the
 * fastest onnx and tfjs backends here, from base weights with a trained-looking spectrum.
 * Sized to finish in about 4 minutes on a 2-core machine (48 cases: 242 s measured here, 62 % of it
 * timed samples; 281 s on the first run of new code, which computes the float64 references it caches); `--seq` or a suite file goes further
 * (bench/efficiency.ts: N=4096). Training is its own suite (bench/training.ts): one train case
 * at N=512 takes 13–17 s here, more than this suite's budget allows for a meaningful sweep.
 */
export default {
  name: 'default',
  description: 'Every attention variant across sequence lengths, d=512, 8 heads, batch 1, spectrum weights (decay 0.5).',
  variants: [
    'full',
    { name: 'lora', options: { rank: 8, targets: ['q', 'v'], merged: false } },
    { name: 'lora', options: { rank: 8, targets: ['q', 'v'], merged: true } },
    { name: 'svd', options: { rank: 64 } },
    { name: 'sparse-window', options: { window: 256 } },
    { name: 'sparse-block', options: { block: 64, globalTokens: 16 } },
    { name: 'linformer', options: { k: 256 } },
    'flash',
  ],
  seqLen: [256, 512, 1024],
  dModel: 512,
  heads: 8,
  engines: ['onnx', 'tfjs'],
  weights: { init: 'spectrum', decay: 0.5 },
  // Five rounds, each in a process of its own; in each, a comparison group's eight cases are
  // sampled together in shuffled blocks of one pass each (src/measure/group-round.ts) for 400 ms a
  // case, at least 5 blocks (the tfjs/wasm cases at N=512 and 1024, 0.1–0.4 s a pass here, take the
  // minimum). Warm-up: 1 pass at least, then until a case stops getting faster, capped at 150 ms a case.
  // Measured (docs/variance.md, run.json `phases`): each round costs ≈ 12 s besides its samples
  // (preparing 48 cases, their warm-up, the worker's start), so a sixth round put the run over its
  // wall budget; on tfjs/wasm most of a comparison's variance is between rounds (per-round ratios
  // of the same graph 10–15 % apart), which only rounds average out.
  timing: { rounds: 5, timeMs: 400, warmupMs: 150, warmupIterations: 1, minSamples: 5, targetRme: 0.5 },
} satisfies SuiteInput;
