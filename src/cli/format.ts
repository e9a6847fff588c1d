/** Argument parsers, terminal tables and the error boundary shared by the commands. */
import { pathToFileURL } from 'node:url';
import Table from 'cli-table3';
import { CommanderError } from 'commander';
import type { EngineInfo } from '../engine/types.ts';
import { isForwardOk } from '../modes/index.ts';
import type { ResultLine } from '../results/types.ts';
import { DTYPES, type Dtype } from '../results/dtype.ts';
import { VARIANTS } from '../variants/index.ts';
import { UserError, messages } from '../messages.ts';
import { inlineOf } from './variants-flag.ts';

/**
 * Whether output to `stream` may carry colour: on a terminal only, unless FORCE_COLOR (any value
 * but 0) forces it or NO_COLOR (any non-empty value, no-color.org) turns it off.
 */
export function colourOn(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  if (env.NO_COLOR) return false;
  return Boolean(stream.isTTY);
}

/** cli-table3's style: its coloured header and borders on a terminal, plain text in pipes and logs. */
export const tableStyle = (stream?: { isTTY?: boolean }) => (colourOn(stream) ? {} : { head: [], border: [] });

export function csvList(value: string): string[] {
  return value.split(',').map((s) => s.trim()).filter(Boolean);
}

const POSITIVE_INT = /^[1-9]\d*$/;

/** A comma-separated list of positive integers; an empty entry is an error, as any other bad one. */
export function positiveInt(flag: string, value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  if (!parts.every((p) => POSITIVE_INT.test(p))) throw new UserError(messages.positiveInts(flag, value));
  return parts.map(Number);
}

/** `--dtype`: a comma-separated list of dtypes (src/results/dtype.ts). */
export function dtypeList(value: string): Dtype[] {
  const parts = value.split(',').map((p) => p.trim());
  if (!parts.every((p): p is Dtype => (DTYPES as readonly string[]).includes(p))) throw new UserError(messages.badDtype(value, DTYPES));
  return parts;
}

/** One positive integer, e.g. `--seed 3`; `example` is what the message suggests. */
export function onePositiveInt(flag: string, example: string, value: string): number {
  if (!POSITIVE_INT.test(value.trim())) throw new UserError(messages.positiveInt(flag, example, value));
  return Number(value);
}

export function engineTable(all: EngineInfo[]): string {
  const t = new Table({ style: tableStyle(),
    head: ['engine/backend', 'available', 'version', 'device', 'threads', 'priority', 'why not'] });
  for (const i of all) {
    t.push([i.id, i.available ? 'yes' : 'no', i.version ?? '', i.device ?? '', i.threads ?? '', i.priority, i.reason ?? '']);
  }
  const best = all.find((i) => i.available);
  return `${t.toString()}\ndefault engine here: ${best?.id ?? 'none'} (the first available, in priority order)`;
}

export function variantList(): string {
  const syntax = 'On the command line: --variants name[:key=value…],… (a list value as a+b), e.g.\n'
    + '  --variants full,lora:rank=16:merged=true,svd:energy=0.9,sparse-window:window=512';
  return [syntax, ...Object.values(VARIANTS).map((v) => {
    const defaults = v.options.parse({}) as Record<string, unknown>;
    const opts = Object.entries(defaults).map(([k, val]) => `    ${k} = ${JSON.stringify(val)}`).join('\n');
    return `${v.name} — ${v.summary}\n  options (defaults):\n${opts || '    (none)'}\n  inline: ${inlineOf(v.name, defaults)}`;
  })].join('\n\n');
}

/** The final table as JSON lines: one object per case, the summary table's columns (ms, %, counts, GFLOP/s). */
export function jsonLines(lines: ResultLine[]): string {
  return lines.map((l) => JSON.stringify({ caseId: l.caseId, variant: l.variant, label: l.label, engine: `${l.engine}/${l.backend}`,
    mode: l.mode, ...l.shape, status: l.status,
    ...(l.status === 'ok'
      ? { medianMs: l.latencyMs.median, rme: l.latencyMs.rme, samples: l.latencyMs.samples, rounds: l.rounds.length,
        gflops: isForwardOk(l) ? l.gflops : null }
      : { reason: l.reason }) })).join('\n');
}

