/**
 * Batched matrix products on tfjs/wasm run on one of two kernels, chosen per product by measurement.
 *
 *   loop     one 2-D XNNPACK product per batch entry, transposes materialised first. The batched
 *            kernel is 10–100× slower at attention's shapes (measured: [8,1024,64]×[8,64,1024]
 *            1.41 s batched vs 8×20 ms as 2-D products). Its entries are cut by Slice, which on
 *            tfjs-backend-wasm 4.22 copied its whole input first (batch × (|a| + |b|) copied); the
 *            engine's own Slice kernel (tfjs-wasm-slice.ts) copies the entry only.
 *   batched  tfjs's own batched MatMul kernel (a plain blocked loop, no XNNPACK): it won where those
 *            whole-input copies dominated (P·V at N=2048, 8 heads: 3.5 s as a loop, 1.6 s batched);
 *            with entry-only slices the loop won every product of the default suite's variants at
 *            N=1024 (e.g. window P·V [8,8,128,384]·[8,8,384,64]: 48 ms loop, 281 ms batched).
 *
 * No size rule gets every product right, and a speed-up measured on a product that ran on the slow
 * kernel would partly measure the rule. So before a case's first pass, every batched product its
 * forward issues (found by a shape-only run, flop-recorder.ts) is timed on both kernels on random
 * operands of its shapes, and runs on the faster. Choices are kept per machine in KERNEL_CACHE,
 * keyed by backend, tfjs version and product, so the rounds of a run (and later runs) run the same
 * kernels; each line records its choices with their timings (`kernels`). Delete the file to re-measure.
 * The math is the same either way.
 *
 * ATTNBENCH_TFJS_KERNEL=loop|batched runs every batched product on that kernel instead, untimed
 * (source `forced`): to compare the kernels, or to hold a measurement that depends on the kernel
 * (peak memory: a loop copies its slices) to one kernel across shapes. Unset or `measured`: as above.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { recordMatMuls, type ProductRecord } from './flop-recorder.ts';
import { UserError, messages } from '../messages.ts';
import { CACHE_DIR } from '../results/cache-dir.ts';
import type { HostTensor } from './ops.ts';
import type { ForwardFn, KernelChoice, ResultLine } from './types.ts';

type Tensor = TF.Tensor;
export type BatchedKernel = KernelChoice['kernel'];

export const KERNEL_CACHE = path.join(CACHE_DIR, 'tfjs-kernels.json');
/** Timed runs per kernel (after one warm-up), the fastest kept. */
const TIMED_RUNS = 2;
/**
 * The second kernel is abandoned, not timed further, when its warm-up run alone takes this many
 * times the first's best: it loses by a margin no noise explains, and timing it costs seconds.
 */
const ABANDON_FACTOR = 2;

/** A product's name in lines and the cache, e.g. "[8,1024,64]·[8,1024,64]ᵀ". */
export function productKey(a: readonly number[], b: readonly number[], ta: boolean, tb: boolean): string {
  return `[${a.join(',')}]${ta ? 'ᵀ' : ''}·[${b.join(',')}]${tb ? 'ᵀ' : ''}`;
}

/** The distinct products of a forward whose operands both carry batch axes (the others are plain 2-D products). */
export function batchedProducts(forward: ForwardFn, weights: Record<string, HostTensor>, inputShape: number[]): ProductRecord[] {
  const { matMuls } = recordMatMuls(forward, weights, inputShape);
  const byKey = new Map<string, ProductRecord>();
  for (const r of matMuls) {
    if (r.a.length > 2 && r.b.length > 2 && r.batch > 1) byKey.set(productKey(r.a, r.b, r.transposeA, r.transposeB), r);
  }
  return [...byKey.values()];
}

type Cached = Omit<KernelChoice, 'source'>;

/**
 * Part of every cache key: timings measured before the loop's slices copied only the entry
 * (tfjs-wasm-slice.ts) describe another kernel, and are not reused.
 */
const KERNELS_REVISION = 'slice-in-place';

export const KERNEL_ENV = 'ATTNBENCH_TFJS_KERNEL';

/** The kernel ATTNBENCH_TFJS_KERNEL forces on every batched product; undefined = chosen by measurement. */
export function forcedKernel(env: NodeJS.ProcessEnv = process.env): BatchedKernel | undefined {
  const value = env[KERNEL_ENV]?.trim();
  if (!value || value === 'measured') return undefined;
  if (value === 'loop' || value === 'batched') return value;
  throw new UserError(messages.badTfjsKernel(KERNEL_ENV, value));
}

