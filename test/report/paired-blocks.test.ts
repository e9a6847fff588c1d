/**
 * The block-paired estimator (paired.ts, rounds sampled by measure/group-round.ts) on synthetic
 * data whose truth is known: per process, a factor shared by both cases (thread placement), a drift
 * through the round (both cases slow down 30 % from the first block to the last), a slow spell
 * (blocks 20–29 run 2.5× slower for both), and per-sample log-normal noise. The interval must
 * cover the true ratio, and the verdict must not call a difference where there is none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, type Rng } from '../../src/linalg/rng.ts';
import { pairedRatio, verdictOf } from '../../src/report/paired.ts';

interface World { R: number; blocks: number; sigma: number; processSd: number; drift: number; spell: boolean; caseSd?: number }

/** R rounds of a subject (true ratio `ratio`) and its baseline, sampled in shared blocks. */
function pairedRounds(rng: Rng, w: World, ratio: number) {
  const subject = [], baseline = [];
  for (let r = 1; r <= w.R; r++) {
    const shared = Math.exp(w.processSd * rng.normal()), own = Math.exp((w.caseSd ?? 0) * rng.normal());
    const s: number[] = [], b: number[] = [];
    for (let k = 0; k < w.blocks; k++) {
      const moment = shared * (1 + (w.drift * k) / w.blocks) * (w.spell && k >= 20 && k < 30 ? 2.5 : 1);
      s.push(10 * ratio * own * moment * Math.exp(w.sigma * rng.normal()));
      b.push(10 * moment * Math.exp(w.sigma * rng.normal()));
    }
    subject.push({ round: r, samplesMs: s, pairedBlocks: true });
    baseline.push({ round: r, samplesMs: b, pairedBlocks: true });
  }
  return { subject, baseline };
}

const WORLD: World = { R: 3, blocks: 40, sigma: 0.08, processSd: 0.2, drift: 0.3, spell: true };

test('drift, a slow spell and process-to-process factors shared by both cases: the interval covers the truth', () => {
  for (const truth of [1, 1.2, 0.7]) {
    let covered = 0, wrong = 0;
    const trials = 80;
    for (let t = 0; t < trials; t++) {
      const { subject, baseline } = pairedRounds(createRng(`blocks:${truth}:${t}`), WORLD, truth);
      const p = pairedRatio(subject, baseline, `b${t}`)!;
      if (p.ci[0] <= truth && truth <= p.ci[1]) covered++;
      const v = verdictOf(p);
      if ((truth === 1 && v !== 'no measurable difference') || (truth > 1 && v === 'faster') || (truth < 1 && v === 'slower')) wrong++;
    }
    assert.ok(covered / trials >= 0.9, `true ratio ${truth}: covered ${covered} of ${trials}`);
    assert.equal(wrong, 0, `true ratio ${truth}: ${wrong} wrong verdicts`);
  }
});

test('pairing by block narrows the interval: the same samples unpaired are far wider', () => {
  const { subject, baseline } = pairedRounds(createRng('narrow'), WORLD, 1);
  const paired = pairedRatio(subject, baseline)!;
  const unblock = (rs: typeof subject) => rs.map((r) => ({ ...r, pairedBlocks: undefined }));
  const unpaired = pairedRatio(unblock(subject), unblock(baseline))!;
  const width = (p: typeof paired) => p.ci[1] / p.ci[0] - 1;
  assert.ok(width(paired) < 0.1, `paired width ${width(paired)}`);
  assert.ok(width(unpaired) > 2 * width(paired), `unpaired ${width(unpaired)} vs paired ${width(paired)}`);
  assert.equal(verdictOf(paired), 'no measurable difference');
});

test('a difference between processes that is the subject\'s own stays in the interval (t over rounds)', () => {
  let covered = 0;
  const trials = 60;
  for (let t = 0; t < trials; t++) {
    const { subject, baseline } = pairedRounds(createRng(`own:${t}`), { ...WORLD, caseSd: 0.05 }, 1);
    const p = pairedRatio(subject, baseline, `o${t}`)!;
    if (p.ci[0] <= 1 && 1 <= p.ci[1]) covered++;
  }
  assert.ok(covered / trials >= 0.9, `covered ${covered} of ${trials}`);
});

test('a real 20 % difference under drift and a spell is measured as slower', () => {
  const { subject, baseline } = pairedRounds(createRng('real'), { ...WORLD, sigma: 0.03 }, 1.2);
  const p = pairedRatio(subject, baseline)!;
  assert.equal(verdictOf(p), 'slower', `${p.ratio} ${p.ci}`);
  assert.ok(Math.abs(p.ratio - 1.2) < 0.03, `${p.ratio}`);
});
