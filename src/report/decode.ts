/**
 * The decode section of a run's page (mode decode, src/modes/decode.ts): findings from paired
 * comparisons, the time-per-step, cache and roofline charts (charts/decode.ts), and a table of
 * every decode case with what a step moves, computes and reaches of its ideal.
 *
 * Findings rules (every ratio is step time over step time, with its 95 % interval, paired.ts):
 *   - each configuration vs full attention at the same engine and shape: one comparison group, paired block by block;
 *   - an adapter that runs full's graph (merged) vs its unmerged twin (options differing in one key) in the same group;
 *   - fewer K/V heads vs as many as query heads, same configuration, engine, N and B: cache ratio, and step
 *     ratio paired by round (two groups: their samples share rounds, not blocks);
 *   - a configuration whose cache stops growing (the same cache bytes at two contexts, a sliding window's ring):
 *     its step at the largest such context vs the smallest, paired block by block (decode times a configuration's
 *     contexts in one round's blocks, Mode.timedAcross; older runs: by round). "Constant" only when the ratio's
 *     95 % interval lies within ±EQUIVALENCE_BAND of 1 (paired.ts, withinBand); else what the data show.
 * Pairs of cases sampled in different blocks (two timing groups) pair by round (paired.ts, sharedBlocks).
 */
import { decode, isDecodeLine } from '../modes/index.ts';
import { ceilingKey, type RunMeta } from '../results/run-meta.ts';
import { dtypeOf } from '../results/dtype.ts';
import type { DecodeOkLine, ResultLine } from '../results/types.ts';
import { decodeCacheChart, decodeOk, decodeTimeChart, rooflineChart } from './charts/decode.ts';
import { engineOf, groupOfLine, noisyOf, pairWithFull } from './charts/series.ts';
import { escapeHtml } from './escape.ts';
import { aboveIdealOf } from './invariants.ts';
import { verdictText, type Finding } from './findings.ts';
import { bytes, sig, times } from './format.ts';
import { EQUIVALENCE_BAND, pairedRatio, verdictOf, withinBand, type PairedRatio } from './paired.ts';
import { chartSection, table, type Chart } from './page.ts';
import { renderCharts } from './svg.ts';

const kvOf = (l: DecodeOkLine) => l.shape.kvHeads ?? l.shape.heads;
const where = (l: DecodeOkLine) => `N=${l.decode.context}, ${kvOf(l)} KV heads, B=${l.shape.batch} on ${engineOf(l)}`;
/** A configuration at its new tokens per step: the decode findings compare lines of one s only. */
const configOf = (l: DecodeOkLine) => `${l.variant}|${JSON.stringify(l.options)}|s${l.decode.newTokens}`;

const stepRatio = (a: DecodeOkLine, b: DecodeOkLine) => pairedRatio(a.rounds, b.rounds, `decode:${a.caseId}|${b.caseId}`);
/** How the ratio was paired, and the two steps' medians. */
const pairing = (p: PairedRatio, a: DecodeOkLine, b: DecodeOkLine) =>
  `${p.byBlock ? '' : ', paired by round'} (${sig(a.step.msPerStep)} vs ${sig(b.step.msPerStep)} ms)`;

/** The questions the decode comparisons answer (findings.json's `question`). */
export const DECODE_QUESTIONS = {
  vsFull: 'Is the decode step faster than full attention’s?',
  unmerged: 'What do unmerged adapters cost per token against merged ones?',
  kvHeads: 'What do fewer K/V heads save per step?',
  constant: 'Does the step stay constant once the cache stops growing?',
} as const;

/** How a step whose cache stopped growing compares across contexts (constancyText). */
export type Constancy = 'constant' | 'not constant' | 'constancy not shown';

/**
 * One decode comparison, as findings.json holds it beside the inference ones: the subject's step over the
 * baseline's (seqLen and kvHeads are the subject's; the baseline's where they differ), and the page's sentence.
 */
export interface DecodeFinding extends Omit<Finding, 'unreliable' | 'notEfficient' | 'yardstick'> {
  mode: 'decode';
  kvHeads: number;
  newTokens: number;
  /** Paired sample by sample in shared blocks, or by round (two timing groups). */
  pairedBy: 'block' | 'round';
  baselineSeqLen?: number;
  baselineKvHeads?: number;
  constancy?: Constancy;
}

