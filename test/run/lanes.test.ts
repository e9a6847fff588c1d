/** Duet lanes of a round (src/run/lanes.ts): how many, which groups, at most that many jobs at once, and the wall covered by spans. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { coveredSeconds, inLanes, laneCount, runsInLane } from '../../src/run/lanes.ts';
import type { Case } from '../../src/results/types.ts';

test('lanes: the suite\'s number, at most one per core, at least one', () => {
  assert.equal(laneCount(2, 2), 2);
  assert.equal(laneCount(2, 1), 1);
  assert.equal(laneCount(4, 16), 4);
  assert.equal(laneCount(1, 16), 1);
});

test('only a single-threaded engine\'s groups run in lanes', () => {
  const c = (singleThreaded?: boolean) => ({ engine: { capabilities: { gradients: true, memorySource: '', singleThreaded } } }) as Case;
  assert.deepEqual([c(true), c(false), c()].map(runsInLane), [true, false, false]);
});

test('inLanes runs each job once, at most `lanes` at once, each lane taking the next job when free', async () => {
  let running = 0, most = 0;
  const ran: Array<[number, number]> = [];
  const durations = [30, 5, 5, 5, 20, 5];
  await inLanes(durations.map((ms, i) => ({ ms, i })), 2, async ({ ms, i }, lane) => {
    most = Math.max(most, ++running);
    await new Promise((r) => setTimeout(r, ms));
    running--;
    ran.push([i, lane]);
  });
  assert.equal(most, 2);
  assert.deepEqual(ran.map(([i]) => i).sort(), [0, 1, 2, 3, 4, 5]);
  // Job 0 (30 ms) holds lane 0 while lane 1 takes 1, 2, 3 and 4: the queue goes to whichever lane is free.
  assert.deepEqual(ran.filter(([, lane]) => lane === 1).map(([i]) => i).slice(0, 3), [1, 2, 3]);
});

test('inLanes stops taking jobs once stop() says so; one lane runs the jobs in order', async () => {
  const ran: number[] = [];
  await inLanes([1, 2, 3, 4], 1, async (j) => { ran.push(j); }, () => ran.length >= 2);
  assert.deepEqual(ran, [1, 2]);
  const all: number[] = [];
  await inLanes([], 2, async (j: number) => { all.push(j); });
  assert.deepEqual(all, []);
});

test('covered seconds: overlapping spans count once, gaps not at all, empty spans nothing', () => {
  assert.equal(coveredSeconds([]), 0);
  assert.equal(coveredSeconds([[0, 1000], [500, 1500], [3000, 3500], [3100, 3200], [4000, 4000]]), 2);
  assert.equal(coveredSeconds([[2000, 3000], [0, 1000]]), 2);
});
