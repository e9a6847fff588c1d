/** Steady-state detection (measure/steady.ts) and the warm-up that uses it, on synthetic tier-up curves. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng } from '../../src/linalg/rng.ts';
import { warmUp } from '../../src/measure/group-round.ts';
import { isSteady } from '../../src/measure/steady.ts';

/**
 * A tier-up curve: 3× the steady time at the first pass, decaying towards it as more functions
 * reach the optimizing tier (time constant `tau` passes); 1 % noise.
 */
function tierUp(n: number, tau: number, seed = 'tier'): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => 10 * (1 + 2 * Math.exp(-i / tau)) * Math.exp(0.01 * rng.normal()));
}

/** The first pass count at which the curve reads steady. */
const steadyAt = (xs: number[]) => xs.findIndex((_, i) => isSteady(xs.slice(0, i + 1))) + 1;

test('a tier-up curve reads steady once it has come within a few % of its floor, not before', () => {
  // The rule stops once a window improves on the one before by under 5 %: for a decay over tau
  // passes that is within about 5 % / (1 − e^(−3/tau)) of the floor: 10 % for tau ≤ 5, 20 % for tau = 10.
  for (const [tau, within] of [[2, 0.1], [5, 0.1], [10, 0.2]]) {
    const curve = tierUp(80, tau, `tier${tau}`), at = steadyAt(curve);
    assert.ok(at > 0, `tau ${tau}: never steady`);
    assert.ok(curve[at - 1] < 10 * (1 + within), `tau ${tau}: steady after ${at} passes at ${curve[at - 1].toFixed(2)} ms`);
    assert.ok(curve[Math.max(0, at - 8)] > 10 * 1.05, `tau ${tau}: steady after ${at} passes, later than it needed`);
  }
  assert.equal(isSteady(tierUp(80, 5).slice(0, 2)), false, 'fewer than two windows');
});

test('a plateau at the baseline tier lasting two windows reads steady: a limit of any rule that cannot see ahead', () => {
  const plateau = [40, 20, 20, 20, 20, 20, 20, 10, 10, 10];
  assert.equal(steadyAt(plateau), 6);
});

test('flat times are steady after two windows; a slowdown is not warm-up', () => {
  assert.equal(isSteady([10, 10, 10, 10, 10, 10]), true);
  assert.equal(isSteady([10, 10, 10, 14, 14, 14]), true, 'slower is the machine, not warm-up');
  assert.equal(isSteady([10, 10, 10, 8, 8, 8]), false, 'still getting faster');
});

test('warm-up runs each subject until steady, or to its cap; at least warmupIterations passes', async () => {
  const curves = [tierUp(200, 5, 'a'), tierUp(200, 1e9, 'b')];
  const at = [0, 0];
  // Synthetic clocks: each subject reports the next time of its curve as its engine-side sample.
  const subjects = curves.map((c, i) => ({ pass: async () => undefined,
    timeSamples: async () => ({ samplesMs: [c[at[i]++]], clock: 'synthetic', downloadInside: false }) }));
  const [a, b] = await warmUp(subjects, { warmupMs: 600, warmupIterations: 2 }, createRng('w'));
  assert.equal(a.steady, true);
  assert.ok(a.passes >= 12 && a.passes <= 25, `a: ${a.passes} passes`);
  assert.equal(b.steady, true, 'flat from the start (at 3×): steady after two windows');
  assert.equal(b.passes, 6);
  const slow = [{ pass: async () => undefined,
    timeSamples: async () => ({ samplesMs: [500], clock: 'synthetic', downloadInside: false }) }];
  const [c] = await warmUp(slow, { warmupMs: 600, warmupIterations: 2 }, createRng('w'));
  assert.equal(c.passes, 2, 'a pass over the cap still gets its minimum passes');
});
