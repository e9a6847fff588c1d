/**
 * The engine's matmul ceiling: its best large-GEMM throughput here, in GFLOP/s, over square products
 * of 512–2048 and the shapes attention's products take (projections [N×D]·[D×D] at D = 512, per-head
 * scores [H, N, E]·[H, E, N]), each through the same engine path and timing as the cases. The report
 * draws it as the roof of the achieved-throughput chart and flags a run whose cases beat it
 * (report/invariants.ts). The sweep measures it before the cases and again after them, and keeps
 * each shape's best (mergeCeilings).
 *
 * Why it is several shapes, twice: the first version timed one [1024×1024]² product once, for 1 s,
 * at the start of the run; on this shared machine that one second read 17.8–21.2 ms in a quiet
 * moment and 34.7–36.7 ms in a busy one (same worker path, same session options: 2 intra-op
 * threads, arena on, no malloc tunables), and the run of issue #11 read 77 ms: one unlucky second
 * set the roof of a whole run, under cases that ran 7× faster.
 */
import { createEngine } from '../engine/resolve.ts';
import { FORWARD_INPUT, forwardProgram, type EngineInfo } from '../engine/types.ts';
import { createRng, repeatedNormals } from '../linalg/rng.ts';
import { roundedTo } from '../linalg/dtype.ts';
import { DEFAULT_DTYPE, type Dtype } from '../results/dtype.ts';
import type { BandwidthSize, Ceiling, CeilingShape } from '../results/run-meta.ts';
import { timeGroupRound, subjectOf } from './group-round.ts';
import { rotates, rotation } from './rotation.ts';

export type { BandwidthSize, Ceiling, CeilingShape };

/** [operand a, operand b]: a·b with b shared (rank 2) or batched like a. */
export const CEILING_SHAPES: Array<[number[], number[]]> = [
  [[512, 512], [512, 512]],
  [[1024, 1024], [1024, 1024]],
  [[2048, 2048], [2048, 2048]],
  [[1024, 512], [512, 512]],
  [[4096, 512], [512, 512]],
  [[8, 1024, 64], [8, 64, 1024]],
];
/**
 * A shape expected to take longer than this per product (from the best throughput so far), or than
 * twice the run's round budget (a smoke run's 20 ms: onnx's [2048×2048]² takes 130 ms here), is not
 * timed: it would add seconds, not roof (tfjs/wasm's [2048×2048]² takes about a second).
 */
const MAX_PRODUCT_MS = 200;
/**
 * The sampling budget of one shape, ms: a run's own round budget when that is smaller (a smoke run
 * of 20 ms rounds gets a roof timed as its cases are, not one that takes longer than its cases).
 * 100 ms: a shape's median over 3–60 products. Measured (run.json `phases.ceilings`, default suite):
 * 250 ms and 5 products at least took 15 s of a 233 s run, 100 ms in the round workers 12 s.
 */
export const CEILING_TIME_MS = 100;

const describe = (a: number[], b: number[], dtype: Dtype) => `[${a.join('×')}]·[${b.join('×')}] ${dtype}`;
const flopsOf = (a: number[], b: number[]) => 2 * a.reduce((x, y) => x * y, 1) * b[b.length - 1];

/** Normal draws repeated over an operand (repeatedNormals); prime, so that rows of a product are not copies of one another. */
const OPERAND_BLOCK = 4099;

async function timeShape(info: EngineInfo, a: number[], b: number[], timeMs: number, dtype: Dtype): Promise<CeilingShape> {
  const rng = createRng(`ceiling:${a}:${b}`), size = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const operand = (s: number[]) => ({ data: roundedTo(repeatedNormals(rng, size(s), OPERAND_BLOCK), dtype), shape: s });
  const engine = await createEngine(info);
  const prepared = await engine.prepare(forwardProgram((ops, x, w) => ops.matMul(x, w.W), operand(a), dtype), { W: operand(b) });
  try {
    // One warm-up pass, at least 3 products: the roof is each shape's best of two such medians (before and after the cases).
    const t = { timeMs, warmupMs: Math.min(50, timeMs), warmupIterations: 1, minSamples: 3, targetRme: 2, downloadInside: true };
    // Timed as the cases are: on the engine's clock where it has one (Prepared.timeSamples).
    const [{ median }] = await timeGroupRound([subjectOf(prepared)], t, 0, `ceiling:${describe(a, b, dtype)}`);
    return { shape: describe(a, b, dtype), gflops: flopsOf(a, b) / median / 1e6, medianMs: median };
  } finally {
    await prepared.dispose();
  }
}

/**
 * The engine's matmul ceiling in `dtype` (operands and product in it: the roof of the run's cases in that dtype,
 * RunMeta ceilingKey), and its bandwidth ceiling at each of `bandwidthBytes` (none: not measured).
 */
