import type { SuiteInput } from '../src/run/suite.ts';

/**
 * The default suite: `npm run bench`. Every variant at the sequence lengths people ask about,
 * dModel 512, 8 heads, on the fastest tfjs and onnx backends here. Sized to finish in under
 * 5 minutes on a 2-core machine.
 */
export default {
  name: 'default',
  description: 'Attention variants across sequence lengths, d=512, 8 heads, batch 1.',
  variants: ['full'],
  seqLen: [128, 256, 512, 1024, 2048],
  dModel: 512,
  heads: 8,
  engines: ['onnx', 'tfjs'],
  timing: { timeMs: 1000, warmupMs: 200, minSamples: 5 },
} satisfies SuiteInput;
