/**
 * Progress of a sweep: a live bar on a terminal (job i of n, variant, N, engine, round, elapsed, ETA),
 * plain log lines when output is not a TTY (CI, pipes). On a terminal, skipped and failed cases are
 * listed below the bar when it ends.
 */
import cliProgress from 'cli-progress';
import type { JobDone, SweepListener } from '../run/sweep.ts';
import { modeOf } from '../modes/index.ts';
import type { Case } from '../results/types.ts';

/** A sweep's listener that also ends its display. */
export interface Progress extends SweepListener {
  stop(): void;
}

const describe = (c: Case, round: number) => `${c.label} N=${c.shape.seqLen} ${c.engine.id} ${round === 0 ? 'checks' : `round ${round}`}`;

function outcome(r: JobDone): string {
  if ('error' in r) return `round failed: ${r.error}`;
  if ('round' in r) return `median ${r.median.toFixed(2)} ms (${r.samplesMs.length} samples)`;
  if ('facts' in r) {
    return modeOf(r.facts.mode).checked(r.facts);
  }
  return `${r.status}: ${r.reason}`;
}

const failed = (r: JobDone) => 'error' in r || 'reason' in r;

const clock = (ms: number) => {
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
};

export function createProgress(tty = Boolean(process.stderr.isTTY)): Progress {
  const t0 = Date.now();
  let finished = 0, total = 0;
  const eta = () => (finished === 0 ? '?' : clock(((Date.now() - t0) / finished) * (total - finished)));
  if (!tty) {
    return {
      start: (c, round, i, n) => {
        total = n;
        console.error(`[${i + 1}/${total}] ${describe(c, round)} … (elapsed ${clock(Date.now() - t0)}, ETA ${eta()})`);
      },
      done: (_c, _round, r) => { finished++; console.error(`        ${outcome(r)}`); },
      note: (text) => console.error(text),
      stop: () => undefined,
    };
  }
  const bar = new cliProgress.SingleBar({
    format: 'job {value}/{total} [{bar}] {what} | elapsed {elapsed} | ETA {eta}',
    hideCursor: true, clearOnComplete: true, stream: process.stderr,
  }, cliProgress.Presets.shades_classic);
  const later: string[] = []; // printed below the bar once it is gone
  let tick: NodeJS.Timeout | undefined;
  return {
    start: (c, round, i, n) => {
      if (tick === undefined) {
        total = n;
        bar.start(total, 0, { what: '', elapsed: '0m00s', eta: '?' });
        tick = setInterval(() => bar.update({ elapsed: clock(Date.now() - t0), eta: eta() }), 1000);
      }
      bar.update(i, { what: describe(c, round), elapsed: clock(Date.now() - t0), eta: eta() });
    },
    done: (c, round, r) => {
      finished++;
      bar.update(finished);
      if (failed(r)) later.push(`${c.caseId} round ${round}: ${outcome(r)}`);
    },
    note: (text) => (tick === undefined ? console.error(text) : later.push(text)),
    stop: () => {
      if (tick === undefined) return;
      clearInterval(tick);
      bar.stop();
      for (const text of later) console.error(text);
    },
  };
}
