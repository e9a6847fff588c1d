/**
 * attnbench's `full` on onnx/cpu vs the hand-written ONNX graph of ../shared/peers/onnx_attention.mjs,
 * measured in the same run on the same machine, alternating A B A B so drift hits both.
 *   npx tsx scripts/peer-onnx.ts [--seq 1024] [--d-model 512] [--heads 8] [--rounds 3] [--peers ../shared/peers]
 * Prints one line per measurement, the ratio of medians (ours / peer) and the 95 % interval of the per-round
 * ratios' geometric mean (src/report/paired.ts, roundsInterval); issue 24's target: ≤ 1.053, i.e. at least
 * 0.95× the peer's speed.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { listEngines } from '../src/engine/resolve.ts';
import { roundsInterval } from '../src/report/paired.ts';
import { measureAlone } from '../src/run/rounds.ts';
import type { Case } from '../src/results/types.ts';

const { values: a } = parseArgs({ options: {
  seq: { type: 'string', default: '1024' }, 'd-model': { type: 'string', default: '512' }, heads: { type: 'string', default: '8' },
  rounds: { type: 'string', default: '3' }, peers: { type: 'string', default: '../shared/peers' } } });
const shape = { batch: 1, seqLen: Number(a.seq), dModel: Number(a['d-model']), heads: Number(a.heads) };
const engine = (await listEngines()).find((i) => i.id === 'onnx/cpu')!;
const c: Case = { caseId: 'peer', runId: 'peer', mode: 'inference', variant: 'full', options: {}, label: 'full', engine, shape, seed: 1,
  weights: { init: 'gaussian' }, input: { input: 'gaussian' },
  timing: { rounds: 1, timeMs: 3000, warmupMs: 500, warmupIterations: 2, minSamples: 20, targetRme: 1, downloadInside: true } };

const ours: number[] = [], peer: number[] = [];
for (let r = 0; r < Number(a.rounds); r++) {
  const line = await measureAlone(c, { timeoutMs: 300_000, heapMb: 4096 }, 1);
  if (line.status !== 'ok') throw new Error(`attnbench case ${line.status}: ${line.reason}`);
  ours.push(line.latencyMs.median);
  console.log(`attnbench full onnx/cpu N=${shape.seqLen}: median ${line.latencyMs.median.toFixed(3)} ms `
    + `(rme ${line.latencyMs.rme.toFixed(1)} %, ${line.latencyMs.samples} samples)`);
  const out = execFileSync(process.execPath, [path.join(a.peers, 'onnx_attention.mjs'), '--seq', a.seq, '--d-model', a['d-model'],
    '--heads', a.heads, '--samples', '30'], { encoding: 'utf8' });
  const p = JSON.parse(out.trim().split('\n').pop()!);
  peer.push(p.medianMs);
  console.log(`peer ${p.peer} N=${p.seqLen}: median ${p.medianMs} ms (threads ${p.threads})`);
}
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1];
const ci = roundsInterval(ours.map((o, r) => o / peer[r]));
console.log(`ratio of medians (attnbench / peer): ${(median(ours) / median(peer)).toFixed(3)}`
  + `${ci ? `, per-round ratios' 95 % interval [${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}]` : ''}`
  + ' (target ≤ 1.053, i.e. ≥ 0.95× the peer\'s speed)');
