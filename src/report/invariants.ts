/**
 * What must hold in every run, checked after it (and whenever a run is reported or compared):
 *
 *   same-graph       a configuration that runs another variant's graph unchanged (Variant.sameGraphAs:
 *                    merged LoRA runs full's) must come out "no measurable difference" against it at
 *                    every engine and shape (paired.ts).
 *   rounds-disagree  the rounds of one case must agree within the spread its noise allows: two rounds
 *                    disagree when their medians differ by more than ROUND_TOLERANCE and their 95 %
 *                    median intervals (paired.ts, medianInterval) do not overlap.
 *   above-ceiling    no inference case's throughput may beat its engine's measured matmul ceiling
 *                    (run.json, measure/ceiling.ts) by more than CEILING_MARGIN: one that does says the
 *                    roof was measured in a busy moment, and the run (not a case) is flagged.
 *   above-ideal      no decode step may be faster than its ideal step (fraction > 1, modes/decode.ts):
 *                    one that is says the roof it was given was measured low (the bandwidth one is
 *                    read in round 1's worker, before the cases), and the run is flagged.
 *
 * A violation names the cases it makes unreliable: the findings say so, and `npm run compare` calls
 * no regression on them. Rounds that disagree make their case unreliable only when the run's load
 * record shows load beyond the run then, or cannot tell (older runs); otherwise the disagreement is
 * the variation between processes, which every comparison's interval holds (paired.ts), and the
 * text says so with the engine's noise floor (noise.ts). Pure: lines in, violations out.
 */
import { isDecodeOk, isForwardOk } from '../modes/index.ts';
import { ceilingKey, type RunMeta } from '../results/run-meta.ts';
import { dtypeOf } from '../results/dtype.ts';
import type { DecodeOkLine, OkLine, ResultLine, TrainOkLine } from '../results/types.ts';
import { sameGraphOf } from './roles.ts';
import { engineOf, groupOfLine } from './charts/series.ts';
import { bytes, sig } from './format.ts';
import { disagreementCause, loadDuring, noiseFloors } from './noise.ts';
import { median, medianInterval, pairedRatio, verdictOf } from './paired.ts';

/**
 * Round medians further apart than this (largest / smallest − 1) disagree, if the samples say so
 * too. Rounds run in different processes up to minutes apart: on this project's 2-core machine,
 * rounds of one case differ 10–30 % between processes without any load beyond the run (default
 * suite, docs/variance.md), while a CPU burner moved them 60–116 % (scripts/busy-machine.ts).
 */
export const ROUND_TOLERANCE = 0.25;

/**
 * A case's median throughput may beat the ceiling's median by noise alone (different seconds of a
 * shared machine, as ROUND_TOLERANCE allows between rounds); beyond this factor the roof is wrong.
 */
export const CEILING_MARGIN = 1 + ROUND_TOLERANCE;

export interface Violation {
  check: 'same-graph' | 'rounds-disagree' | 'above-ceiling' | 'above-ideal';
  /** The cases the violation makes unreliable. */
  caseIds: string[];
  /** One sentence with the numbers. */
  text: string;
}

export const UNRELIABLE = 'unreliable';

type Measured = OkLine | TrainOkLine;
const measured = (lines: ResultLine[]) => lines.filter((l): l is Measured => l.status === 'ok');

function sameGraph(lines: Measured[]): Violation[] {
  const byShape = new Map<string, Measured[]>();
  for (const l of lines) byShape.set(groupOfLine(l), [...(byShape.get(groupOfLine(l)) ?? []), l]);
  return lines.flatMap((l) => {
    const twinName = sameGraphOf(l);
    const twin = twinName === undefined ? undefined : byShape.get(groupOfLine(l))?.find((t) => t.variant === twinName);
    if (!twin) return [];
    const p = pairedRatio(l.rounds, twin.rounds, `${l.caseId}|${twin.caseId}`);
    if (!p || verdictOf(p) === 'no measurable difference') return [];
    return [{ check: 'same-graph' as const, caseIds: [l.caseId, twin.caseId],
      text: `${l.label} runs ${twin.label}'s graph, yet measured ${sig(p.ratio, 3)}× its latency (95 % interval `
        + `${sig(p.ci[0], 3)}–${sig(p.ci[1], 3)}) at N=${l.shape.seqLen} on ${engineOf(l)}: expected no measurable difference` }];
  });
}

