import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/messages.ts';
import { planCases } from '../../src/run/plan.ts';
import { groupOf } from '../../src/run/rounds.ts';
import { casesOfShard, groupsOf, parseShard, partition, planFingerprint, predictedSeconds } from '../../src/run/shard.ts';
import { loadSuite, parseSuite, type Suite } from '../../src/run/suite.ts';
import { comparisons } from '../../src/report/findings.ts';
import { checkInvariants } from '../../src/report/invariants.ts';
import type { Case, EngineInfo } from '../../src/results/types.ts';
import { okLine } from '../report/fixtures.ts';

/** Three CPU engines, as a machine with every engine of the registry's CPU paths would have them. */
const ENGINES = ['onnx/cpu', 'tfjs/wasm', 'tfjs/cpu'].map((id, priority) => {
  const [engine, backend] = id.split('/');
  return { engine, backend, id, priority, available: true, device: 'cpu' } satisfies EngineInfo;
});

/** Shapes swept in every direction, two modes, four variants: 2 × 2 × 3 N × 2 modes × 3 engines = 72 groups. */
const WIDE = parseSuite({ name: 'wide', variants: ['full', 'lora', 'sparse-window', { name: 'svd', options: { energy: 0.9 } }],
  seqLen: [128, 512, 2048], dModel: [64, 128], heads: [4, 8], modes: ['inference', 'train'] }, 'test');

async function suites(): Promise<Array<[string, Suite]>> {
  const names = ['default', 'quick', 'efficiency', 'training'];
  const builtin = await Promise.all(names.map(async (n) => [n, await loadSuite(n)] as [string, Suite]));
  return [...builtin, ['wide', WIDE]];
}

/** The smallest largest-shard cost of any split of `costs` into n shards (branch and bound; few groups only). */
function bestSplit(costs: number[], n: number): number {
  let best = Infinity;
  const load = new Array<number>(n).fill(0);
  const place = (i: number) => {
    if (Math.max(...load) >= best) return;
    if (i === costs.length) { best = Math.max(...load); return; }
    const tried = new Set<number>();
    for (let s = 0; s < n; s++) {
      if (tried.has(load[s])) continue; // shards of equal load are interchangeable
      tried.add(load[s]);
      load[s] += costs[i]; place(i + 1); load[s] -= costs[i];
    }
  };
  place(0);
  return best;
}

test('shards of several suites, n = 1…5: disjoint, their union the plan, groups whole, balanced within the documented bound', async () => {
  for (const [name, suite] of await suites()) {
    const plan = planCases(suite, ENGINES, 'run'), groups = groupsOf(plan);
    const total = groups.reduce((s, g) => s + g.cost, 0), largest = Math.max(...groups.map((g) => g.cost));
    for (let n = 1; n <= 5; n++) {
      const shards = Array.from({ length: n }, (_, i) => casesOfShard(plan, { index: i + 1, count: n }));
      const ids = shards.flat().map((c) => c.caseId);
      assert.equal(new Set(ids).size, ids.length, `${name} ${n}: no case in two shards`);
      assert.deepEqual([...ids].sort(), plan.map((c) => c.caseId).sort(), `${name} ${n}: the union is the plan`);
      const home = new Map<string, number>();
      shards.forEach((cs, i) => cs.forEach((c) => {
        assert.ok((home.get(groupOf(c)) ?? i) === i, `${name} ${n}: group ${groupOf(c)} split`);
        home.set(groupOf(c), i);
      }));
      const loads = shards.map((cs) => cs.reduce((s, c) => s + predictedSeconds(c), 0));
      const max = Math.max(...loads);
      assert.ok(max <= total / n + largest + 1e-9, `${name} ${n}: ${max} ≤ mean ${total / n} + largest group ${largest}`);
      if (groups.length <= 12) {
        const best = bestSplit(groups.map((g) => g.cost), n);
        assert.ok(max <= (4 / 3) * best + 1e-9, `${name} ${n}: ${max} within 4/3 of the best split ${best}`);
      }
    }
  }
});

test('the partition is the same on every call (every machine computes it alone) and LPT-ordered', () => {
  const plan = planCases(WIDE, ENGINES, 'run');
  const a = partition(plan, 4).map((s) => s.map((g) => g.key)), b = partition([...plan].reverse(), 4).map((s) => s.map((g) => g.key));
  assert.deepEqual(a, b, 'the order of the plan does not change the split');
  assert.equal(groupsOf(plan).length, 72);
  const costs = groupsOf(plan).map((g) => g.cost);
  assert.deepEqual(costs, [...costs].sort((x, y) => y - x), 'largest first');
  assert.deepEqual(casesOfShard(plan, { index: 1, count: 1 }), plan, 'one shard is the whole plan');
  const tiny = planCases(parseSuite({ name: 't', variants: ['full'], seqLen: [64] }, 't'), ENGINES.slice(0, 1), 'run');
  assert.deepEqual(casesOfShard(tiny, { index: 2, count: 2 }), [], 'more shards than groups: an empty shard');
});