/** The fields of a comparison of `a` (subject) with `b`: one object for findings.json, `text` its sentence. */
function comparison(question: string, a: DecodeOkLine, b: DecodeOkLine, p: PairedRatio, text: string): DecodeFinding {
  return { mode: 'decode', question, subject: a.label, baseline: b.label, engine: engineOf(a), seqLen: a.decode.context,
    dModel: a.shape.dModel, heads: a.shape.heads, batch: a.shape.batch, kvHeads: kvOf(a), newTokens: a.decode.newTokens,
    ratio: p.ratio, ci: p.ci, verdict: verdictOf(p), rounds: p.rounds, pairedBy: p.byBlock ? 'block' : 'round', text,
    ...(b.decode.context !== a.decode.context && { baselineSeqLen: b.decode.context }),
    ...(kvOf(b) !== kvOf(a) && { baselineKvHeads: kvOf(b) }) };
}

/** a / b per step as a sentence: paired block by block where the two shared blocks, else by round (paired.ts). */
const ratioText = (p: PairedRatio, a: DecodeOkLine, b: DecodeOkLine) => `${verdictText(verdictOf(p), p.ratio, p.ci)}${pairing(p, a, b)}`;

/** Whether a step at a larger context is constant against a smaller one's (its cache stopped growing), and the sentence. */
function constancyOf(p: PairedRatio, hi: DecodeOkLine, lo: DecodeOkLine): { constancy: Constancy; text: string } {
  const band = `±${sig(100 * EQUIVALENCE_BAND, 2)} %`, verdict = verdictOf(p);
  const numbers = `latency ratio ${sig(p.ratio, 3)}, 95 % CI ${sig(p.ci[0], 3)}–${sig(p.ci[1], 3)}${p.byBlock ? '' : ', paired by round'}; `
    + `${sig(hi.step.msPerStep)} vs ${sig(lo.step.msPerStep)} ms`;
  if (withinBand(p)) return { constancy: 'constant', text: `constant: the same within ${band} (${numbers})` };
  if (verdict !== 'no measurable difference') {
    return { constancy: 'not constant', text: `not constant: ${verdictText(verdict, p.ratio, p.ci)}${pairing(p, hi, lo)}` };
  }
  return { constancy: 'constancy not shown',
    text: `constancy not shown: no measurable difference, but the interval reaches beyond ${band} (${numbers})` };
}

/** The step at a larger context over a smaller one, for a cache that stopped growing: constant, not, or not shown. */
export function constancyText(hi: DecodeOkLine, lo: DecodeOkLine): string | undefined {
  const p = stepRatio(hi, lo);
  return p && constancyOf(p, hi, lo).text;
}

function vsFull(ok: DecodeOkLine[]): DecodeFinding[] {
  return pairWithFull(ok).flatMap(({ line, full }) => {
    const p = stepRatio(line, full);
    return p ? [comparison(DECODE_QUESTIONS.vsFull, line, full, p,
      `${line.label} per step vs full attention at ${where(line)}: ${ratioText(p, line, full)}.`)] : [];
  });
}

/** Keys whose values differ between two option records. */
const differing = (a: Record<string, unknown>, b: Record<string, unknown>) =>
  [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));

function mergedVsUnmerged(ok: DecodeOkLine[]): DecodeFinding[] {
  const merged = ok.filter((l) => l.role === 'adapter' && l.sameGraphAs);
  return ok.filter((l) => l.role === 'adapter' && !l.sameGraphAs).flatMap((u) => {
    const m = merged.find((x) => x.variant === u.variant && groupOfLine(x) === groupOfLine(u)
      && differing(x.options, u.options).length === 1);
    const p = m && stepRatio(u, m);
    return p ? [comparison(DECODE_QUESTIONS.unmerged, u, m!, p, `${u.label} (its adapters' products every token) vs ${m!.label} `
      + `(folded into the weights) per step at ${where(u)}: ${ratioText(p, u, m!)}.`)] : [];
  });
}

function fewerKvHeads(ok: DecodeOkLine[]): DecodeFinding[] {
  const mha = new Map(ok.filter((l) => kvOf(l) === l.shape.heads)
    .map((l) => [`${configOf(l)}|${engineOf(l)}|${l.decode.context}|${l.shape.batch}`, l]));
  return ok.filter((l) => kvOf(l) < l.shape.heads).flatMap((g) => {
    const m = mha.get(`${configOf(g)}|${engineOf(g)}|${g.decode.context}|${g.shape.batch}`);
    const p = m && stepRatio(g, m);
    if (!m || !p) return [];
    const cache = g.decode.cacheBytes === m.decode.cacheBytes ? `cache the same (${bytes(g.decode.cacheBytes)})`
      : `cache ${times(m.decode.cacheBytes / g.decode.cacheBytes)} smaller (${bytes(g.decode.cacheBytes)} vs `
        + `${bytes(m.decode.cacheBytes)})`;
    return [comparison(DECODE_QUESTIONS.kvHeads, g, m, p, `${g.label}: ${kvOf(g)} KV heads vs ${m.shape.heads} at `
      + `N=${g.decode.context}, B=${g.shape.batch} on ${engineOf(g)}: ${cache}; step ${ratioText(p, g, m)}.`)];
  });
}

