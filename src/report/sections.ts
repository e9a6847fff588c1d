/**
 * The non-chart parts of a run's page: findings, the scaling table beside chart 1, the table of
 * every case (skipped and failed ones with their reasons, noisy timings marked) and the
 * environment. Each returns trusted HTML built from escaped parts.
 */
import type { RunMeta } from '../results/run-meta.ts';
import type { OkLine, ResultLine } from '../results/types.ts';
import { dtypeOf } from '../results/dtype.ts';
import { isForwardOk, modeOf } from '../modes/index.ts';
import { engineOf, noisyOf } from './charts/series.ts';
import { escapeHtml } from './escape.ts';
import type { Fact, Finding } from './findings.ts';
import { summaries } from './summaries.ts';
import { UNRELIABLE, type Violation } from './invariants.ts';
import { MIN_EFFECT } from './paired.ts';
import { sig } from './format.ts';
import { table } from './page.ts';
import { FIT_POINTS, type ScalingFit } from './scaling.ts';

/** The comparisons (findings.json) by question and subject, then the measured facts; trusted HTML. */
export function findingsSection(found: Finding[], measuredFacts: Fact[]): string {
  const groups = summaries(found);
  const questions = [...new Set(groups.map((g) => g.question))];
  const compared = questions.map((q) => `<dt>${escapeHtml(q)}</dt>${groups.filter((g) => g.question === q).map((g) =>
    `<dd>${escapeHtml(g.summary)}<ul>${g.comparisons.map((f) =>
      `<li class="${f.verdict.replace(/ /g, '-')}${f.unreliable ? ' unreliable' : ''}">${escapeHtml(f.text)}</li>`).join('')}</ul></dd>`)
    .join('')}`).join('\n');
  const factList = measuredFacts.map((f) =>
    `<dt>${escapeHtml(f.question)}</dt>${f.answers.map((a) => `<dd>${escapeHtml(a)}</dd>`).join('')}`);
  const body = found.length === 0 && measuredFacts.length === 0
    ? '<p>This run has none of the data the findings are written from (e.g. full attention beside another variant).</p>'
    : `<dl>${compared}${factList.join('\n')}</dl>`;
  return `<section id="findings"><h2>Findings</h2>
<p class="caption">Written from this run’s data by fixed rules (src/report/findings.ts; also in findings.json); a question the run has
no data for is left out. Each latency comparison is a ratio of medians within the same interleaved round, its median over rounds,
with a 95 % interval (a bootstrap within rounds joined with Student’s t between rounds): it says faster or slower only when the whole
interval is on one side of 1 and the effect is at least
${MIN_EFFECT * 100} %; otherwise “no measurable difference”.</p>
${body}</section>`;
}

/**
 * Invariants the run broke (invariants.ts), shown at the top of the page with their numbers, and
 * each engine's noise floor (noise.ts): what a reader may expect of this instrument on this machine.
 */
export function violationsSection(violations: Violation[], floors: Map<string, number> = new Map()): string {
  const floorText = floors.size === 0 ? '' : `<p>Noise floor of this instrument here (the median spread of a case's round medians, `
    + `each round in a process of its own): ${escapeHtml([...floors].map(([e, f]) => `${e} ${Math.round(f * 100)} %`).join(', '))}. `
    + 'Comparisons pair their cases within each round, and their intervals hold this variation.</p>';
  if (violations.length === 0) return floorText && `<section id="checks">${floorText}</section>`;
  const marked = new Set(violations.flatMap((v) => v.caseIds)).size;
  return `<section id="checks" class="notice"><b>This run checks itself, and ${violations.length} check(s) failed.</b>
${marked > 0 ? `The ${marked} case(s) named as unreliable are marked in the findings and the table, and `
    + '<code>npm run compare</code> calls no regression on them.' : 'No case is marked unreliable by them.'}
${floorText}
<details${violations.length <= 3 ? ' open' : ''}><summary>the failed checks, with their numbers</summary>
<ul>${violations.map((v) => `<li>${escapeHtml(v.text)}.</li>`).join('')}</ul></details></section>`;
}

export function scalingAside(fits: ScalingFit[]): string {
  if (fits.length === 0) return '';
  return `<h3>Scaling exponents</h3>
<p class="caption">k in latency ∝ N<sup>k</sup> and peak memory ∝ N<sup>k</sup>, least squares on log–log over the `
    + `${FIT_POINTS} largest N (fewer if fewer ran).</p>
${table(fits, [
    { title: 'variant', cell: (f) => f.label },
    { title: 'engine', cell: (f) => f.engine },
    { title: 'N fitted', cell: (f) => f.seqLens.join(', ') },
    { title: 'latency k', cell: (f) => f.latency.toFixed(2), numeric: true },
    { title: 'memory k', cell: (f) => (f.memory === null ? '' : f.memory.toFixed(2)), numeric: true },
  ])}`;
}

