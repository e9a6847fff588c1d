/**
 * Inference (prefill): one sample is one forward pass over the whole sequence, the output
 * downloaded to the host. Its check: counts against the weights held, a finite output, peak memory,
 * and the output against the float64 reference of the variant's own computation and of full
 * attention (src/measure/case.ts, accuracy.ts).
 */
import { forwardSubject, measureCase } from '../measure/case.ts';
import { OkLineSchema, ownLineFields } from '../results/line-schema.ts';
import type { Mode } from './types.ts';

export const inference: Mode = {
  name: 'inference',
  summary: 'a forward pass (prefill): latency, throughput, peak memory, error against the float64 reference',
  sample: 'one forward pass over the whole sequence',
  caseIdSuffix: '', // the first mode: its case ids are as they were before modes existed
  lineFields: ownLineFields(OkLineSchema),
  memoryFactor: 1,
  flopsFactor: 1,
  unsupported: () => undefined,
  check: measureCase,
  subject: forwardSubject,
  timedFields: (facts, latency) => ({ gflops: (facts.flops / latency.median) / 1e6 }),
  checked(facts) {
    const err = 'accuracy' in facts ? facts.accuracy.relErr : null;
    return `checked${err === null ? '' : `: rel. error vs its float64 reference ${err.toExponential(1)}`}`;
  },
  report: { forwardPass: true, tag: '' },
};
