import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { familyOf, sampleLoad } from '../../src/run/load.ts';

test('the run\'s family: its roots and every descendant, nothing else', () => {
  const states = new Map([[11, { ppid: 10 }], [12, { ppid: 11 }], [13, { ppid: 1 }], [14, { ppid: 13 }], [15, { ppid: 12 }]]);
  assert.deepEqual([...familyOf([10], states)].sort(), [10, 11, 12, 15]);
  assert.deepEqual([...familyOf([13], states)].sort(), [13, 14]);
});

// A busy loop is always in state R (running or waiting for a core), so every sample must see it, as the run's or beyond it.
// Started through a shell that exits at once, the loop is an orphan: no descendant of this process.
test('one pass over /proc: a busy process named as the run\'s is its own load; the same process unnamed is load beyond the run',
  { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
    const started = spawnSync('sh', ['-c', 'node -e "for(;;){}" >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' });
    const pid = Number(started.stdout.trim());
    try {
      await sleep(300);
      for (let i = 0; i < 5; i++) {
        const mine = sampleLoad([pid]), stranger = sampleLoad([]);
        assert.ok(mine.own! >= 1, `as the run's: ${JSON.stringify(mine)}`);
        assert.ok(stranger.runnable! - stranger.own! >= 1, `as a stranger: ${JSON.stringify(stranger)}`);
        await sleep(50);
      }
    } finally {
      process.kill(pid, 'SIGKILL');
    }
  });