function statusText(l: ResultLine, unreliable: ReadonlyMap<string, string>): string {
  if (l.status !== 'ok') return `${l.status}: ${l.reason}`;
  const flags = [...(unreliable.has(l.caseId) ? [UNRELIABLE] : []), ...noisyOf(l).map((n) => `noisy: ${n}`)];
  const ok = flags.length > 0 ? `ok ⚠ ${flags.join('; ')}` : 'ok';
  return l.notEfficient ? `${ok} · ${l.notEfficient}` : ok;
}

/** `2/3 · node-a`: which shard and machine measured a line of a merged run. */
const shardCell = (l: ResultLine) => (l.shard ? `${l.shard.index}/${l.shard.count} · ${l.shard.machine}` : '');

/** A merged run's shards: which machine measured which comparison groups, and on what. */
function shardsSection(meta: RunMeta): string {
  if (!meta.shards) return '';
  return `<h3>Shards</h3>
<p class="caption">Each shard ran whole comparison groups (a variant and full attention at one engine and shape) on one machine;
every ratio in this report is between cases of one shard, never across machines.</p>
${table(meta.shards, [
    { title: 'shard', cell: (s) => `${s.index}/${s.count}` },
    { title: 'machine', cell: (s) => s.machine },
    { title: 'CPU', cell: (s) => `${s.environment.cpuModel}, ${s.environment.cores} cores` },
    { title: 'engines', cell: (s) => s.engines.filter((e) => e.available).map((e) => `${e.id} ${e.version ?? ''}`).join(', ') },
    { title: 'cases', cell: (s) => `${s.lines} of ${s.cases}`, sortValue: (s) => s.lines },
    { title: 'run', cell: (s) => `${s.runId}${s.interrupted ? ' (interrupted)' : ''}` },
  ])}`;
}

/** What one sample of each mode in the run is (src/modes, Mode.sample). */
function sampleText(lines: ResultLine[]): string {
  const modes = [...new Set(lines.map((l) => l.mode))].map(modeOf);
  return `One sample is ${modes.map((m) => (modes.length > 1 ? `${m.sample} (${m.name})` : m.sample)).join('; ')}.`;
}

/** The clock a measured line's samples were taken on, and whether they include the output's download (TimingSettings). */
export const timedBy = (l: Pick<OkLine, 'timing'>): string =>
  `${l.timing.clock}, ${l.timing.downloadInside ? 'download inside' : 'output left on the device'}`
  + (l.timing.cudaGraph === true ? ', CUDA graph replay' : l.timing.cudaGraph ? `, no CUDA graph (${l.timing.cudaGraph})` : '');

