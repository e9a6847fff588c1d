/**
 * What the run's own records say about noise, as pure functions: the load beyond the run while a
 * round ran (run.json's load record: runnable tasks minus the run's own, src/run/load.ts), and each
 * engine's noise floor, the median spread of its cases' round medians (each round in a process of
 * its own: the process-to-process variation of that engine on this machine, Kalibera & Jones's
 * execution level). "The machine was busy" is said only from the first; a disagreement without load
 * beyond the run is that variation, and the report says so with its size.
 */
import type { LoadSample } from '../results/run-meta.ts';
import type { OkLine, TrainOkLine } from '../results/types.ts';
import { engineOf } from './charts/series.ts';
import { median } from './paired.ts';

/**
 * Mean runnable tasks beyond the run at or above this, over a round's window, is a busy machine:
 * three quarters of a core taken (a CPU burner reads 1; a quiet machine here 0–0.2 over a run, with
 * single seconds up to 4 when another user's short command ran).
 */
export const BUSY_FOREIGN_TASKS = 0.75;
/** Load samples this far (ms) before and after a round's window still count for it (they are 1 s apart). */
const WINDOW_MARGIN_MS = 1000;

/**
 * Mean runnable tasks beyond the run over [from, to] (ISO times), from the samples that tell the run's
 * own tasks apart; undefined when none does (older runs, no /proc).
 */
export function foreignLoad(load: readonly LoadSample[], from: string, to: string): number | undefined {
  const lo = Date.parse(from) - WINDOW_MARGIN_MS, hi = Date.parse(to) + WINDOW_MARGIN_MS;
  const within = load.filter((s) => typeof s.own === 'number' && s.runnable !== null && Date.parse(s.at) >= lo && Date.parse(s.at) <= hi);
  if (within.length === 0) return undefined;
  return within.reduce((a, s) => a + Math.max(0, s.runnable! - s.own!), 0) / within.length;
}

/** Each engine's median round spread (largest / smallest round median − 1) over its cases with ≥ 2 rounds. */
export function noiseFloors(lines: ReadonlyArray<OkLine | TrainOkLine>): Map<string, number> {
  const by = new Map<string, number[]>();
  for (const l of lines) {
    if (l.rounds.length < 2) continue;
    by.set(engineOf(l), [...(by.get(engineOf(l)) ?? []), l.roundSpread]);
  }
  return new Map([...by].map(([e, s]) => [e, median(s)]));
}

/** Whether the machine was busy beyond the run, and the load beyond it (mean runnable tasks); busy undefined: not known. */
export type LoadVerdict = { busy: boolean; foreign: number } | { busy: undefined };

/**
 * Whether the machine was busy beyond the run in any of the windows (the rounds of a case; a round
 * whose time was not recorded tells nothing).
 */
export function loadDuring(load: readonly LoadSample[] | undefined,
  windows: ReadonlyArray<{ startedAt?: string; endedAt?: string }>): LoadVerdict {
  const per = windows.map((w) => (w.startedAt && w.endedAt ? foreignLoad(load ?? [], w.startedAt, w.endedAt) : undefined))
    .filter((x): x is number => x !== undefined);
  if (per.length === 0) return { busy: undefined };
  const foreign = Math.max(...per);
  return { busy: foreign >= BUSY_FOREIGN_TASKS, foreign };
}

/** The sentence that follows "the rounds of X disagree: …": what the load record says about it. */
export function disagreementCause(verdict: LoadVerdict, engine: string, floor: number | undefined): string {
  const floorText = floor === undefined ? '' : `; ${engine}'s noise floor in this run is ${Math.round(floor * 100)} % `
    + '(the median spread of its cases\' round medians, each round in a process of its own)';
  if (verdict.busy === undefined) {
    return `this run's load record does not tell its own tasks from others', so whether the machine was busy is not known${floorText}`;
  }
  if (verdict.busy) {
    return `the machine was busy: ${verdict.foreign.toFixed(1)} task(s) beyond this run's were runnable on average during a round `
      + '(load record)';
  }
  return `the load record shows nothing beyond this run's own processes then (${verdict.foreign.toFixed(1)} task(s) on average), `
    + `so this is the variation between processes${floorText}`;
}
