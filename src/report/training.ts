/**
 * The training section of a run's page, from its train cases (mode 'train'): findings on what each
 * method saves against full fine-tuning, the step-time and memory charts, and a table of every
 * train case with trainable parameters, step time, the memory split and checkpoint size. Empty
 * when the run has no train case.
 *
 * Findings rule: per configuration, engine and shape that full fine-tuning also ran — trainable
 * parameters (share of full's), Adam state and checkpoint bytes (vs full's), and the median step
 * time vs full's, "within noise" when the two p25–p75 ranges overlap.
 */
import { isTrainLine, isTrainOk } from '../modes/index.ts';
import type { RunMeta } from '../results/run-meta.ts';
import type { ResultLine, TrainOkLine } from '../results/types.ts';
import { engineOf, groupOfLine, noisyOf } from './charts/series.ts';
import { trainingMemoryChart } from './charts/training-memory.ts';
import { stepsVsFull, trainOk, type VsFullStep } from './charts/training-rows.ts';
import { trainingTimeChart } from './charts/training-time.ts';
import { escapeHtml } from './escape.ts';
import { bytes, count, percent, sig } from './format.ts';
import { verdictText, type Finding } from './findings.ts';
import { pairedRatio, verdictOf } from './paired.ts';
import { chartSection, table, type Chart } from './page.ts';
import { renderCharts } from './svg.ts';
import { isBaselineLine } from './roles.ts';


/** The question the training comparisons answer (findings.json's `question`). */
export const TRAINING_QUESTION = 'What does the method save against full fine-tuning, and does its step take longer?';

/** One training comparison, as findings.json holds it beside the inference ones; no ratio where the two share no round. */
export interface TrainingFinding extends Omit<Finding, 'unreliable' | 'notEfficient' | 'yardstick' | 'ratio' | 'ci' | 'verdict'>,
  Partial<Pick<Finding, 'ratio' | 'ci' | 'verdict'>> {
  mode: 'train';
  trainable: number;
  baselineTrainable: number;
}

/**
 * One comparison per configuration beside full fine-tuning, its sentence e.g. "LoRA r=8 … trains 16 384
 * parameters (1.6 % of full fine-tuning); …".
 */
export function trainingComparisons(lines: ResultLine[]): TrainingFinding[] {
  return stepsVsFull(lines).map(({ line, full }: VsFullStep) => {
    const share = `${sig((100 * line.params.trainable) / full.params.trainable, 2)}\u202f%`;
    const p = pairedRatio(line.rounds, full.rounds, `${line.caseId}|${full.caseId}`);
    const time = p ? `step time vs full: ${verdictText(verdictOf(p), p.ratio, p.ci)}` : 'step time not compared (no rounds in common)';
    const text = `${line.label} trains ${count(line.params.trainable)} parameters (${share} of full fine-tuning); `
      + `Adam state ${bytes(line.memory.optimizerStateBytes)} vs ${bytes(full.memory.optimizerStateBytes)}, `
      + `checkpoint ${bytes(line.train.checkpointBytes)} vs ${bytes(full.train.checkpointBytes)}; `
      + `${time} (${sig(line.latencyMs.median)} vs ${sig(full.latencyMs.median)} ms) at N=${line.shape.seqLen} on ${engineOf(line)}.`;
    return { mode: 'train' as const, question: TRAINING_QUESTION, subject: line.label, baseline: full.label, engine: engineOf(line),
      seqLen: line.shape.seqLen, dModel: line.shape.dModel, heads: line.shape.heads, batch: line.shape.batch,
      trainable: line.params.trainable, baselineTrainable: full.params.trainable,
      ...(p && { ratio: p.ratio, ci: p.ci, verdict: verdictOf(p) }), rounds: p?.rounds ?? 0, text };
  });
}

/** The training comparisons as the page states them. */
export function trainingFindings(lines: ResultLine[]): string[] {
  return trainingComparisons(lines).map((f) => f.text);
}

const CHARTS = [
  { id: 'training-time', title: 'Training step time', build: trainingTimeChart, engineNotes: false,
    caption: 'Median time of one training step — forward, mean-squared-error loss against a fixed random target, '
      + 'gradients of the trainable weights only, one Adam update, loss download — per variant configuration; '
      + 'the whisker spans p25–p75 of the samples.' },
  { id: 'training-memory', title: 'Training step memory', build: trainingMemoryChart, engineNotes: true,
    caption: 'What one step holds: all weights, Adam’s two moments per trainable parameter and the gradients '
      + '(both measured from the engine’s own tensors), and the rest of the step’s measured peak (activations kept '
      + 'for the backward pass, temporaries).' },
];

