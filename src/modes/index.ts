/**
 * The mode registry: what a case measures (one forward pass, one training step, …), as variants
 * and engines are registries. Adding a mode = one file in this folder and one line in BUILTIN.
 *
 * A mode registered at run time (registerMode, e.g. a test's) names the module that registers it:
 * the worker processes of a sweep import that module before their first job (src/run/worker.ts),
 * so they know the mode as the parent does.
 */
import type { OkLine, ResultLine } from '../results/types.ts';
import { decode } from './decode.ts';
import { inference } from './inference.ts';
import { train } from './train.ts';
import type { Mode } from './types.ts';

export type { Mode, ModeReport } from './types.ts';
export { decode, isDecodeLine, isDecodeOk } from './decode.ts';
export { inference } from './inference.ts';
export { isTrainLine, isTrainOk, train } from './train.ts';

const BUILTIN: Mode[] = [inference, train, decode];

const registry = new Map<string, Mode>(BUILTIN.map((m) => [m.name, m]));
const registeredModules = new Set<string>();

/** The mode a suite uses when it names none. */
export const DEFAULT_MODE = inference.name;

/** Every mode known in this process, the built-in ones first. */
export const modeNames = (): string[] => [...registry.keys()];

/**
 * Adds a mode; `moduleUrl` is the module whose import registers it (import.meta.url), which worker
 * processes import too. A name already taken is rejected.
 */
export function registerMode(mode: Mode, moduleUrl: string): void {
  const known = registry.get(mode.name);
  if (known && known !== mode) throw new Error(`a mode named '${mode.name}' is already registered`);
  registry.set(mode.name, mode);
  registeredModules.add(moduleUrl);
}

/** Modules that registered modes at run time, for worker processes to import (src/run/worker.ts). */
export const modeModules = (): string[] => [...registeredModules];

/** The mode of a case or line; throws for one this process does not know (a suite's modes are validated against modeNames()). */
export function modeOf(name: string): Mode {
  const m = registry.get(name);
  if (!m) throw new Error(`unknown mode '${name}' (known: ${modeNames().join(', ')})`);
  return m;
}

/** True when the line's mode measures forward passes with their accuracy (ModeReport.forwardPass). */
export const isForwardPass = (l: Pick<ResultLine, 'mode'>): boolean => registry.get(l.mode)?.report.forwardPass ?? false;

/** A measured forward-pass line: what the inference charts, findings and checks read. */
export const isForwardOk = (l: ResultLine): l is OkLine => l.status === 'ok' && isForwardPass(l);

/** The measured forward-pass lines of a run. */
export const forwardOk = (lines: readonly ResultLine[]): OkLine[] => lines.filter(isForwardOk);

/** The lines of one mode. */
export const linesOf = (mode: Mode, lines: readonly ResultLine[]): ResultLine[] => lines.filter((l) => l.mode === mode.name);
