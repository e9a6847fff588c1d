/**
 * Chart — the singular-value spectrum of each projection of a layer read from a file (`--weights`):
 * σ_i against i, log–log, one line per W. Its shape decides what the low-rank variants cost: the
 * energy kept by rank r is Σ_{i≤r} σ_i² / Σ σ_i² (in the tooltip), what an SVD of rank r keeps.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { RunMeta } from '../../results/run-meta.ts';
import { VL_SCHEMA } from './series.ts';

export function spectrumChart(_lines: unknown, meta: RunMeta | undefined): TopLevelSpec | undefined {
  const w = meta?.weightsFile;
  if (!w?.spectrum) return undefined;
  const rows = Object.entries(w.spectrum).flatMap(([p, sv]) => {
    const total = sv.reduce((s, x) => s + x * x, 0);
    let kept = 0;
    return sv.map((sigma, i) => ({ projection: `W${p}`, rank: i + 1, sigma, energy: (kept += sigma * sigma) / total }));
  }).filter((r) => r.sigma > 0); // a log scale has no place for an exact zero (a rank-deficient W)
  return {
    $schema: VL_SCHEMA,
    title: { text: `Singular values of ${w.basename}`,
      subtitle: `sha256 ${w.sha256.slice(0, 16)}…, ${w.scheme}${w.prefix ? ` ${w.prefix}` : ''}` },
    data: { values: rows },
    width: 420, height: 260,
    mark: { type: 'line', point: false, tooltip: true },
    encoding: {
      x: { field: 'rank', type: 'quantitative', title: 'i (rank)', scale: { type: 'log' } },
      y: { field: 'sigma', type: 'quantitative', title: 'σ_i', scale: { type: 'log' } },
      color: { field: 'projection', type: 'nominal', title: null, sort: ['Wq', 'Wk', 'Wv', 'Wo'] },
      tooltip: [{ field: 'projection' }, { field: 'rank', title: 'i' }, { field: 'sigma', title: 'σ_i', format: '.4g' },
        { field: 'energy', title: 'energy kept by rank i', format: '.1%' }],
    },
  } as TopLevelSpec;
}
