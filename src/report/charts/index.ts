/** The charts of a run's page, in page order: each a pure spec builder that returns nothing when the run lacks its data. */
import type { TopLevelSpec } from 'vega-lite';
import type { RunMeta } from '../../results/run-meta.ts';
import type { ResultLine } from '../../results/types.ts';
import type { Finding } from '../findings.ts';
import { accuracyChart } from './accuracy.ts';
import { latencyChart } from './latency.ts';
import { memoryChart } from './memory.ts';
import { paramsChart } from './params.ts';
import { speedupChart } from './speedup.ts';
import { spectrumChart } from './spectrum.ts';
import { throughputChart } from './throughput.ts';
import { timelineChart } from './timeline.ts';

export interface ChartDef {
  id: string;
  title: string;
  /** How to read the chart. */
  caption: string;
  /** `found`: the run's comparisons (findings.ts), for the charts that draw their intervals. */
  build(lines: ResultLine[], meta: RunMeta | undefined, found: Finding[]): TopLevelSpec | undefined;
}

export const CHARTS: ChartDef[] = [
  { id: 'latency', title: 'Latency', build: latencyChart,
    caption: 'Median latency of one forward pass (output download included) per sequence length, log–log; the band spans '
      + 'p25–p75 of the samples. Hover for exact values; click a legend entry to single out a variant (shift-click for more).' },
  { id: 'speedup', title: 'Speed-up vs full attention', build: speedupChart,
    caption: 'Full attention’s latency over the variant’s, paired round by round at the same engine and shape (median over rounds), '
      + 'with its 95 % interval. Above the 1× rule the variant is faster; a bar that crosses the rule is no measurable difference.' },
  { id: 'memory', title: 'Peak memory', build: memoryChart,
    caption: 'Measured peak memory of one forward pass beyond weights and input (solid; how it was measured is in the tooltip) '
      + 'and the variant’s analytic formula (dashed), log–log.' },
  { id: 'params', title: 'Parameters', build: paramsChart,
    caption: 'Parameters each variant configuration defines (total), updates when fine-tuned (trainable) and holds at inference. '
      + 'Where they grow with N, at the largest N of the run.' },
  { id: 'throughput', title: 'Achieved throughput', build: throughputChart,
    caption: 'Analytic FLOPs of one forward pass divided by its median latency; the dashed rule is the matmul throughput '
      + 'this engine reached on this machine (its ceiling).' },
  { id: 'accuracy', title: 'Accuracy vs speed', build: accuracyChart,
    caption: 'One point per variant configuration at each N (larger N, larger point): relative error of its output vs exact '
      + 'full attention with the same base weights, against its speed-up. Down and right is better; the rule marks full’s speed.' },
  { id: 'spectrum', title: 'Spectrum of the loaded layer', build: spectrumChart,
    caption: 'Singular values σ_i of the Wq, Wk, Wv and Wo read from the weights file (run.json names it with its sha256), log–log. '
      + 'A fast decay means a low rank keeps most of the energy (in the tooltip), so SVD and LoRA-style factors lose little; '
      + 'a flat spectrum makes every low-rank variant costly in accuracy.' },
  { id: 'timeline', title: 'Timeline', build: timelineChart,
    caption: 'The load of the machine through the run (1-minute load average, and tasks runnable at each second) above the window '
      + 'of every timing round of every case. Rounds are interleaved: round 1 of every case in a shuffled order, then round 2, …; '
      + 'a busy spell lands on a few rounds of many cases, and the paired comparisons take the median over rounds.' },
];
