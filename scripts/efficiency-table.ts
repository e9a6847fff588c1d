/**
 * Do the efficient variants skip the work they claim to? For each run folder given, per engine and
 * N: analytic FLOP ratio vs full, measured speed-up vs full (ratio of medians), and their quotient.
 *   npx tsx scripts/efficiency-table.ts results/<run-id> [...]
 * For svd the projection part alone is also shown: its share of full's FLOPs is the projections.
 */
import Table from 'cli-table3';
import { vsFull } from '../src/report/charts/series.ts';
import { readResults } from '../src/results/store.ts';

for (const dir of process.argv.slice(2)) {
  const t = new Table({ style: { head: [], border: [] },
    head: ['variant', 'engine', 'N', 'FLOP ratio', 'speed-up', 'efficiency', 'median ms', 'rme %'] });
  // Paired with full attention of the same comparison group: engine, mode and the whole shape (B, N, D, H, causal).
  for (const { line: l, full: base } of vsFull(readResults(dir))) {
    const flopRatio = base.flops / l.flops, speedup = base.latencyMs.median / l.latencyMs.median;
    t.push([l.label, `${l.engine}/${l.backend}`, l.shape.seqLen, flopRatio.toFixed(2), speedup.toFixed(2),
      `${((speedup / flopRatio) * 100).toFixed(0)} %`, l.latencyMs.median.toFixed(1), l.latencyMs.rme.toFixed(1)]);
  }
  console.log(`${dir}\n${t.toString()}`);
}
