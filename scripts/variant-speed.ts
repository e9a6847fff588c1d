/**
 * Do the efficient variants turn their FLOP cut into time, as the harness runs them? On one engine
 * and one N, every variant's forward pass (built as a case builds it: same weights, same input) is
 * timed in one process, interleaved round by round with full's, and compared with it: the paired
 * speed-up with its 95 % interval (src/report/paired.ts), the analytic FLOP ratio, their quotient
 * (efficiency), and achieved GFLOP/s as a share of the engine's matmul ceiling measured here.
 * On tfjs/wasm `--kernels` also runs each variant on every batched-product kernel (measured, loop,
 * batched: ATTNBENCH_TFJS_KERNEL, src/engine/tfjs-kernels.ts), to compare the formulations.
 *   npx tsx scripts/variant-speed.ts --engine onnx/cpu --seq 4096 [--rounds 9] [--samples 3]
 *   npx tsx scripts/variant-speed.ts --engine tfjs/wasm --seq 1024 [--kernels]
 * `--variants sparse-block,sparse-block:block=128` times only those (bench's syntax; full always runs).
 * `--dump FILE` writes every variant's samples, round by round, as JSON (label, flops, rounds).
 * Not a test: timings on a shared machine; run it under /work/coord/cpu or on a quiet one.
 */
import Table from 'cli-table3';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createEngine, listEngines } from '../src/engine/resolve.ts';
import { KERNEL_ENV } from '../src/engine/tfjs-kernels.ts';
import { prepareForward, type Prepared } from '../src/engine/types.ts';
import { parseVariantsFlag } from '../src/cli/variants-flag.ts';
import { measureCeiling } from '../src/measure/ceiling.ts';
import { buildCase } from '../src/measure/case.ts';
import { median, pairedRatio } from '../src/report/paired.ts';
import type { Case } from '../src/results/types.ts';
import { resolveVariant } from '../src/run/plan.ts';
import { getVariant } from '../src/variants/index.ts';

const { values: a } = parseArgs({ options: {
  engine: { type: 'string', default: 'onnx/cpu' }, seq: { type: 'string', default: '1024' },
  rounds: { type: 'string', default: '9' }, samples: { type: 'string', default: '3' }, kernels: { type: 'boolean', default: false },
  variants: { type: 'string' }, dump: { type: 'string' } } });
const DEFAULT_VARIANTS: Array<[string, object]> = [['full', {}], ['sparse-window', { window: 256 }],
  ['sparse-block', { block: 64, globalTokens: 16 }],
  ['linformer', { k: 256 }], ['svd', { rank: 64 }], ['flash', { kernel: 'tiled' }]];
/** `--variants` as bench takes it; a bare name of the default list keeps its options there. full always runs: every ratio needs it. */
function chosenVariants(flag: string | undefined): Array<[string, object]> {
  if (!flag) return DEFAULT_VARIANTS;
  try {
    const picked = parseVariantsFlag(flag).map((spec): [string, object] => (typeof spec === 'string'
      ? DEFAULT_VARIANTS.find(([n]) => n === spec) ?? [spec, {}] : [spec.name, spec.options]));
    for (const [name, options] of picked) resolveVariant({ name, options: options as Record<string, unknown> });
    return [['full', {}], ...picked.filter(([n, o]) => n !== 'full' || Object.keys(o).length > 0)];
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(2);
  }
}
const VARIANTS = chosenVariants(a.variants);

const info = (await listEngines()).find((i) => i.id === a.engine && i.available);
if (!info) {
  console.error(`--engine expects an available engine id, e.g. onnx/cpu or tfjs/wasm. Received: ${a.engine}`);
  process.exit(2);
}
const shape = { batch: 1, seqLen: Number(a.seq), dModel: 512, heads: 8 };
const kernels = a.kernels && info.id === 'tfjs/wasm' ? ['measured', 'loop', 'batched'] : [undefined];

interface Entry {
  variant: string; kernel?: string; label: string; flops: number; prepared: Prepared;
  rounds: Array<{ round: number; samplesMs: number[] }>;
}
const entries: Entry[] = [];
for (const kernel of kernels) {
  for (const [variant, options] of VARIANTS) {
    if (kernel) process.env[KERNEL_ENV] = kernel;
    const c = { caseId: variant, runId: 'variant-speed', mode: 'inference', variant, label: variant, engine: info, shape, seed: 1,
      options: getVariant(variant)!.options.parse(options), weights: { init: 'spectrum', decay: 0.5 },
      input: { input: 'gaussian' } } as unknown as Case;
    const { v, x, o, w, flops } = buildCase(c);
    const prepared = await prepareForward(await createEngine(info), (ops, xx, ww) => v.forward(ops, xx, ww, shape, o), w, x);
    await prepared.run(); // warm-up: kernels chosen, operators built
    // The resolved value of each option given on the command line: two configurations that describe() alike stay apart.
    const given = Object.keys(options).filter((key) => !DEFAULT_VARIANTS.some(([n, d]) => n === variant && key in d));
    const extra = given.map((key) => `${key}=${String((o as Record<string, unknown>)[key])}`).join(' ');
    entries.push({ variant, kernel, label: `${v.describe(o)}${extra ? ` ${extra}` : ''}${kernel ? ` [${kernel}]` : ''}`, flops, prepared,
      rounds: [] });
  }
}
for (let r = 1; r <= Number(a.rounds); r++) {
  for (const e of entries) {
    const samplesMs: number[] = [];
    for (let i = 0; i < Number(a.samples); i++) {
      const start = performance.now();
      await e.prepared.run();
      samplesMs.push(performance.now() - start);
    }
    e.rounds.push({ round: r, samplesMs });
  }
}
const ceiling = await measureCeiling(info);

const t = new Table({ style: { head: [], border: [] },
  head: ['variant', 'median ms', 'speed-up vs full [95 %]', 'FLOP ratio', 'efficiency', 'GFLOP/s', 'of ceiling'] });
for (const e of entries) {
  const full = entries.find((f) => f.variant === 'full' && f.kernel === e.kernel)!;
  const p = pairedRatio(e.rounds, full.rounds, e.label)!, ms = median(e.rounds.flatMap((r) => r.samplesMs));
  const flopRatio = full.flops / e.flops, speedup = 1 / p.ratio;
  t.push([e.label, ms.toFixed(1), `${speedup.toFixed(2)} [${(1 / p.ci[1]).toFixed(2)}, ${(1 / p.ci[0]).toFixed(2)}]`, flopRatio.toFixed(2),
    `${((speedup / flopRatio) * 100).toFixed(0)} %`, (e.flops / ms / 1e6).toFixed(1),
    `${((e.flops / ms / 1e6 / ceiling.gflops) * 100).toFixed(0)} %`]);
}
console.log(`${info.id}, N=${shape.seqLen}, d=512, 8 heads; ${a.rounds} interleaved rounds of ${a.samples} passes; `
  + `matmul ceiling ${ceiling.gflops.toFixed(1)} GFLOP/s (${ceiling.shape})\n${t.toString()}`);
if (a.dump) writeFileSync(a.dump, JSON.stringify(entries.map(({ label, flops, rounds }) => ({ label, flops, rounds }))));
for (const e of entries) await e.prepared.dispose();