function constantCache(ok: DecodeOkLine[]): DecodeFinding[] {
  const series = new Map<string, DecodeOkLine[]>();
  for (const l of ok) {
    const key = `${configOf(l)}|${engineOf(l)}|${kvOf(l)}|${l.shape.batch}|${l.decode.cacheBytes}`;
    series.set(key, [...(series.get(key) ?? []), l]);
  }
  return [...series.values()].filter((s) => s.length > 1).flatMap((s) => {
    const sorted = [...s].sort((a, b) => a.decode.context - b.decode.context), lo = sorted[0], hi = sorted.at(-1)!;
    const p = stepRatio(hi, lo);
    if (!p) return [];
    const { constancy, text } = constancyOf(p, hi, lo);
    return [{ ...comparison(DECODE_QUESTIONS.constant, hi, lo, p, `${hi.label}: the cache stays ${bytes(hi.decode.cacheBytes)} from `
      + `N=${lo.decode.context} to N=${hi.decode.context} (${kvOf(hi)} KV heads, B=${hi.shape.batch} on ${engineOf(hi)}); step at `
      + `N=${hi.decode.context} vs N=${lo.decode.context}: ${text}.`), constancy }];
  });
}

/** Every comparison of the decode section, in the order of the file's doc (findings.json holds them after the inference ones). */
export function decodeComparisons(lines: ResultLine[]): DecodeFinding[] {
  const ok = decodeOk(lines);
  return [...vsFull(ok), ...mergedVsUnmerged(ok), ...fewerKvHeads(ok), ...constantCache(ok)];
}

/** Every finding of the decode section as the page states it. */
export function decodeFindings(lines: ResultLine[]): string[] {
  return decodeComparisons(lines).map((f) => f.text);
}

/**
 * The line's step against the run's best roofs (run.json: each size's best of the read before the rounds and the one
 * after), where the line was given the first read only: a roof read at a slow moment makes a step's fraction read high.
 */
export function idealOnBestRoof(l: DecodeOkLine, meta: RunMeta | undefined): DecodeOkLine['step']['ideal'] {
  const ceiling = meta?.ceilings?.[ceilingKey(`${l.engine}/${l.backend}`, dtypeOf(l.shape))];
  return ceiling && (decode.timedFields(l, l.latencyMs, ceiling) as Pick<DecodeOkLine, 'step'>).step.ideal;
}

