/**
 * attnbench's `full` on torch (its forward traced into a program) vs the plain PyTorch module on
 * the same weights and input (src/engine/torch/yardstick.ts: nn.MultiheadAttention, or SDPA on
 * projected q, k, v), in one worker at the same threads, timed the same way (the engine's clock,
 * the suite's stopping rule), alternating A B A B so drift hits both; the ratio is paired by round.
 *   ATTNBENCH_PYTHON=/usr/bin/python3 npx tsx scripts/peer-torch.ts [--backend cpu] [--seq 1024] [--d-model 512]
 *     [--heads 8] [--rounds 6] [--kind mha|sdpa] [--causal] [--dtype float32|bfloat16|float16]
 * In the bundle (npm run bundle): node dist/attnbench/peer-torch.mjs … (scripts/gpu-check.sh runs it beside the cuda suite).
 * Prints each round, the memory of each, the ratio of medians with its 95 % interval; target ≤ 1.15 (CPU), ≤ 1.10 (CUDA).
 */
import { parseArgs } from 'node:util';
import { createEngine, listEngines } from '../src/engine/resolve.ts';
import { forwardProgram } from '../src/engine/types.ts';
import { prepareYardstick, type YardstickKind } from '../src/engine/torch/yardstick.ts';
import { relativeError } from '../src/linalg/dense.ts';
import { caseData } from '../src/measure/case.ts';
import { toleranceOf } from '../src/measure/accuracy.ts';
import { DTYPES, type Dtype } from '../src/results/dtype.ts';
import { subjectOf, timeGroupRound } from '../src/measure/group-round.ts';
import { pairedRatio } from '../src/report/paired.ts';
import type { RoundTiming } from '../src/results/types.ts';
import { full } from '../src/variants/full.ts';

const { values: a } = parseArgs({ options: {
  backend: { type: 'string', default: 'cpu' }, seq: { type: 'string', default: '1024' }, 'd-model': { type: 'string', default: '512' },
  heads: { type: 'string', default: '8' }, rounds: { type: 'string', default: '6' }, kind: { type: 'string', default: 'mha' },
  causal: { type: 'boolean', default: false }, dtype: { type: 'string', default: 'float32' } } });
if (!(DTYPES as readonly string[]).includes(a.dtype)) throw new Error(`--dtype expects one of ${DTYPES.join(', ')}. Received: ${a.dtype}`);
const dtype = a.dtype as Dtype;
const shape = { batch: 1, seqLen: Number(a.seq), dModel: Number(a['d-model']), heads: Number(a.heads), ...(a.causal && { causal: true }),
  ...(dtype !== 'float32' && { dtype }) };
const info = (await listEngines()).find((i) => i.id === `torch/${a.backend}`)!;
if (!info.available) throw new Error(`${info.id}: ${info.reason}`);
const { base, x } = caseData({ seed: 1, shape, weights: { init: 'gaussian' } });
// caseData rounds weights and input to the dtype; both subjects compute in it.
const ours = await (await createEngine(info)).prepare(forwardProgram((ops, xx, ww) => full.forward(ops, xx, ww, shape, {}), x, dtype),
  base);
const peer = await prepareYardstick(info, a.kind as YardstickKind, shape.heads, shape.causal === true, base, x, dtype);
const agree = relativeError((await ours.run()).y, (await peer.run()).y);
if (!(agree < 2 * toleranceOf(dtype))) {
  throw new Error(`the yardstick computes something else: relative error ${agree} vs attnbench's full`);
}
const timing = { timeMs: 3000, warmupMs: 500, warmupIterations: 2, minSamples: 20, targetRme: 1, downloadInside: false };
const rounds: Record<'ours' | 'peer', RoundTiming[]> = { ours: [], peer: [] };
console.log(`${info.id} ${info.version}, ${info.threads ?? '-'} threads; N=${shape.seqLen} D=${shape.dModel} H=${shape.heads}`
  + `${shape.causal ? ' causal' : ''} ${dtype}; yardstick ${a.kind}; outputs agree to ${agree.toExponential(1)}`);
for (let r = 1; r <= Number(a.rounds); r++) {
  // Both in one round, their passes in shuffled blocks (as a sweep pairs a variant with full).
  const [o, q] = await timeGroupRound([subjectOf(ours), subjectOf(peer)], timing, r, 'peer-torch');
  for (const [who, t] of [['ours', o], ['peer', q]] as const) {
    rounds[who].push(t);
    console.log(`round ${r} ${who === 'ours' ? 'attnbench full' : `torch ${a.kind}`}: median ${t.median.toFixed(3)} ms `
      + `(${t.samplesMs.length} samples, ${t.clock})`);
  }
}
for (const [who, p] of [['attnbench full', ours], [`torch ${a.kind}`, peer]] as const) {
  const m = await p.peakMemory();
  console.log(`${who}: peak memory ${(m.peakBytes / 2 ** 20).toFixed(1)} MiB beyond weights and input (${m.source})`);
}
const paired = pairedRatio(rounds.ours, rounds.peer)!;
console.log(`ratio of medians (attnbench / ${a.kind}): ${paired.ratio.toFixed(3)}, 95 % CI [${paired.ci[0].toFixed(3)}, `
  + `${paired.ci[1].toFixed(3)}] over ${paired.rounds} paired rounds (target ≤ 1.15)`);
await Promise.all([ours.dispose(), peer.dispose()]);
