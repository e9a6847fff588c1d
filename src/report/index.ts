/**
 * The report pipeline, one run:
 *   results.jsonl + run.json ──► chart specs (charts/*.ts, pure) ──► static SVG (svg.ts)
 *                            ──► page (page.ts): header, notices, charts, case table, environment
 * and the runs index (runs-index.ts) of the folder the run lives in.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunMeta } from '../run/env.ts';
import type { OkLine, ResultLine } from '../run/result.ts';
import { readResults, readRunMeta, REPORT_FILE } from '../run/store.ts';
import { latencyChart } from './charts/latency.ts';
import { escapeHtml } from './escape.ts';
import { chartSection, page, table, type Chart } from './page.ts';
import { toSvg } from './svg.ts';
import { updateIndex } from './runs-index.ts';

async function charts(lines: ResultLine[]): Promise<Chart[]> {
  const ok = lines.filter((l): l is OkLine => l.status === 'ok');
  if (ok.length === 0) return [];
  const spec = latencyChart(ok);
  return [{ id: 'latency', title: 'Latency', spec, svg: await toSvg(spec),
    caption: 'Median latency of one forward pass (output download included) per sequence length, log–log; the band spans p25–p75 of the samples. Hover for exact values.' }];
}

const fmt = (n: number | null | undefined, digits = 3) => (n === null || n === undefined ? '' : Number(n.toPrecision(digits)).toString());

function casesTable(lines: ResultLine[]): string {
  const ok = (l: ResultLine) => (l.status === 'ok' ? l : undefined);
  return table(lines, [
    { title: 'variant', cell: (l) => l.label },
    { title: 'engine', cell: (l) => `${l.engine}/${l.backend}` },
    { title: 'device', cell: (l) => l.device },
    { title: 'N', cell: (l) => l.shape.seqLen, numeric: true },
    { title: 'B×D×H', cell: (l) => `${l.shape.batch}×${l.shape.dModel}×${l.shape.heads}` },
    { title: 'status', cell: (l) => (l.status === 'ok' ? 'ok' : `${l.status}: ${l.reason}`) },
    { title: 'median ms', cell: (l) => fmt(ok(l)?.latencyMs.median, 4), numeric: true },
    { title: 'rme %', cell: (l) => fmt(ok(l)?.latencyMs.rme, 2), numeric: true },
    { title: 'samples', cell: (l) => ok(l)?.latencyMs.samples ?? '', numeric: true },
    { title: 'GFLOP/s', cell: (l) => fmt(ok(l)?.gflops), numeric: true },
    { title: 'params (inference)', cell: (l) => l.params.inference, numeric: true },
    { title: 'peak memory bytes', cell: (l) => ok(l)?.memory.peakBytes ?? '', numeric: true },
    { title: 'rel. error', cell: (l) => fmt(ok(l)?.accuracy.relErr, 2), numeric: true },
  ], (l) => l.status);
}

function environmentSection(meta: RunMeta | undefined): string {
  if (!meta) return '<h2>Environment</h2><p>run.json is missing: environment unknown.</p>';
  const e = meta.environment;
  const engines = table(meta.engines, [
    { title: 'engine/backend', cell: (i) => i.id },
    { title: 'available', cell: (i) => (i.available ? 'yes' : 'no') },
    { title: 'version', cell: (i) => i.version ?? '' },
    { title: 'device', cell: (i) => i.device ?? '' },
    { title: 'why not', cell: (i) => i.reason ?? '' },
  ]);
  return `<h2>Environment</h2>
<p>${escapeHtml(e.cpuModel)}, ${e.cores} cores, ${(e.totalMemory / 2 ** 30).toFixed(1)} GiB; ${escapeHtml(e.os)}; Node ${escapeHtml(e.node)};
load average ${e.loadAverage.start.map((x) => x.toFixed(2)).join(' / ')} at start${e.loadAverage.end ? `, ${e.loadAverage.end.map((x) => x.toFixed(2)).join(' / ')} at end` : ''};
git ${escapeHtml(e.git ? `${e.git.commit.slice(0, 10)}${e.git.dirty ? ' (dirty)' : ''}` : 'unknown')}.
Run ${escapeHtml(meta.runId)}, ${escapeHtml(meta.startedAt)} → ${escapeHtml(meta.finishedAt ?? 'unfinished')}.</p>
${engines}
<h3>Suite</h3><pre>${escapeHtml(JSON.stringify(meta.suite, null, 2))}</pre>
<h3>Command</h3><pre>npm run bench -- ${escapeHtml(meta.argv.join(' '))}</pre>`;
}

export async function renderReport(lines: ResultLine[], meta: RunMeta | undefined): Promise<string> {
  const title = `attnbench — ${meta?.suite.name ?? 'run'}`;
  const notices = [
    ...(meta?.fallbacks ?? []).map((f) => `fallback: ${f}`),
    ...(meta?.interrupted ? ['this run was interrupted: some cases did not run'] : []),
    ...lines.filter((l) => l.status !== 'ok').length ? [`${lines.filter((l) => l.status !== 'ok').length} case(s) skipped or failed: see the table`] : [],
  ].map((n) => `<p class="notice">${escapeHtml(n)}</p>`).join('\n');
  const body = `<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(meta?.suite.description ?? '')} ${lines.length} case(s) on ${escapeHtml(meta?.selected.join(', ') ?? '')}.</p>
${notices}
${(await charts(lines)).map(chartSection).join('\n')}
<h2>Every case</h2>
${casesTable(lines)}
${environmentSection(meta)}`;
  return page(title, body, { charts: true });
}

/** Writes DIR/report.html from DIR/results.jsonl and DIR/run.json; refreshes the runs index of `root`. */
export async function writeReport(dir: string, root?: string): Promise<string> {
  const file = path.join(dir, REPORT_FILE);
  writeFileSync(file, await renderReport(readResults(dir), readRunMeta(dir)));
  const parent = path.dirname(path.resolve(dir));
  if (root && parent === path.resolve(root)) updateIndex(parent);
  return file;
}
