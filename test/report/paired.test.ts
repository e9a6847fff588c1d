/**
 * The verdict logic under noise, on synthetic samples whose truth is known: identical
 * distributions, a real 20 % difference, a slow spell injected into some rounds of one case, and
 * the interval's coverage of the true ratio.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, type Rng } from '../../src/linalg/rng.ts';
import { median, medianInterval, pairedRatio, roundsInterval, verdictOf } from '../../src/report/paired.ts';

/** `n` samples of a log-normal latency around `center` ms with relative noise `sigma`, ascending. */
function samples(rng: Rng, n: number, center: number, sigma: number): number[] {
  return Array.from({ length: n }, () => center * Math.exp(sigma * rng.normal())).sort((a, b) => a - b);
}

/** R rounds of a case; `spell(r)` multiplies round r's latencies (a busy machine). */
function rounds(rng: Rng, R: number, n: number, center: number, sigma: number, spell: (r: number) => number = () => 1) {
  return Array.from({ length: R }, (_, i) => ({ round: i + 1, samplesMs: samples(rng, n, center * spell(i + 1), sigma) }));
}

test('identical distributions: no measurable difference, the interval holding 1, for every seed', () => {
  for (let seed = 0; seed < 20; seed++) {
    const rng = createRng(`same:${seed}`);
    const p = pairedRatio(rounds(rng, 5, 40, 10, 0.1), rounds(rng, 5, 40, 10, 0.1), `s${seed}`)!;
    assert.equal(verdictOf(p), 'no measurable difference', `seed ${seed}: ${p.ratio} ${p.ci}`);
    assert.ok(p.ci[0] <= 1 && p.ci[1] >= 1, `seed ${seed}: ${p.ci}`);
  }
});

test('a real 20 % difference with tight samples: slower, and faster the other way round', () => {
  const rng = createRng('twenty');
  const slow = rounds(rng, 3, 30, 12, 0.01), fast = rounds(rng, 3, 30, 10, 0.01);
  const p = pairedRatio(slow, fast)!;
  assert.equal(verdictOf(p), 'slower');
  assert.ok(Math.abs(p.ratio - 1.2) < 0.01 && p.ci[0] > 1.18 && p.ci[1] < 1.22, `${p.ratio} ${p.ci}`);
  assert.equal(verdictOf(pairedRatio(fast, slow)!), 'faster');
  assert.equal(p.rounds, 3);
});

test('a slow spell in some rounds of one case: the median over rounds ignores it', () => {
  const rng = createRng('spell');
  const spell = (r: number) => (r === 2 ? 2.5 : 1); // round 2 of the subject ran while the machine was busy
  const same = pairedRatio(rounds(rng, 5, 30, 10, 0.05, spell), rounds(rng, 5, 30, 10, 0.05))!;
  assert.equal(verdictOf(same), 'no measurable difference', `${same.ratio} ${same.ci}`);
  assert.ok(Math.abs(same.ratio - 1) < 0.05, `${same.ratio}`);
  const real = pairedRatio(rounds(rng, 5, 30, 12, 0.02, spell), rounds(rng, 5, 30, 10, 0.02))!;
  assert.notEqual(verdictOf(real), 'faster', `${real.ratio} ${real.ci}`);
  assert.ok(Math.abs(real.ratio - 1.2) < 0.02 && real.ci[0] <= 1.2 && real.ci[1] >= 1.2, 'the estimate ignores the spell');
  const quiet = pairedRatio(rounds(rng, 5, 30, 12, 0.02), rounds(rng, 5, 30, 10, 0.02))!;
  assert.equal(verdictOf(quiet), 'slower', 'without the spell the same difference is measured');
  const whole = pairedRatio(rounds(rng, 5, 30, 10, 0.05, () => 1.8), rounds(rng, 5, 30, 10, 0.05, () => 1.8))!;
  assert.equal(verdictOf(whole), 'no measurable difference', 'a spell over whole rounds hits both cases of the pair');
});

test('the 95 % interval covers the true ratio in most trials', () => {
  let covered = 0;
  const trials = 60;
  for (let t = 0; t < trials; t++) {
    const rng = createRng(`cover:${t}`);
    const p = pairedRatio(rounds(rng, 5, 25, 13, 0.15), rounds(rng, 5, 25, 10, 0.15), `c${t}`)!;
    if (p.ci[0] <= 1.3 && 1.3 <= p.ci[1]) covered++;
  }
  assert.ok(covered / trials >= 0.85, `covered ${covered} of ${trials}`);
});

test('an effect under the 5 % minimum is no measurable difference, however tight', () => {
  const rng = createRng('small');
  const p = pairedRatio(rounds(rng, 3, 50, 10.3, 0.002), rounds(rng, 3, 50, 10, 0.002))!;
  assert.ok(p.ci[0] > 1, 'the interval excludes 1');
  assert.equal(verdictOf(p), 'no measurable difference');
});

test('rounds pair by index; none in common is no comparison; lines without rounds are one round', () => {
  const a = [{ round: 1, samplesMs: [1, 1, 1] }, { round: 3, samplesMs: [4, 4, 4] }];
  assert.deepEqual(pairedRatio(a, [{ round: 3, samplesMs: [2, 2, 2] }])!.perRound, [2]);
  assert.equal(pairedRatio(a, [{ round: 2, samplesMs: [1] }]), undefined);
  assert.equal(median([3, 1, 2, 10]), 2.5);
  assert.deepEqual(medianInterval([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), [3, 10]);
});

test('between rounds: Student\'s t on the log ratios widens the interval when rounds disagree, and only then', () => {
  const [lo, hi] = roundsInterval([1.04, 1.08, 1.24])!;
  assert.ok(lo < 1 && hi > 1.24, `${lo} ${hi}`);
  const agree = roundsInterval([0.66, 0.67, 0.65])!;
  assert.ok(agree[1] < 0.7 && agree[0] > 0.62, `${agree}`);
  assert.equal(roundsInterval([1.1]), undefined, 'one round: no between-round interval');
  const rng = createRng('disagree');
  const s = [1.04, 1.08, 1.24].map((k, i) => ({ round: i + 1, samplesMs: samples(rng, 30, 10 * k, 0.005) }));
  const b = [1, 2, 3].map((round) => ({ round, samplesMs: samples(rng, 30, 10, 0.005) }));
  assert.equal(verdictOf(pairedRatio(s, b)!), 'no measurable difference', 'three tight rounds that disagree do not make a finding');
});