export async function measureCeiling(info: EngineInfo, timeMs = CEILING_TIME_MS, dtype: Dtype = DEFAULT_DTYPE,
  bandwidthBytes: number[] = []): Promise<Ceiling> {
  const shapes: CeilingShape[] = [];
  for (const [a, b] of CEILING_SHAPES) {
    const best = Math.max(0, ...shapes.map((s) => s.gflops));
    if (best > 0 && flopsOf(a, b) / best / 1e6 > Math.min(MAX_PRODUCT_MS, 2 * timeMs)) continue;
    shapes.push(await timeShape(info, a, b, timeMs, dtype));
  }
  const bandwidth: BandwidthSize[] = [];
  for (const bytes of bandwidthBytes) bandwidth.push(await timeStreamingRead(info, bytes, timeMs));
  return summarise(shapes, bandwidth);
}

/** The best shape's figures, and every shape's; the bandwidth sizes ascending. */
function summarise(shapes: CeilingShape[], bandwidth: BandwidthSize[] = []): Ceiling {
  const best = shapes.reduce((x, y) => (y.gflops > x.gflops ? y : x));
  return { ...best, shapes, ...(bandwidth.length > 0 && { bandwidth: [...bandwidth].sort((a, b) => a.bytes - b.bytes) }) };
}

/** Two measurements of one engine's ceiling (before and after the cases), each shape's and each read size's best kept. */
export function mergeCeilings(first: Ceiling, second: Ceiling): Ceiling {
  const byShape = new Map<string, CeilingShape>();
  for (const s of [...(first.shapes ?? [first]), ...(second.shapes ?? [second])]) {
    const seen = byShape.get(s.shape);
    if (!seen || s.gflops > seen.gflops) byShape.set(s.shape, { shape: s.shape, gflops: s.gflops, medianMs: s.medianMs });
  }
  const bySize = new Map<number, BandwidthSize>();
  for (const b of [...(first.bandwidth ?? []), ...(second.bandwidth ?? [])]) {
    const seen = bySize.get(b.bytes);
    if (!seen || b.gbs > seen.gbs) bySize.set(b.bytes, b);
  }
  return summarise([...byShape.values()], [...bySize.values()]);
}

// ---- memory bandwidth ----

/** Columns of the streaming read's rows: 16 KiB a row, so the reduction's output (one value a row) is small beside its input. */
const READ_COLS = 4096;

/**
 * The sizes a run's bandwidth ceiling is measured at: each working-set size (bytes one decode step
 * moves) rounded to the nearest power of two (on a log scale), from 1 MiB; one per power of two.
 */
export function bandwidthSizes(workingSets: readonly number[]): number[] {
  const MiB = 2 ** 20;
  return [...new Set(workingSets.map((b) => Math.max(MiB, 2 ** Math.round(Math.log2(Math.max(1, b))))))].sort((a, b) => a - b);
}

/**
 * A streaming read of `bytes` in the engine: the sum of every row of an input [rows × 4096] float32,
 * timed as the cases are (group round, the engine's clock where it has one). An input, not a weight:
 * a graph engine folds a reduction over a constant when it compiles (ORT does). Where the engine
 * rotates (rotation.ts), each pass reads the next slot of the pool: from memory, as a decode step's cache.
 */
async function timeStreamingRead(info: EngineInfo, bytes: number, timeMs: number): Promise<BandwidthSize> {
  const rows = Math.max(1, Math.round(bytes / 4 / READ_COLS)), read = 4 * rows * READ_COLS, n = rows * READ_COLS, shape = [rows, READ_COLS];
  const turn = rotates(info) ? rotation([n]) : undefined;
  const engine = await createEngine(info);
  const prepared = await engine.prepare(forwardProgram((ops, x) => ops.reduceSum(x),
    { data: turn ? turn.next()[0] : repeatedNormals(createRng(`bandwidth:${rows}`), n, OPERAND_BLOCK), shape }), {});
  try {
    const t = { timeMs, warmupMs: Math.min(50, timeMs), warmupIterations: 2, minSamples: 5, targetRme: 2, downloadInside: true };
    const what = `ReduceSum over [${rows}×${READ_COLS}] float32 (${(read / 2 ** 20).toFixed(read < 2 ** 20 ? 2 : 0)} MiB), an input`
      + (turn ? `, the next of ${turn.slots} each pass (${(turn.bytes / 2 ** 20).toFixed(0)} MiB in turn)` : '');
    const subject = turn ? { pass: () => prepared.run({ [FORWARD_INPUT]: { data: turn.next()[0], shape } }) } : subjectOf(prepared);
    const [{ median }] = await timeGroupRound([subject], t, 0, `bandwidth:${what}`);
    return { what, bytes: read, gbs: read / median / 1e6, medianMs: median };
  } finally {
    await prepared.dispose();
  }
}

/** The bandwidth measured at the size nearest `bytes` (on a log scale); undefined where none was measured. */
export function bandwidthAt(ceiling: Pick<Ceiling, 'bandwidth'> | undefined, bytes: number): BandwidthSize | undefined {
  const sizes = ceiling?.bandwidth ?? [];
  if (sizes.length === 0) return undefined;
  return sizes.reduce((a, b) => (Math.abs(Math.log(b.bytes / bytes)) < Math.abs(Math.log(a.bytes / bytes)) ? b : a));
}