export function casesTable(lines: ResultLine[], unreliable: ReadonlyMap<string, string> = new Map()): string {
  const ok = (l: ResultLine) => (l.status === 'ok' ? l : undefined);
  const inference = (l: ResultLine): OkLine | undefined => (isForwardOk(l) ? l : undefined);
  const modes = new Set(lines.map((l) => l.mode)).size > 1 ? [{ title: 'mode', cell: (l: ResultLine) => l.mode }] : [];
  return `<section id="cases"><h2>Every case</h2>
<p class="caption">Click a column title to sort. Skipped and failed cases give their reason; ⚠ marks a timing the harness found noisy
or a case a failed check made unreliable. Latency figures pool every round's samples; round spread is the largest round median over
the smallest, minus one. ${escapeHtml(sampleText(lines))} “Timed by” names the clock and whether a sample includes the output’s
download to the host.</p>
${table(lines, [
    { title: 'variant', cell: (l) => l.label },
    { title: 'engine', cell: engineOf },
    { title: 'device', cell: (l) => l.device },
    ...modes,
    { title: 'N', cell: (l) => l.shape.seqLen, numeric: true },
    ...(lines.some((l) => l.shard) ? [{ title: 'shard · machine', cell: (l: ResultLine) => shardCell(l) }] : []),
    { title: 'B×D×H', cell: (l) => `${l.shape.batch}×${l.shape.dModel}×${l.shape.heads}` },
    ...(lines.some((l) => l.shape.dtype) ? [{ title: 'dtype', cell: (l: ResultLine) => dtypeOf(l.shape) }] : []),
    ...(lines.some((l) => l.status === 'ok' && l.attentionBackend)
      ? [{ title: 'attention kernel', cell: (l: ResultLine) => (l.status === 'ok' ? l.attentionBackend ?? '' : '') }] : []),
    { title: 'status', cell: (l) => statusText(l, unreliable), className: 'status' },
    { title: 'rounds', cell: (l) => ok(l)?.rounds.length ?? '', numeric: true },
    { title: 'round spread %', cell: (l) => sig(ok(l) ? ok(l)!.roundSpread * 100 : undefined, 2), numeric: true },
    { title: 'timed by', cell: (l) => (l.status === 'ok' ? timedBy(l) : '') },
    { title: 'median ms', cell: (l) => sig(ok(l)?.latencyMs.median, 4), numeric: true },
    { title: 'p25–p75 ms', cell: (l) => (ok(l) ? `${sig(ok(l)!.latencyMs.p25, 3)}–${sig(ok(l)!.latencyMs.p75, 3)}` : ''),
      sortValue: (l) => ok(l)?.latencyMs.p25 ?? '' },
    { title: 'rme %', cell: (l) => sig(ok(l)?.latencyMs.rme, 2), numeric: true },
    { title: 'samples', cell: (l) => ok(l)?.latencyMs.samples ?? '', numeric: true },
    { title: 'GFLOP/s', cell: (l) => sig(inference(l)?.gflops), numeric: true },
    { title: 'params (inference)', cell: (l) => l.params?.inference ?? '', numeric: true },
    { title: 'peak memory bytes', cell: (l) => (l.status === 'ok' && 'memory' in l ? l.memory.peakBytes ?? '' : ''), numeric: true },
    { title: 'rel. error', cell: (l) => sig(inference(l)?.accuracy.relErr, 2), numeric: true },
    { title: 'rel. error vs full', cell: (l) => sig(inference(l)?.accuracy.relErrVsFull, 2), numeric: true },
  ], (l) => `${l.status}${noisyOf(l).length > 0 ? ' noisy' : ''}`)}</section>`;
}

export function environmentSection(meta: RunMeta | undefined): string {
  if (!meta) return '<section id="environment"><h2>Environment</h2><p>run.json is missing: environment unknown.</p></section>';
  const e = meta.environment;
  const engines = table(meta.engines, [
    { title: 'engine/backend', cell: (i) => i.id },
    { title: 'available', cell: (i) => (i.available ? 'yes' : 'no') },
    { title: 'version', cell: (i) => i.version ?? '' },
    { title: 'device', cell: (i) => i.device ?? '' },
    { title: 'why not', cell: (i) => i.reason ?? '' },
  ]);
  const load = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' / ');
  return `<section id="environment"><h2>Environment</h2>
<p>${escapeHtml(e.cpuModel)}, ${e.cores} cores, ${(e.totalMemory / 2 ** 30).toFixed(1)} GiB; `
    + `${escapeHtml(e.os)}; Node ${escapeHtml(e.node)};
load average ${load(e.loadAverage.start)} at start${e.loadAverage.end ? `, ${load(e.loadAverage.end)} at end` : ''};
git ${escapeHtml(e.git ? `${e.git.commit.slice(0, 10)}${e.git.dirty ? ' (dirty)' : ''}` : 'unknown')}.
Run ${escapeHtml(meta.runId)}, ${escapeHtml(meta.startedAt)} → ${escapeHtml(meta.finishedAt ?? 'unfinished')}.</p>
${engines}${weightsFileText(meta)}
${shardsSection(meta)}
<h3>Suite</h3><pre>${escapeHtml(JSON.stringify(meta.suite, null, 2))}</pre>
<h3>Command</h3><pre>npm run ${meta.shards ? 'merge' : 'bench'} -- ${escapeHtml(meta.argv.join(' '))}</pre></section>`;
}

/** Which weights file the run read, exactly (run.json's weightsFile). */
function weightsFileText(meta: RunMeta): string {
  const w = meta.weightsFile;
  if (!w) return '';
  return `<h3>Base weights</h3><p>${escapeHtml(`${w.basename} (${w.format}), sha256 ${w.sha256}: ${w.scheme} names`
    + `${w.prefix ? `, layer ${w.prefix}` : ''}, D = ${w.dModel}, ${w.dtypes.join(', ')} read as float32`
    + `${w.biases ? '' : ', no biases (zeros)'}${w.spectrumSkipped ? `; spectrum not computed (${w.spectrumSkipped})` : ''}.`)}</p>`;
}
