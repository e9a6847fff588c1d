/**
 * The comparisons-under-noise check, live: a sweep of full attention, merged LoRA and a sliding
 * window at N = 512 and 1024 on onnx (d=512, 8 heads), with a CPU-burning process started 5 s into
 * the sweep and stopped 25 s later. Merged LoRA runs full's graph, so it must come out "no
 * measurable difference" at every N with its ratio near 1; prints that table and the run folder.
 *   npx tsx scripts/busy-machine.ts [--out DIR] [--rounds 5] [--burn-at 5] [--burn-for 25]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Finding } from '../src/report/findings.ts';
import { runSuite } from '../src/index.ts';
import { checkInvariants } from '../src/report/invariants.ts';
import { readRunMeta } from '../src/results/store.ts';

const { values: a } = parseArgs({ options: {
  out: { type: 'string', default: path.join(os.tmpdir(), `attnbench-busy-${Date.now()}`) },
  rounds: { type: 'string', default: '5' }, 'burn-at': { type: 'string', default: '5' }, 'burn-for': { type: 'string', default: '25' } } });

// The burner must not be a descendant of this process: the sweep runs here, and its load record counts this process's
// family as the run's own (src/run/load.ts). A shell starts it in the background and exits, so init adopts it.
let burner: number | undefined;
const stopBurner = () => {
  if (burner === undefined) return;
  try { process.kill(burner, 'SIGKILL'); } catch { /* already gone */ }
  burner = undefined;
  console.error(`${at()}: CPU burner stopped`);
};
const t0 = Date.now(), at = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const start = setTimeout(() => {
  burner = Number(execFileSync('sh', ['-c', `"${process.execPath}" -e "for (;;) {}" >/dev/null 2>&1 & echo $!`], { encoding: 'utf8' }));
  console.error(`${at()}: CPU burner started outside this process tree (pid ${burner})`);
  setTimeout(stopBurner, Number(a['burn-for']) * 1000);
}, Number(a['burn-at']) * 1000);

const { dir, lines } = await runSuite({
  name: 'busy-machine', description: 'full, merged LoRA and a sliding window on onnx while a CPU burner runs for 25 s',
  variants: ['full', { name: 'lora', options: { merged: true } }, { name: 'sparse-window', options: { window: 256 } }],
  seqLen: [512, 1024], dModel: 512, heads: 8, engines: ['onnx/cpu'],
  timing: { rounds: Number(a.rounds), timeMs: 300, warmupMs: 100, minSamples: 5, targetRme: 0.5 },
}, {
  out: a.out,
  listener: { start: (c, round) => console.error(`${at()}: ${c.label} N=${c.shape.seqLen} ${round ? `round ${round}` : 'checks'}`) },
});
clearTimeout(start);
stopBurner();

const found = JSON.parse(readFileSync(path.join(dir, 'findings.json'), 'utf8')) as Finding[];
console.log('| comparison | N | ratio | 95 % interval | verdict |\n|---|---|---|---|---|');
for (const f of found) {
  console.log(`| ${f.subject} vs ${f.baseline} | ${f.seqLen} | ${f.ratio.toFixed(3)} | `
    + `${f.ci[0].toFixed(3)}–${f.ci[1].toFixed(3)} | ${f.verdict}`
    + `${f.unreliable ? ' (unreliable)' : ''} |`);
}
const spreads = lines.flatMap((l) => (l.status === 'ok' ? [`${l.label} N=${l.shape.seqLen}: round medians `
  + `${l.rounds.map((r) => r.median.toFixed(2)).join(', ')} ms`] : []));
const violations = checkInvariants(lines, readRunMeta(dir)).map((v) => v.text);
console.log(`\n${spreads.join('\n')}\n\nchecks: ${violations.join('; ') || 'all passed'}\nrun: ${dir}`);
