import type { SuiteInput } from '../src/run/suite.ts';

/** A smoke test of the whole pipeline: small shapes, short budgets, both engines. Under 60 s here. */
export default {
  name: 'quick',
  description: 'Smoke suite: every layer of the harness on small shapes, both engines.',
  variants: ['full'],
  seqLen: [64, 128, 256],
  dModel: 64,
  heads: 4,
  engines: ['onnx', 'tfjs'],
  timing: { timeMs: 150, warmupMs: 50, minSamples: 5 },
} satisfies SuiteInput;
