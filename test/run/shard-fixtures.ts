/**
 * Shard folders as `npm run bench -- --shard i/n` writes them, without measuring: run.json with the
 * shard, the plan fingerprint and the machine, and one results line per case of the shard (a
 * skipped line: merging reads lines, it never looks at their timings).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { failedLine } from '../../src/results/lines.ts';
import type { RunMeta } from '../../src/results/run-meta.ts';
import { RESULTS_FILE, RUN_FILE } from '../../src/results/store.ts';
import type { EngineInfo } from '../../src/results/types.ts';
import { planCases } from '../../src/run/plan.ts';
import { casesOfShard, planFingerprint } from '../../src/run/shard.ts';
import { parseSuite, type Suite } from '../../src/run/suite.ts';
import { tmpDir } from '../cli/helpers.ts';

export const ENGINES: EngineInfo[] = ['onnx/cpu', 'tfjs/wasm'].map((id, priority) => {
  const [engine, backend] = id.split('/');
  return { engine, backend, id, priority, available: true, device: 'cpu', version: '1.0.0' };
});

/** Two variants at three N on two engines: six comparison groups of two cases. */
export const SUITE = parseSuite({ name: 'shards', variants: ['full', 'sparse-window'], seqLen: [64, 128, 256], dModel: 64, heads: 4,
  engines: ['onnx', 'tfjs/wasm'] }, 'test');

export const planIds = (suite: Suite = SUITE): string[] => planCases(suite, ENGINES, 'whole').map((c) => c.caseId).sort();

/**
 * Writes shard `index` of `count` of `suite` into a new folder, as machine `machine-<index>`;
 * `drop` leaves cases out (an interrupted shard), `extra` case ids of other shards are written too.
 */
export function writeShard(index: number, count: number, opts: { suite?: Suite; drop?: number; extraFrom?: number } = {}): string {
  const suite = opts.suite ?? SUITE, dir = tmpDir('attnbench-shard-'), runId = `2026-11-29T10-00-0${index}-${suite.name}`;
  const plan = planCases(suite, ENGINES, runId);
  const mine = casesOfShard(plan, { index, count }).slice(opts.drop ?? 0);
  const extra = opts.extraFrom ? casesOfShard(plan, { index: opts.extraFrom, count }).slice(0, 1) : [];
  const meta: RunMeta = { schema: 1, runId, suite, argv: ['--shard', `${index}/${count}`], startedAt: `2026-11-29T10:00:0${index}.000Z`,
    finishedAt: `2026-11-29T10:05:0${index}.000Z`,
    environment: { cpuModel: `CPU ${index}`, cores: 2, totalMemory: 2 ** 33, freeMemory: 2 ** 32, os: 'Linux', node: 'v20.0.0',
      loadAverage: { start: [0, 0, 0] } },
    engines: ENGINES, selected: ENGINES.map((e) => e.id), fallbacks: [], cases: mine.length, machine: `machine-${index}`,
    plan: { fingerprint: planFingerprint(suite, ENGINES, plan), cases: plan.length }, shard: { index, count } };
  writeFileSync(path.join(dir, RUN_FILE), JSON.stringify(meta, null, 2));
  const lines = [...mine, ...extra].map((c) => failedLine(c, 'skipped', 'fixture: not measured', { options: c.options, params: null,
    flops: null }));
  writeFileSync(path.join(dir, RESULTS_FILE), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return dir;
}
