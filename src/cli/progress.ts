/**
 * Progress of a sweep: a live bar on a terminal (case i of n, variant, N, engine, elapsed, ETA),
 * plain log lines when output is not a TTY (CI, pipes). On a terminal, skipped and failed cases are
 * listed below the bar when it ends.
 */
import cliProgress from 'cli-progress';
import type { Case } from '../run/plan.ts';
import type { ResultLine } from '../run/result.ts';

export interface Progress {
  start(c: Case, index: number): void;
  done(line: ResultLine): void;
  /** A message that must stay visible (fallbacks, warnings). */
  note(text: string): void;
  stop(): void;
}

const describe = (c: Case) => `${c.label} N=${c.shape.seqLen} ${c.engine.id}`;

function outcome(line: ResultLine): string {
  if (line.status === 'ok') return `median ${line.latencyMs.median.toFixed(2)} ms (±${line.latencyMs.rme.toFixed(1)} %, ${line.latencyMs.samples} samples)`;
  return `${line.status}: ${line.reason}`;
}

const clock = (ms: number) => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

export function createProgress(total: number, tty = Boolean(process.stderr.isTTY)): Progress {
  const t0 = Date.now();
  let finished = 0;
  const eta = () => (finished === 0 ? '?' : clock(((Date.now() - t0) / finished) * (total - finished)));
  if (!tty) {
    return {
      start: (c, i) => console.error(`[${i + 1}/${total}] ${describe(c)} … (elapsed ${clock(Date.now() - t0)}, ETA ${eta()})`),
      done: (line) => { finished++; console.error(`        ${outcome(line)}`); },
      note: (text) => console.error(text),
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar({
    format: 'case {value}/{total} [{bar}] {what} | elapsed {elapsed} | ETA {eta}',
    hideCursor: true, clearOnComplete: true, stream: process.stderr,
  }, cliProgress.Presets.shades_classic);
  const later: string[] = []; // printed below the bar once it is gone
  bar.start(total, 0, { what: '', elapsed: '0m00s', eta: '?' });
  const tick = setInterval(() => bar.update({ elapsed: clock(Date.now() - t0), eta: eta() }), 1000);
  return {
    start: (c, i) => bar.update(i, { what: describe(c), elapsed: clock(Date.now() - t0), eta: eta() }),
    done: (line) => {
      finished++;
      bar.update(finished);
      if (line.status !== 'ok') later.push(`${line.caseId}: ${outcome(line)}`);
    },
    note: (text) => later.push(text),
    stop: () => {
      clearInterval(tick);
      bar.stop();
      for (const text of later) console.error(text);
    },
  };
}