/** Borderless: the final table is read in terminals and CI logs, where a rule under every row doubles its height. */
const NO_RULES = { top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
  'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: ' ' };
/** Column widths (padding included) of the final table: with the five separators, 100 columns. */
const SUMMARY_WIDTHS = [34, 10, 8, 8, 8, 27];

/** A group's title: engine, mode and N, and the other shape letters where the run holds more than one value of them. */
function groupTitle(l: ResultLine, varies: ReadonlySet<string>): string {
  const { batch, dModel, heads, causal, dtype } = l.shape;
  const extra = [varies.has('batch') && `B=${batch}`, varies.has('dModel') && `D=${dModel}`, varies.has('heads') && `H=${heads}`,
    causal && 'causal', dtype].filter(Boolean);
  return `── ${l.engine}/${l.backend} · ${l.mode} · N=${l.shape.seqLen}${extra.length ? ` · ${extra.join(' ')}` : ''}`;
}

/**
 * The final table: one group per engine, mode and shape (engines, then N ascending), the variants
 * of a group under its title, within 100 columns (long labels and reasons wrap). median ms is per
 * forward pass for inference, per training step for train; GFLOP/s is of forward passes.
 */
export function summaryTable(lines: ResultLine[]): string {
  const t = new Table({ chars: NO_RULES, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 1 },
    colWidths: SUMMARY_WIDTHS, colAligns: ['left', 'right', 'right', 'right', 'right', 'left'], wordWrap: true,
    head: ['variant', 'median ms', '± rme %', 'samples', 'GFLOP/s', 'status'] });
  const keyOf = (l: ResultLine) => `${l.engine}/${l.backend}|${l.mode}|${JSON.stringify(l.shape)}`;
  const varies = new Set((['batch', 'dModel', 'heads'] as const).filter((k) => new Set(lines.map((l) => l.shape[k])).size > 1));
  const sorted = [...lines].sort((a, b) => `${a.engine}/${a.backend}`.localeCompare(`${b.engine}/${b.backend}`)
    || a.mode.localeCompare(b.mode) || a.shape.seqLen - b.shape.seqLen || keyOf(a).localeCompare(keyOf(b))
    || a.label.localeCompare(b.label));
  sorted.forEach((l, i) => {
    if (i === 0 || keyOf(sorted[i - 1]) !== keyOf(l)) t.push([{ colSpan: SUMMARY_WIDTHS.length, content: groupTitle(l, varies) }]);
    if (l.status !== 'ok') t.push([l.label, '', '', '', '', `${l.status}: ${l.reason}`]);
    else {
      t.push([l.label, l.latencyMs.median.toFixed(3), l.latencyMs.rme.toFixed(1), l.latencyMs.samples,
        isForwardOk(l) ? l.gflops.toFixed(1) : '', 'ok']);
    }
  });
  return t.toString().split('\n').map((row) => row.trimEnd()).join('\n');
}

/** True when `moduleUrl` is the script node was started with. */
/** Set by the bundle's entry (attnbench.ts), which dispatches by command: no command module is then "main". */
export const entry = { dispatching: false };

export function isMain(moduleUrl: string): boolean {
  return !entry.dispatching && process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}

/**
 * The error boundary of a command: user mistakes print one line and exit 2, with no stack trace;
 * anything else is a bug and prints its stack (exit 1).
 */
export function runCli(main: () => Promise<number>): void {
  // `npm run bench -- --help | head`: a reader that closed the pipe wanted no more. Without a listener the write's EPIPE
  // is an uncaught error and a stack trace; a sweep whose output is cut this way still measures and writes its run folder.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code !== 'EPIPE') throw e; });
  main().then((code) => { process.exitCode = code; }, (e: unknown) => {
    const { code, text } = errorOutcome(e);
    if (text !== undefined) console.error(text);
    process.exitCode = code;
  });
}

/** The exit code and stderr text of an error that ends a command (help and --version are CommanderErrors of exit code 0). */
export function errorOutcome(e: unknown): { code: number; text?: unknown } {
  if (e instanceof CommanderError) {
    return e.exitCode === 0 ? { code: 0 } : { code: 2, text: `attnbench: ${messages.commander(e.message)} (see --help)` };
  }
  if (e instanceof UserError) return { code: 2, text: `attnbench: ${e.message}` };
  return { code: 1, text: e };
}
