/**
 * The engine's matmul ceiling: GFLOP/s of one large square matrix product ([1024×1024]·[1024×1024],
 * 2.1 GFLOP) through the same engine path and timing as the cases. The report draws it as the
 * roof of the achieved-throughput chart.
 */
import { createEngine } from '../engine/resolve.ts';
import type { EngineInfo } from '../engine/types.ts';
import { createRng, normalArray } from '../linalg/rng.ts';
import { measureLatency } from './latency.ts';

export const CEILING_SIZE = 1024;

export interface Ceiling {
  /** Achieved GFLOP/s of the product at its median latency. */
  gflops: number;
  /** What was multiplied, e.g. "[1024×1024]·[1024×1024] float32". */
  shape: string;
  medianMs: number;
}

export async function measureCeiling(info: EngineInfo): Promise<Ceiling> {
  const n = CEILING_SIZE, rng = createRng('ceiling');
  const engine = await createEngine(info);
  const prepared = await engine.prepare((ops, x, w) => ops.matMul(x, w.W),
    { W: { data: normalArray(rng, n * n, 1), shape: [n, n] } }, { data: normalArray(rng, n * n, 1), shape: [n, n] });
  try {
    const { stats } = await measureLatency(() => prepared.run(),
      { timeMs: 1000, warmupMs: 200, warmupIterations: 2, minSamples: 5, targetRme: 2, downloadInside: true });
    return { gflops: (2 * n ** 3) / stats.median / 1e6, shape: `[${n}×${n}]·[${n}×${n}] float32`, medianMs: stats.median };
  } finally {
    await prepared.dispose();
  }
}