function roundsDisagree(lines: Measured[], load: RunMeta['load']): Violation[] {
  const floors = noiseFloors(lines);
  return lines.flatMap((l) => {
    const rounds = l.rounds.filter((r) => r.samplesMs.length > 0);
    if (rounds.length < 2) return [];
    const intervals = rounds.map((r) => medianInterval(r.samplesMs));
    const mid = rounds.map((r) => median(r.samplesMs));
    const fast = mid.indexOf(Math.min(...mid)), slow = mid.indexOf(Math.max(...mid));
    if (mid[slow] / mid[fast] - 1 <= ROUND_TOLERANCE || intervals[fast][1] >= intervals[slow][0]) return [];
    const verdict = loadDuring(load, l.rounds);
    return [{ check: 'rounds-disagree' as const, caseIds: verdict.busy === false ? [] : [l.caseId],
      text: `the rounds of ${l.label} at N=${l.shape.seqLen} on ${engineOf(l)} disagree: round medians `
        + `${mid.map((m) => sig(m, 3)).join(', ')} ms, ${Math.round((mid[slow] / mid[fast] - 1) * 100)} % apart, `
        + `beyond what their sampling noise allows; ${disagreementCause(verdict, engineOf(l), floors.get(engineOf(l)))}` }];
  });
}

function aboveCeiling(lines: Measured[], ceilings: RunMeta['ceilings'] = {}): Violation[] {
  return lines.flatMap((l) => {
    const roof = ceilings[ceilingKey(engineOf(l), dtypeOf(l.shape))];
    if (!isForwardOk(l) || !roof || l.gflops <= roof.gflops * CEILING_MARGIN) return [];
    return [{ check: 'above-ceiling' as const, caseIds: [],
      text: `${l.label} at N=${l.shape.seqLen} on ${engineOf(l)} reached ${sig(l.gflops, 3)} GFLOP/s, `
        + `${sig(l.gflops / roof.gflops, 3)}× the engine's measured matmul ceiling (${sig(roof.gflops, 3)} GFLOP/s on ${roof.shape}), `
        + `beyond the ${CEILING_MARGIN}× noise allows: the ceiling was measured in a busy moment` }];
  });
}

/** Why a decode step's fraction of its ideal is no figure to read: above 1, its roof was measured low; undefined otherwise. */
export function aboveIdealOf(l: DecodeOkLine): string | undefined {
  const i = l.step.ideal;
  if (!i || i.fraction <= 1) return undefined;
  const roof = i.bound === 'bandwidth' ? `bandwidth roof ${sig(i.bandwidthGBs, 3)} GB/s (a streaming read of ${bytes(i.bandwidthBytes)})`
    : `matmul roof ${sig(i.matmulGflops, 3)} GFLOP/s`;
  return `${sig(i.fraction, 3)}× its ideal: the ${roof} it was given was measured low`;
}

function aboveIdeal(lines: ResultLine[]): Violation[] {
  return lines.filter(isDecodeOk).flatMap((l) => {
    const why = aboveIdealOf(l);
    return why ? [{ check: 'above-ideal' as const, caseIds: [],
      text: `${l.label} at N=${l.shape.seqLen} on ${engineOf(l)} stepped in ${sig(l.step.msPerStep, 3)} ms, ${why}` }] : [];
  });
}

/** Every violation of the run; `meta` (run.json) holds the ceilings, absent for runs without one. */
export function checkInvariants(lines: ResultLine[], meta?: Pick<RunMeta, 'ceilings' | 'load'>): Violation[] {
  const ok = measured(lines);
  return [...sameGraph(ok), ...roundsDisagree(ok, meta?.load), ...aboveCeiling(ok, meta?.ceilings), ...aboveIdeal(lines)];
}

/** Case id → why it is unreliable, from the violations. */
export function unreliableCases(violations: Violation[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of violations) for (const id of v.caseIds) out.set(id, `${UNRELIABLE} (${v.text})`);
  return out;
}
