/**
 * The page sections of the modes whose samples are not forward passes (src/modes, ModeReport):
 * the training section for `train` (training.ts), the decode section for `decode` (decode.ts), and for any
 * other such mode a section of its own
 * built from what its registry entry declares — what one sample is, its findings, and a table of
 * its cases. A new mode is reported without anyone touching this file.
 */
import { decode, linesOf, modeOf, train, type Mode } from '../modes/index.ts';
import { decodeComparisons, decodeSection, type DecodeFinding } from './decode.ts';
import type { ResultLine } from '../results/types.ts';
import { engineOf, noisyOf } from './charts/series.ts';
import { escapeHtml } from './escape.ts';
import { sig } from './format.ts';
import { table } from './page.ts';
import type { RunMeta } from '../results/run-meta.ts';
import { trainingComparisons, trainingSection, type TrainingFinding } from './training.ts';

/** A section of the page and its entry in the navigation. */
export interface ModeSection {
  id: string;
  title: string;
  html: string;
}

/** A comparison of a mode with a section of its own, as findings.json holds it after the inference ones. */
export type ModeFinding = DecodeFinding | TrainingFinding;

/** Modes with a section written for them (its id, navigation title, builder, and its comparisons); every other mode gets genericSection. */
const OWN_SECTIONS = new Map<Mode, { id: string; title: string; build: (lines: ResultLine[], meta?: RunMeta) => Promise<string>;
  comparisons: (lines: ResultLine[]) => ModeFinding[] }>([
  [train, { id: 'training', title: 'Training', build: trainingSection, comparisons: trainingComparisons }],
  [decode, { id: 'decode', title: 'Decode', build: decodeSection, comparisons: decodeComparisons }],
]);

/** The comparisons of every mode of the run with a section of its own, in the order its lines first name them (findings.json). */
export function modeComparisons(lines: ResultLine[]): ModeFinding[] {
  return [...new Set(lines.map((l) => l.mode))].map(modeOf).flatMap((m) => OWN_SECTIONS.get(m)?.comparisons(lines) ?? []);
}

/** The section of a mode no section was written for: its sample, its findings, its cases. */
function genericSection(mode: Mode, lines: ResultLine[]): string {
  const found = mode.report.findings?.(lines) ?? [];
  const ok = (l: ResultLine) => (l.status === 'ok' ? l : undefined);
  return `<section id="mode-${escapeHtml(mode.name)}"><h2>${escapeHtml(`Mode ${mode.name}: ${mode.summary}`)}</h2>
<p class="caption">${escapeHtml(`One sample is ${mode.sample}.`)}</p>
${found.length > 0 ? `<ul>${found.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>` : ''}
${table(lines, [
    { title: 'variant', cell: (l) => l.label },
    { title: 'engine', cell: engineOf },
    { title: 'N', cell: (l) => l.shape.seqLen, numeric: true },
    { title: 'status', cell: (l) => (l.status === 'ok' ? (noisyOf(l).length ? `ok ⚠ noisy: ${noisyOf(l).join('; ')}` : 'ok')
      : `${l.status}: ${l.reason}`), className: 'status' },
    { title: 'median ms', cell: (l) => sig(ok(l)?.latencyMs.median, 4), numeric: true },
    { title: 'p25–p75 ms', cell: (l) => (ok(l) ? `${sig(ok(l)!.latencyMs.p25, 3)}–${sig(ok(l)!.latencyMs.p75, 3)}` : ''),
      sortValue: (l) => ok(l)?.latencyMs.p25 ?? '' },
    { title: 'samples', cell: (l) => ok(l)?.latencyMs.samples ?? '', numeric: true },
  ])}</section>`;
}

/** The sections of every mode of the run that is not drawn as forward passes, in registry order. */
export async function modeSections(lines: ResultLine[], meta?: RunMeta): Promise<ModeSection[]> {
  const modes = [...new Set(lines.map((l) => l.mode))].map(modeOf).filter((m) => !m.report.forwardPass);
  return Promise.all(modes.map(async (m) => {
    const own = OWN_SECTIONS.get(m), mine = linesOf(m, lines);
    return own ? { id: own.id, title: own.title, html: await own.build(lines, meta) }
      : { id: `mode-${m.name}`, title: `Mode ${m.name}`, html: genericSection(m, mine) };
  }));
}
