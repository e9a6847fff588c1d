/**
 * Where timing variance comes from (docs/variance.md): one process prepares the cases of one
 * comparison group (default: full attention, merged LoRA — full's graph — and SVD r=64), records
 * every warm-up pass of each (the tier-up curve), then runs `--blocks` blocks, each block one pass
 * of every case in a freshly shuffled order. Prints one JSON object: per case its warm-up times and
 * its block samples, in run order. Run it in several processes to split between-process from
 * within-process variance (scripts/variance-analyse.ts reads the outputs).
 *   npx tsx scripts/variance-probe.ts --engine onnx/cpu --seq 512 [--blocks 60] [--warmup 30] [--variants full,lora-merged,svd]
 * ORT's intra-op threads and spinning follow ATTNBENCH_ONNX_THREADS / ATTNBENCH_ONNX_SPIN=1 (src/engine/onnx/session.ts).
 */
import { parseArgs } from 'node:util';
import { listEngines } from '../src/engine/resolve.ts';
import { createRng } from '../src/linalg/rng.ts';
import { forwardSubject } from '../src/measure/case.ts';
import { planCases } from '../src/run/plan.ts';
import { parseSuite } from '../src/run/suite.ts';

const { values: a } = parseArgs({ options: {
  engine: { type: 'string', default: 'onnx/cpu' }, seq: { type: 'string', default: '512' },
  blocks: { type: 'string', default: '60' }, warmup: { type: 'string', default: '30' },
  variants: { type: 'string', default: 'full,lora-merged,svd' }, seed: { type: 'string', default: String(process.pid) } } });

const SPECS: Record<string, unknown> = {
  full: 'full',
  'lora-merged': { name: 'lora', options: { rank: 8, targets: ['q', 'v'], merged: true } },
  lora: { name: 'lora', options: { rank: 8, targets: ['q', 'v'], merged: false } },
  svd: { name: 'svd', options: { rank: 64 } },
  window: { name: 'sparse-window', options: { window: 256 } },
};
const names = a.variants.split(',');
const suite = parseSuite({ name: 'probe', variants: names.map((n) => SPECS[n]), seqLen: [Number(a.seq)], dModel: 512, heads: 8,
  engines: [a.engine], weights: { init: 'spectrum', decay: 0.5 } }, '(probe)');
const engine = (await listEngines()).find((e) => e.id === a.engine);
if (!engine?.available) throw new Error(`engine ${a.engine} not available here`);
const cases = planCases(suite, [engine], 'probe');

const t0 = performance.now();
const prepared = [];
for (const c of cases) {
  const p = await forwardSubject(c);
  const warmup: number[] = [];
  for (let i = 0; i < Number(a.warmup); i++) {
    const s = performance.now();
    await p.pass();
    warmup.push(performance.now() - s);
  }
  prepared.push({ c, p, warmup, samples: [] as number[] });
}
const prepMs = performance.now() - t0;
const rng = createRng(`probe:${a.seed}`);
const t1 = performance.now();
for (let b = 0; b < Number(a.blocks); b++) {
  const order = prepared.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  for (const i of order) {
    const s = performance.now();
    await prepared[i].p.pass();
    prepared[i].samples.push(performance.now() - s);
  }
}
const blocksMs = performance.now() - t1;
console.log(JSON.stringify({ engine: a.engine, seq: Number(a.seq), prepMs, blocksMs,
  threads: process.env.ATTNBENCH_ONNX_THREADS ?? null, spin: process.env.ATTNBENCH_ONNX_SPIN ?? null,
  cases: prepared.map((p, i) => ({ name: names[i], warmup: p.warmup, samples: p.samples })) }));
for (const p of prepared) await p.p.dispose();
