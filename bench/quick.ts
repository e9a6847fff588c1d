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
  // Two lanes: the smoke run exercises the duet path too (tfjs/wasm's three groups of a round, two at a time).
  timing: { timeMs: 150, warmupMs: 50, minSamples: 5, lanes: 2 },
} satisfies SuiteInput;
