/** Argument parsers, terminal tables and the error boundary shared by the commands. */
import { pathToFileURL } from 'node:url';
import Table from 'cli-table3';
import { CommanderError } from 'commander';
import type { EngineInfo } from '../engine/types.ts';
import { isForwardOk } from '../modes/index.ts';
import type { ResultLine } from '../results/types.ts';
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

/** A comma-separated list of positive integers; an empty entry is an error, as any other bad one. */
export function positiveInt(flag: string, value: string): number[] {
  const parts = value.split(',').map((p) => p.trim());
  if (!parts.every((p) => /^[1-9]\d*$/.test(p))) throw new UserError(messages.positiveInts(flag, value));
  return parts.map(Number);
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
      ? { medianMs: l.latencyMs.median, rme: l.latencyMs.rme, samples: l.latencyMs.samples, rounds: l.rounds?.length ?? 1,
        gflops: isForwardOk(l) ? l.gflops : null }
      : { reason: l.reason }) })).join('\n');
}

export function summaryTable(lines: ResultLine[]): string {
  // median ms is per forward pass for inference, per training step for train; GFLOP/s is of forward passes.
  const t = new Table({ style: tableStyle(),
    head: ['variant', 'engine', 'mode', 'N', 'median ms', '± rme %', 'samples', 'GFLOP/s', 'status'] });
  const modeOf = (l: ResultLine) => l.mode ?? 'inference';
  const sorted = [...lines].sort((a, b) => a.label.localeCompare(b.label) || a.engine.localeCompare(b.engine)
    || a.backend.localeCompare(b.backend) || modeOf(a).localeCompare(modeOf(b)) || a.shape.seqLen - b.shape.seqLen);
  for (const l of sorted) {
    const head = [l.label, `${l.engine}/${l.backend}`, modeOf(l), l.shape.seqLen];
    if (l.status === 'ok') {
      const gflops = isForwardOk(l) ? l.gflops.toFixed(1) : '';
      t.push([...head, l.latencyMs.median.toFixed(3), l.latencyMs.rme.toFixed(1), l.latencyMs.samples, gflops, 'ok']);
    } else {
      t.push([...head, '', '', '', '', `${l.status}: ${l.reason}`]);
    }
  }
  return t.toString();
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
  main().then((code) => { process.exitCode = code; }, (e: unknown) => {
    if (e instanceof CommanderError) {
      if (e.exitCode === 0) return;
      console.error(`attnbench: ${messages.commander(e.message)} (see --help)`);
      process.exitCode = 2;
    } else if (e instanceof UserError) {
      console.error(`attnbench: ${e.message}`);
      process.exitCode = 2;
    } else {
      console.error(e);
      process.exitCode = 1;
    }
  });
}
