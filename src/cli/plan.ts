/**
 * `npm run bench -- --plan`: the cases a run would measure, each with its parameter counts, FLOPs of
 * one sample (a forward pass, a decode step) and analytic memory from the variants' formulas, and
 * whether --max-memory would skip it — without building weights, probing engines or starting
 * workers, so it answers at once at any width.
 */
import Table from 'cli-table3';
import { ENGINE_NAMES, ENGINE_IDS } from '../engine/resolve.ts';
import type { EngineInfo } from '../engine/types.ts';
import { UserError, messages } from '../messages.ts';
import { describePlan, planCases, type PlannedCase } from '../run/plan.ts';
import type { Suite } from '../run/suite.ts';
import { tableStyle } from './format.ts';

/** What a figure that depends on the weights (e.g. SVD by energy) shows in a plan. */
export const DEPENDS = 'depends on the weights';

/**
 * The engines a run would use, named without probing them (a probe starts the engine): an
 * `engine/backend` id as given; an engine name, or nothing, stands for the fastest backend found when the run starts.
 */
export function unprobedEngines(requests: Array<{ engine?: string; backends?: string[] }>): EngineInfo[] {
  const placeholder = (id: string, engine = id): EngineInfo => ({ engine, backend: '', id, priority: 0, available: true });
  return requests.flatMap(({ engine, backends }) => {
    if (backends?.length) {
      return backends.map((b) => {
        const id = ENGINE_IDS.find((i) => i.endsWith(`/${b}`) && (!engine || engine === 'all' || i.startsWith(`${engine}/`)));
        const ofEngine = ENGINE_IDS.filter((i) => !engine || engine === 'all' || i.startsWith(`${engine}/`));
        if (!id) throw new UserError(messages.unknownBackend(b, [...new Set(ofEngine.map((i) => i.split('/')[1]))]));
        return placeholder(id, id.split('/')[0]);
      });
    }
    if (engine === 'all') return ENGINE_NAMES.map((n) => placeholder(n));
    return [placeholder(engine ?? 'fastest here')];
  });
}

const grouped = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
/** GFLOP to the thousandth, or to three significant digits below one MFLOP (a small decode step's). */
const gflop = (f: number) => (f >= 1e6 ? (f / 1e9).toFixed(3) : String(Number((f / 1e9).toPrecision(3))));
const mib = (b: number) => `${(b / 2 ** 20).toFixed(b < 2 ** 20 ? 3 : 0)} MiB`;

/** The plan as text (a table and a closing line) or as JSON lines (one object per case). */
export function planOutput(suite: Suite, engines: EngineInfo[], maxMemoryBytes: number, json: boolean): string {
  const planned = describePlan(planCases(suite, engines, 'plan'), maxMemoryBytes);
  if (json) return planned.map(planJson).join('\n');
  const t = new Table({ style: tableStyle(), head: ['variant', 'engine', 'mode', 'B', 'N', 'D', 'H', 'params total', 'trainable',
    'inference', 'GFLOP', 'analytic memory', `--max-memory ${mib(maxMemoryBytes)}`] });
  for (const p of planned) {
    const { c } = p, s = c.shape;
    t.push([c.label, c.engine.id, c.mode, s.batch, s.seqLen, s.dModel, s.heads,
      ...(p.params ? [grouped(p.params.total), grouped(p.params.trainable), grouped(p.params.inference)] : [DEPENDS, '', '']),
      p.flops === null ? DEPENDS : gflop(p.flops), p.memoryBytes === null ? DEPENDS : mib(p.memoryBytes),
      p.memoryBytes === null ? DEPENDS : p.skip ? 'skipped: exceeds' : 'fits']);
  }
  const skipped = planned.filter((p) => p.skip).length;
  return `${t.toString()}\n${planned.length} case(s), ${skipped} of them skipped by --max-memory; nothing was run `
    + '(engines are probed when the run starts: a name stands for its fastest backend available then).';
}

function planJson(p: PlannedCase): string {
  const { c } = p;
  return JSON.stringify({ caseId: c.caseId, variant: c.variant, options: c.options, label: c.label, engine: c.engine.id, mode: c.mode,
    ...c.shape, params: p.params ?? DEPENDS, flops: p.flops ?? DEPENDS, analyticMemoryBytes: p.memoryBytes ?? DEPENDS,
    skipped: p.memoryBytes === null ? DEPENDS : p.skip ?? null });
}
