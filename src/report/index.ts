/**
 * The report pipeline, one run:
 *   results.jsonl + run.json ──► chart specs (charts/*.ts, pure) ──► static SVG (svg.ts)
 *                            ──► findings (findings.ts) and scaling fits (scaling.ts), pure
 *                            ──► page (page.ts, sections.ts): charts, findings, cases, environment
 * then the runs index (runs-index.ts) of the folder the run lives in. publish.ts copies a results
 * folder for a static site; compare.ts and compare-page.ts set two runs side by side.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunMeta } from '../results/run-meta.ts';
import type { ResultLine } from '../results/types.ts';
import { readResults, readRunMeta, REPORT_FILE } from '../results/store.ts';
import { CHARTS } from './charts/index.ts';
import { escapeHtml } from './escape.ts';
import { findings } from './findings.ts';
import { chartSection, page, type Chart } from './page.ts';
import { scalingFits } from './scaling.ts';
import { casesTable, environmentSection, findingsSection, scalingAside } from './sections.ts';
import { trainingSection } from './training.ts';
import { toSvg } from './svg.ts';
import { updateIndex } from './runs-index.ts';

async function charts(lines: ResultLine[], meta: RunMeta | undefined): Promise<Chart[]> {
  const built = CHARTS.flatMap((c) => {
    const spec = c.build(lines, meta);
    return spec ? [{ ...c, spec }] : [];
  });
  const aside = scalingAside(scalingFits(lines));
  return Promise.all(built.map(async ({ id, title, caption, spec }) => ({ id, title, caption, spec, svg: await toSvg(spec),
    ...(id === 'latency' && aside && { aside }) })));
}

function notices(lines: ResultLine[], meta: RunMeta | undefined): string {
  const failed = lines.filter((l) => l.status !== 'ok').length;
  return [
    ...(meta?.fallbacks ?? []).map((f) => `fallback: ${f}`),
    ...(meta?.interrupted ? ['this run was interrupted: some cases did not run'] : []),
    ...(failed ? [`${failed} case(s) skipped or failed: see the table`] : []),
  ].map((n) => `<p class="notice">${escapeHtml(n)}</p>`).join('\n');
}

export async function renderReport(lines: ResultLine[], meta: RunMeta | undefined): Promise<string> {
  const title = `attnbench — ${meta?.suite.name ?? 'run'}`;
  const drawn = await charts(lines, meta);
  const training = await trainingSection(lines);
  const nav = [...drawn.map((c) => [c.id, c.title]), ['findings', 'Findings'], ...(training ? [['training', 'Training']] : []),
    ['cases', 'Every case'], ['environment', 'Environment']]
    .map(([id, name]) => `<a href="#${escapeHtml(id)}">${escapeHtml(name)}</a>`).join('');
  const body = `<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(meta?.suite.description ?? '')} ${lines.length} case(s) on ${escapeHtml(meta?.selected.join(', ') ?? '')}.</p>
<nav>${nav}</nav>
${notices(lines, meta)}
${drawn.map(chartSection).join('\n')}
${findingsSection(findings(lines, meta))}
${training}
${casesTable(lines)}
${environmentSection(meta)}`;
  return page(title, body, { charts: drawn.length > 0 || training !== '' });
}

/** Writes DIR/report.html from DIR/results.jsonl and DIR/run.json; refreshes the runs index of `root`. */
export async function writeReport(dir: string, root?: string): Promise<string> {
  const file = path.join(dir, REPORT_FILE);
  writeFileSync(file, await renderReport(readResults(dir), readRunMeta(dir)));
  const parent = path.dirname(path.resolve(dir));
  if (root && parent === path.resolve(root)) updateIndex(parent);
  return file;
}
