/**
 * The report pipeline, one run:
 *   results.jsonl + run.json ──► chart specs (charts/*.ts, pure) ──► static SVG (svg.ts)
 *                            ──► checks (invariants.ts), paired comparisons (paired.ts → findings.ts,
 *                                also findings.json) and scaling fits (scaling.ts), pure
 *                            ──► page (page.ts, sections.ts): checks, charts, findings, cases, environment
 * then the runs index (runs-index.ts) of the folder the run lives in. publish.ts copies a results
 * folder for a static site; compare.ts and compare-page.ts set two runs side by side.
 */
import path from 'node:path';
import { engineNotices } from '../engine/resolve.ts';
import type { RunMeta } from '../results/run-meta.ts';
import type { OkLine, ResultLine, TrainOkLine } from '../results/types.ts';
import { FINDINGS_FILE, readResults, readRunMeta, REPORT_FILE, writeFileAtomic } from '../results/store.ts';
import { CHARTS } from './charts/index.ts';
import { escapeHtml } from './escape.ts';
import { comparisons, facts, type Fact, type Finding } from './findings.ts';
import { checkInvariants, unreliableCases, type Violation } from './invariants.ts';
import { noiseFloors } from './noise.ts';
import { chartSection, page, type Chart } from './page.ts';
import { scalingFits } from './scaling.ts';
import { casesTable, environmentSection, findingsSection, scalingAside, violationsSection } from './sections.ts';
import { modeComparisons, modeSections } from './mode-sections.ts';
import { renderCharts } from './svg.ts';
import { updateIndex } from './runs-index.ts';

/** What the page says beyond the lines: the checks, the comparisons (findings.json) and the measured facts. */
export interface Analysis {
  violations: Violation[];
  /** Case id → why it is unreliable. */
  unreliable: Map<string, string>;
  findings: Finding[];
  facts: Fact[];
}

export function analyse(lines: ResultLine[], meta: RunMeta | undefined): Analysis {
  const violations = checkInvariants(lines, meta), unreliable = unreliableCases(violations);
  return { violations, unreliable, findings: comparisons(lines, unreliable), facts: facts(lines, meta) };
}

async function charts(lines: ResultLine[], meta: RunMeta | undefined, found: Finding[]): Promise<Chart[]> {
  const aside = scalingAside(scalingFits(lines));
  return renderCharts(CHARTS.map(({ id, title, caption, build }) => ({ id, title, caption, spec: build(lines, meta, found),
    ...(id === 'latency' && aside && { aside }) })));
}

/**
 * The engines this run fell back from (unavailable, and ahead of a selected engine of the same
 * name in priority order), as one notice: the reasons are the Environment section's.
 */
function absentEnginesNotice(meta: RunMeta | undefined): string {
  const selected = (meta?.engines ?? []).filter((e) => meta?.selected.includes(e.id));
  const absent = (meta?.engines ?? []).filter((i) => !i.available
    && selected.some((s) => s.engine === i.engine && s.priority > i.priority));
  if (absent.length === 0) return '';
  const cuda = absent.filter((i) => i.device === 'cuda').map((i) => i.id);
  const other = absent.filter((i) => i.device !== 'cuda').map((i) => i.id);
  const text = [cuda.length && `CUDA engines not present here: ${cuda.join(', ')}`,
    other.length && `${cuda.length ? 'also absent' : 'engines not present here'}: ${other.join(', ')}`].filter(Boolean).join('; ');
  return `<p class="notice">${escapeHtml(`${text}; measured on ${meta!.selected.join(', ')}`)} `
    + '(<a href="#environment">why each is absent</a>)</p>';
}

function notices(lines: ResultLine[], meta: RunMeta | undefined): string {
  const failed = lines.filter((l) => l.status !== 'ok').length;
  const oneRound = lines.length > 0 && lines.every((l) => l.timing.rounds < 2);
  return absentEnginesNotice(meta) + [
    ...(meta?.interrupted ? ['this run was interrupted: cases whose rounds did not all run are missing (continue it with --resume)'] : []),
    ...(failed ? [`${failed} case(s) skipped or failed: see the table`] : []),
    ...(meta?.missing?.length ? [`merged from shards with ${meta.missing.length} of ${meta.cases} planned case(s) missing: `
      + `${meta.missing.join('; ')}`] : []),
    ...engineNotices(lines),
    ...(oneRound ? ['this run measured one round per case: its intervals hold the sampling noise of that round only, '
      + 'not the variation between rounds'] : []),
  ].map((n) => `\n<p class="notice">${escapeHtml(n)}</p>`).join('');
}

export async function renderReport(lines: ResultLine[], meta: RunMeta | undefined, analysis = analyse(lines, meta)): Promise<string> {
  const title = `attnbench — ${meta?.suite.name ?? 'run'}`;
  const drawn = await charts(lines, meta, analysis.findings);
  const sections = await modeSections(lines, meta);
  const nav = [...drawn.map((c) => [c.id, c.title]), ['findings', 'Findings'], ...sections.map((m) => [m.id, m.title]),
    ['cases', 'Every case'], ['environment', 'Environment']]
    .map(([id, name]) => `<a href="#${escapeHtml(id)}">${escapeHtml(name)}</a>`).join('');
  const body = `<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(meta?.suite.description ?? '')} ${lines.length} case(s) on ${escapeHtml(meta?.selected.join(', ') ?? '')}.</p>
<nav>${nav}</nav>
${violationsSection(analysis.violations, noiseFloors(lines.filter((l): l is OkLine | TrainOkLine => l.status === 'ok')))}
${notices(lines, meta)}
${drawn.map(chartSection).join('\n')}
${findingsSection(analysis.findings, analysis.facts)}
${sections.map((m) => m.html).join('\n')}
${casesTable(lines, analysis.unreliable)}
${environmentSection(meta)}`;
  return page(title, body, { charts: drawn.length > 0 || sections.length > 0 });
}

/** Writes DIR/report.html and DIR/findings.json from DIR/results.jsonl and DIR/run.json; refreshes the runs index of `root`. */
export async function writeReport(dir: string, root?: string): Promise<string> {
  const file = path.join(dir, REPORT_FILE), lines = readResults(dir), meta = readRunMeta(dir);
  const analysis = analyse(lines, meta);
  // findings.json: the inference comparisons, then those of the modes with a section of their own (decode, train), each with its `mode`.
  writeFileAtomic(path.join(dir, FINDINGS_FILE), `${JSON.stringify([...analysis.findings, ...modeComparisons(lines)], null, 2)}\n`);
  writeFileAtomic(file, await renderReport(lines, meta, analysis));
  const parent = path.dirname(path.resolve(dir));
  if (root && parent === path.resolve(root)) updateIndex(parent);
  return file;
}
