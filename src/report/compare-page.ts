/** compare.html: the comparison of two runs as a self-contained page (chart, table, cases in one run only). */
import type { RunMeta } from '../results/run-meta.ts';
import type { ResultLine } from '../results/types.ts';
import { ratiosChart } from './charts/ratios.ts';
import { engineOf } from './charts/series.ts';
import type { Comparison } from './compare.ts';
import { escapeHtml } from './escape.ts';
import { sig, times } from './format.ts';
import { chartSection, page, table } from './page.ts';
import { toSvg } from './svg.ts';

export interface RunRef {
  /** The run folder as given on the command line. */
  dir: string;
  meta: RunMeta | undefined;
}

function describeRun(name: string, r: RunRef): string {
  const m = r.meta, git = m?.environment.git;
  const commit = git ? git.commit.slice(0, 10) + (git.dirty ? ' (dirty)' : '') : 'unknown';
  const what = m ? `${m.runId}, suite ${m.suite.name}, ${m.environment.cpuModel}, git ${commit}` : 'run.json missing';
  return `<li><b>${name}</b> ${escapeHtml(r.dir)}: ${escapeHtml(what)}</li>`;
}

function onlyIn(name: string, lines: ResultLine[]): string {
  if (lines.length === 0) return `<p>Every case of ${name} is in the other run.</p>`;
  return `<h3>Only in ${name} (${lines.length})</h3>${table(lines, [
    { title: 'variant', cell: (l) => l.label }, { title: 'engine', cell: engineOf },
    { title: 'N', cell: (l) => l.shape.seqLen, numeric: true }, { title: 'case id', cell: (l) => l.caseId }])}`;
}

export async function renderComparison(cmp: Comparison, base: RunRef, next: RunRef): Promise<string> {
  const spec = ratiosChart(cmp);
  const chart = spec ? chartSection({ id: 'ratios', title: 'Ratios', spec, svg: await toSvg(spec),
    caption: `NEW/BASE median latency per case. Red: significantly slower than ${times(cmp.threshold)}; `
      + `green: significantly faster than ${times(1 / cmp.threshold)}; dashed rules at those thresholds.` }) : '';
  const rows = table(cmp.cases, [
    { title: 'variant', cell: (c) => c.label }, { title: 'engine', cell: (c) => c.engine },
    { title: 'N', cell: (c) => c.seqLen, numeric: true },
    { title: 'BASE median ms', cell: (c) => sig(c.baseMedian, 4), numeric: true },
    { title: 'NEW median ms', cell: (c) => sig(c.newMedian, 4), numeric: true },
    { title: 'NEW/BASE', cell: (c) => sig(c.ratio, 3), numeric: true },
    { title: 'p (Mann–Whitney)', cell: (c) => sig(c.p, 2), numeric: true },
    { title: 'verdict', cell: (c) => (c.note ? `${c.verdict}: ${c.note}` : c.verdict) },
  ], (c) => c.verdict.replace(' ', '-'));
  const body = `<h1>attnbench — comparison of two runs</h1>
<ul>${describeRun('BASE', base)}${describeRun('NEW', next)}</ul>
<p class="caption">Cases are matched by case id (variant configuration, engine/backend and shape). Significance: two-sided Mann–Whitney U
on the raw latency samples (normal approximation, tie- and continuity-corrected), α = ${cmp.alpha}. A case is slower when the difference is
significant and NEW/BASE &gt; ${escapeHtml(times(cmp.threshold))}; `
    + `faster when significant and NEW/BASE &lt; ${escapeHtml(times(1 / cmp.threshold))}.</p>
${chart}
<h2>Every case in both runs</h2>
${rows}
<h2>Cases in one run only</h2>
${onlyIn('BASE', cmp.onlyInBase)}
${onlyIn('NEW', cmp.onlyInNew)}`;
  return page('attnbench — compare', body, { charts: spec !== undefined });
}