function casesTable(lines: ResultLine[]): string {
  const train = lines.filter(isTrainLine);
  const full = new Map(trainOk(lines).filter(isBaselineLine).map((l) => [groupOfLine(l), l]));
  const ok = (l: ResultLine): TrainOkLine | undefined => (isTrainOk(l) ? l : undefined);
  const vsFull = (l: ResultLine, f: (t: TrainOkLine) => number) => {
    const t = ok(l), base = full.get(groupOfLine(l)); // the group holds the machine: never a ratio across machines
    return t && base && t !== base ? f(t) / f(base) : undefined;
  };
  const b = (n: number | undefined) => (n === undefined ? '' : bytes(n));
  return table(train, [
    { title: 'variant', cell: (l) => l.label },
    { title: 'engine', cell: engineOf },
    { title: 'N', cell: (l) => l.shape.seqLen, numeric: true },
    { title: 'status',
      cell: (l) => (l.status === 'ok' ? (noisyOf(l).length ? `ok ⚠ noisy: ${noisyOf(l).join('; ')}` : 'ok') : `${l.status}: ${l.reason}`),
      className: 'status' },
    { title: 'trainable params', cell: (l) => (ok(l) ? count(ok(l)!.params.trainable) : ''), numeric: true,
      sortValue: (l) => ok(l)?.params.trainable ?? '' },
    { title: '% of full', cell: (l) => { const r = vsFull(l, (t) => t.params.trainable); return r === undefined ? '' : sig(100 * r, 2); },
      numeric: true },
    { title: 'median step ms', cell: (l) => sig(ok(l)?.latencyMs.median, 4), numeric: true },
    { title: 'p25–p75 ms', cell: (l) => (ok(l) ? `${sig(ok(l)!.latencyMs.p25, 3)}–${sig(ok(l)!.latencyMs.p75, 3)}` : ''),
      sortValue: (l) => ok(l)?.latencyMs.p25 ?? '' },
    { title: 'vs full', cell: (l) => { const r = vsFull(l, (t) => t.latencyMs.median); return r === undefined ? '' : percent(r - 1); },
      sortValue: (l) => vsFull(l, (t) => t.latencyMs.median) ?? '' },
    { title: 'weights', cell: (l) => b(ok(l)?.memory.weightsBytes), numeric: true, sortValue: (l) => ok(l)?.memory.weightsBytes ?? '' },
    { title: 'gradients', cell: (l) => b(ok(l)?.memory.gradientBytes), numeric: true, sortValue: (l) => ok(l)?.memory.gradientBytes ?? '' },
    { title: 'Adam state', cell: (l) => b(ok(l)?.memory.optimizerStateBytes), numeric: true,
      sortValue: (l) => ok(l)?.memory.optimizerStateBytes ?? '' },
    { title: 'activations', cell: (l) => b(ok(l)?.memory.activationBytes), numeric: true,
      sortValue: (l) => ok(l)?.memory.activationBytes ?? '' },
    { title: 'step peak', cell: (l) => b(ok(l)?.memory.peakBytes), numeric: true, sortValue: (l) => ok(l)?.memory.peakBytes ?? '' },
    { title: 'checkpoint', cell: (l) => b(ok(l)?.train.checkpointBytes), numeric: true,
      sortValue: (l) => ok(l)?.train.checkpointBytes ?? '' },
    { title: 'loss first → last',
      cell: (l) => (ok(l) ? `${sig(ok(l)!.train.lossFirst, 4)} → ${sig(ok(l)!.train.lossLast, 4)} (${ok(l)!.train.steps} steps)` : '') },
  ], (l) => `${l.status}${noisyOf(l).length > 0 ? ' noisy' : ''}`);
}

/** What the engines of the run's train cases say about reading their training memory (Capabilities.trainingMemoryNote). */
function memoryNotes(lines: ResultLine[], meta: RunMeta | undefined): string {
  const ids = new Set(lines.filter(isTrainLine).map(engineOf));
  const notes = (meta?.engines ?? []).filter((e) => ids.has(e.id) && e.capabilities?.trainingMemoryNote)
    .map((e) => `On ${e.id}: ${e.capabilities!.trainingMemoryNote}.`);
  return notes.length > 0 ? ` ${notes.join(' ')}` : '';
}

/** The training section (trusted HTML built from escaped parts); '' when the run has no train case. */
export async function trainingSection(lines: ResultLine[], meta?: RunMeta): Promise<string> {
  if (!lines.some(isTrainLine)) return '';
  const found = trainingFindings(lines);
  const charts: Chart[] = await renderCharts(CHARTS.map(({ build, engineNotes, ...c }) =>
    ({ ...c, caption: engineNotes ? `${c.caption}${memoryNotes(lines, meta)}` : c.caption, spec: build(lines) })));
  const rate = escapeHtml(trainOk(lines)[0]?.train.learningRate ?? '');
  const list = found.length > 0 ? `<ul>${found.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>`
    : '<p>No full fine-tuning step at the same engine and shape to compare with.</p>';
  return `<section id="training"><h2>Training: what one fine-tuning step costs</h2>
<p class="caption">One training step of the attention layer per case (Adam, learning rate ${rate}); trainable parameters are `
    + `those the step updates, the rest frozen. No accuracy is measured for training steps.</p>
${list}
</section>
${charts.map(chartSection).join('\n')}
<section id="training-cases"><h2>Every train case</h2>
<p class="caption">Click a column title to sort. Memory in binary units; “vs full” compares median step times at the same `
    + `engine and shape.</p>
${casesTable(lines)}</section>`;
}