function casesTable(lines: ResultLine[], meta?: RunMeta): string {
  const ok = (l: ResultLine) => (l.status === 'ok' && isDecodeLine(l) ? l as DecodeOkLine : undefined);
  const bestRoof = new Map(lines.flatMap((l) => (ok(l) ? [[l, idealOnBestRoof(ok(l)!, meta)] as const] : [])));
  const num = (f: (l: DecodeOkLine) => number | undefined, digits = 3) =>
    ({ cell: (l: ResultLine) => sig(ok(l) && f(ok(l)!), digits), numeric: true, sortValue: (l: ResultLine) => (ok(l) && f(ok(l)!)) ?? '' });
  return table(lines.filter(isDecodeLine), [
    { title: 'variant', cell: (l) => l.label },
    { title: 'engine', cell: engineOf },
    { title: 'N', cell: (l) => l.shape.seqLen, numeric: true },
    { title: 'KV', cell: (l) => l.shape.kvHeads ?? l.shape.heads, numeric: true },
    { title: 'B', cell: (l) => l.shape.batch, numeric: true },
    { title: 'status', cell: (l) => (l.status === 'ok' ? (noisyOf(l).length ? `ok ⚠ noisy: ${noisyOf(l).join('; ')}` : 'ok')
      : `${l.status}: ${l.reason}`), className: 'status' },
    { title: 'ms per step', ...num((l) => l.step.msPerStep, 4) },
    { title: 'tokens/s', ...num((l) => l.step.tokensPerS) },
    { title: 'cache', cell: (l) => (ok(l) ? bytes(ok(l)!.decode.cacheBytes) : ''), sortValue: (l) => ok(l)?.decode.cacheBytes ?? '' },
    { title: 'MB moved per step', ...num((l) => l.decode.bytes.total / 1e6) },
    { title: 'MFLOP per step', ...num((l) => l.decode.flops / 1e6) },
    { title: 'FLOP/byte', ...num((l) => l.decode.intensity) },
    { title: 'GB/s', ...num((l) => l.step.achievedGBs) },
    { title: 'ideal ms', ...num((l) => l.step.ideal?.ms) },
    { title: 'of ideal', ...num((l) => l.step.ideal?.fraction, 2),
      cell: (l) => { const d = ok(l), why = d && aboveIdealOf(d); return why ? `⚠ ${why}` : sig(d?.step.ideal?.fraction, 2); } },
    { title: 'of bandwidth ideal', ...num((l) => l.step.ideal?.bandwidthFraction, 2) },
    { title: 'of ideal, best roof', ...num((l) => bestRoof.get(l)?.fraction, 2) },
    { title: 'best roof GB/s', ...num((l) => bestRoof.get(l)?.bandwidthGBs) },
    { title: 'roof GB/s (read size)',
      cell: (l) => { const i = ok(l)?.step.ideal; return i ? `${sig(i.bandwidthGBs)} (${bytes(i.bandwidthBytes)})` : ''; } },
    { title: 'rel. error', ...num((l) => l.decode.relErr ?? undefined, 2) },
  ], (l) => `${l.status}${noisyOf(l).length > 0 ? ' noisy' : ''}`);
}

const CHARTS = [
  { id: 'decode-time', title: 'Time per decode step', build: decodeTimeChart,
    caption: 'Median time of one decode step (s new tokens projected, attended over the N cached keys and their own, projected out) '
      + 'against the context N, both axes logarithmic; the whisker spans p25–p75. A cache that stops growing (a sliding window) '
      + 'gives a flat line.' },
  { id: 'decode-cache', title: 'KV cache bytes', build: decodeCacheChart,
    caption: 'Bytes the cache holds at context N (float32): K and V per K/V head, or the latent projections; fewer K/V heads, a latent '
      + 'or a window shrink it.' },
  { id: 'decode-roofline', title: 'Roofline of the decode steps', build: rooflineChart,
    caption: 'Each step’s FLOPs over the bytes it moves (weights read, cache read, new rows written) across, its achieved GFLOP/s up. '
      + 'The dashed roofs are this run’s measurements on the engine: the matmul ceiling (flat) and the bandwidth ceiling of a streaming '
      + 'read at the steps’ working-set sizes (the diagonal, bandwidth × intensity). A point far below its roof leaves time on the '
      + 'table.' },
];

/** The decode section (trusted HTML built from escaped parts); '' when the run has no decode case. */
export async function decodeSection(lines: ResultLine[], meta?: RunMeta): Promise<string> {
  if (!lines.some(isDecodeLine)) return '';
  const found = decodeFindings(lines);
  const charts: Chart[] = await renderCharts(CHARTS.map(({ build, ...c }) => ({ ...c, spec: build(lines) })));
  const cache = decodeOk(lines)[0]?.decode.cache;
  const list = found.length > 0 ? `<ul>${found.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`
    : '<p>No two decode cases of this run to compare.</p>';
  return `<section id="decode"><h2>Decode: what one generation step costs</h2>
<p class="caption">${escapeHtml(`One sample is one decode step at context N. ${cache ? `The cache is ${cache}. ` : ''}`
    + 'The ideal step is max(FLOPs / matmul ceiling, bytes / bandwidth ceiling), both ceilings measured in this run on the engine '
    + '(run.json), the bandwidth one at the size nearest the step’s working set; “of ideal” is the ideal over the measured step.')}</p>
${list}
</section>
${charts.map(chartSection).join('\n')}
<section id="decode-cases"><h2>Every decode case</h2>
<p class="caption">${escapeHtml('Click a column title to sort. Bytes and FLOPs per step are the decoder’s formulas (tested against '
    + 'the traced step). “of ideal” uses the roofs read before the rounds, as the line was written; “of ideal, best roof” uses '
    + 'each size’s best of that read and the one after the rounds (run.json): a roof read at a slow moment makes the first '
    + 'fraction read high.')}</p>
${casesTable(lines, meta)}</section>`;
}