test('predicted cost: budget and worker starts per job, analytic FLOPs; SVD by energy costed as full attention', () => {
  const plan = planCases(WIDE, ENGINES, 'run');
  const at = (variant: string, mode = 'inference') => plan.find((c) => c.variant === variant && c.mode === mode && c.shape.seqLen === 128
    && c.shape.dModel === 64 && c.shape.heads === 4 && c.engine.id === 'onnx/cpu')!;
  const full = at('full'), svd = at('svd'), train = at('full', 'train');
  assert.equal(predictedSeconds(svd), predictedSeconds(full), 'rank unknown before the weights: full attention\'s FLOPs, an upper bound');
  const t = full.timing, flops = 8 * 128 * 64 * 64 + 4 * 128 * 128 * 64;
  const expected = 4 * 1 + 3 * (t.timeMs + t.warmupMs) / 1000 + (3 * (t.minSamples + t.warmupIterations) + 10) * flops / 5e9;
  assert.ok(Math.abs(predictedSeconds(full) - expected) < 1e-12, `${predictedSeconds(full)} = ${expected}`);
  assert.ok(predictedSeconds(train) > predictedSeconds(full), 'a training step costs more than a forward pass');
});

test('the plan fingerprint covers the suite, the engines and the cases, not the description', () => {
  const fp = (s: Suite, engines = ENGINES) => planFingerprint(s, engines, planCases(s, engines, 'any-run-id'));
  const base = fp(WIDE);
  assert.match(base, /^sha256:[0-9a-f]{64}$/);
  assert.equal(fp({ ...WIDE, description: 'another description' }), base);
  assert.equal(planFingerprint(WIDE, ENGINES, planCases(WIDE, ENGINES, 'another-run')), base, 'the run id is not part of the plan');
  assert.notEqual(fp({ ...WIDE, seed: 2 }), base, 'seed');
  assert.notEqual(fp({ ...WIDE, timing: { ...WIDE.timing, timeMs: 200 } }), base, 'timing');
  assert.notEqual(fp({ ...WIDE, seqLen: [128, 512] }), base, 'cases');
  assert.notEqual(fp(WIDE, ENGINES.slice(0, 2)), base, 'engines');
  assert.notEqual(fp({ ...WIDE, name: 'other' }), base, 'suite name');
});

test('--shard i/n: 1-based, i ≤ n; anything else is a UserError naming the flag', () => {
  assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
  assert.deepEqual(parseShard(' 1 / 1 '), { index: 1, count: 1 });
  for (const bad of ['0/2', '3/2', 'a/b', '1/0', '2', '1/2/3', '-1/2', '1.5/2', '']) {
    assert.throws(() => parseShard(bad), (e: unknown) => e instanceof UserError && /--shard expects i\/n/.test(e.message), bad);
  }
});

test('the comparison group is keyed by engine, mode, the whole shape and, on merged runs, the shard and machine', () => {
  const c = (over: Partial<Case>) => ({ engine: ENGINES[0], mode: 'inference', shape: { batch: 1, seqLen: 64, dModel: 64, heads: 4 },
    ...over }) as Case;
  assert.equal(groupOf(c({})), groupOf(c({ shape: { heads: 4, dModel: 64, seqLen: 64, batch: 1 } })), 'key order does not matter');
  const causal = { batch: 1, seqLen: 64, dModel: 64, heads: 4, causal: true } as Case['shape'];
  assert.notEqual(groupOf(c({ shape: causal })), groupOf(c({})), 'a field added to the shape separates groups');
  assert.notEqual(groupOf(c({ mode: 'train' })), groupOf(c({})));
});

test('the report never computes a ratio across machines: lines of different shards are never paired', () => {
  const on = (index: number, machine: string) => ({ shard: { index, count: 2, machine } });
  const full = okLine({ seqLen: 256, median: 2, extra: on(1, 'node-a') });
  const window = okLine({ seqLen: 256, variant: 'sparse-window', label: 'window', median: 1, extra: on(2, 'node-b') });
  const merged = okLine({ seqLen: 256, variant: 'lora', label: 'LoRA merged', median: 3,
    extra: { ...on(2, 'node-b'), options: { rank: 8, alpha: 16, targets: ['q', 'v'], merged: true } } });
  assert.deepEqual(comparisons([full, window]), [], 'full on node-a, the window on node-b: no speed-up');
  assert.deepEqual(checkInvariants([full, merged]).filter((v) => v.check === 'same-graph'), [], 'nor a same-graph check');
  const sameShard = okLine({ seqLen: 256, variant: 'sparse-window', label: 'window', median: 1, extra: on(1, 'node-a') });
  assert.equal(comparisons([full, sameShard]).length, 1, 'the same shard pairs as before');
  assert.equal(comparisons([okLine({ seqLen: 256, median: 2 }), okLine({ seqLen: 256, variant: 'sparse-window', label: 'w' })]).length, 1,
    'lines of an unsharded run pair as they always did');
});