/** The report's notice for lines whose batched products ran on a kernel KERNEL_ENV forced, not the one measured faster. */
export function forcedKernelNotices(lines: readonly ResultLine[]): string[] {
  const byKernel = new Map<string, Set<string>>();
  for (const l of lines) {
    for (const k of (l.status === 'ok' && l.kernels) || []) {
      if (k.source === 'forced') byKernel.set(k.kernel, (byKernel.get(k.kernel) ?? new Set()).add(l.caseId));
    }
  }
  return [...byKernel].map(([kernel, cases]) => `${cases.size} case(s) ran every batched product on the ${kernel} kernel, `
    + `forced by ${KERNEL_ENV}, not on the kernel measured faster: their timings measure that kernel`);
}

function readCache(): Record<string, Cached> {
  try {
    return existsSync(KERNEL_CACHE) ? JSON.parse(readFileSync(KERNEL_CACHE, 'utf8')) as Record<string, Cached> : {};
  } catch {
    return {}; // a torn or foreign file: re-measure
  }
}

function writeCache(entries: Record<string, Cached>): void {
  mkdirSync(path.dirname(KERNEL_CACHE), { recursive: true });
  const tmp = `${KERNEL_CACHE}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ ...readCache(), ...entries }, null, 1));
  renameSync(tmp, KERNEL_CACHE); // atomic: a concurrent reader sees the whole file or the old one
}

/** Fastest of TIMED_RUNS runs after one warm-up, ms; null when the warm-up alone exceeds `abandonMs`. */
async function fastest(run: () => Tensor, abandonMs = Infinity): Promise<number | null> {
  let best = Infinity;
  for (let i = 0; i <= TIMED_RUNS; i++) {
    const start = performance.now();
    const y = run();
    await y.data();
    y.dispose();
    const ms = performance.now() - start;
    if (i === 0 && ms > abandonMs) return null;
    if (i > 0) best = Math.min(best, ms);
  }
  return best;
}

export type KernelRunner = (kernel: BatchedKernel, a: Tensor, b: Tensor, ta: boolean, tb: boolean) => Tensor;

/**
 * Times both kernels on random operands of the product's shapes: first the one `likely` names
 * (the size rule's guess), then the other, abandoned when clearly slower.
 */
async function measure(tf: typeof TF, runner: KernelRunner, p: ProductRecord, product: string, likely: BatchedKernel): Promise<Cached> {
  const a = tf.randomNormal(p.a), b = tf.randomNormal(p.b);
  try {
    const time = (k: BatchedKernel, abandonMs?: number) => fastest(() => runner(k, a, b, p.transposeA, p.transposeB), abandonMs);
    const other: BatchedKernel = likely === 'loop' ? 'batched' : 'loop';
    const first = (await time(likely))!, second = await time(other, ABANDON_FACTOR * first);
    const ms = { [likely]: first, [other]: second } as Record<BatchedKernel, number | null>;
    const kernel = second !== null && second < first ? other : likely;
    return { product, kernel, loopMs: ms.loop, batchedMs: ms.batched, measuredAt: new Date().toISOString() };
  } finally {
    tf.dispose([a, b]);
  }
}

/** The kernel of every batched product of `products`: from the cache, else measured now (and cached). */
export async function chooseKernels(tf: typeof TF, backend: string, runner: KernelRunner, products: ProductRecord[],
  likely: (p: ProductRecord) => BatchedKernel): Promise<KernelChoice[]> {
  const forced = forcedKernel();
  if (forced) {
    return products.map((p) => ({ product: productKey(p.a, p.b, p.transposeA, p.transposeB), kernel: forced, loopMs: null,
      batchedMs: null, source: 'forced' }));
  }
  const cache = readCache(), fresh: Record<string, Cached> = {};
  const choices: KernelChoice[] = [];
  for (const p of products) {
    const product = productKey(p.a, p.b, p.transposeA, p.transposeB);
    const key = `${backend}|${tf.version['tfjs-core']}|${KERNELS_REVISION}|${product}`;
    const hit = cache[key];
    if (hit) {
      choices.push({ ...hit, source: 'cached' });
      continue;
    }
    fresh[key] = await measure(tf, runner, p, product, likely(p));
    choices.push({ ...fresh[key], source: 'measured' });
  }
  if (Object.keys(fresh).length > 0) writeCache(fresh);
  return choices;
}
