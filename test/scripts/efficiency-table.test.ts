/** scripts/efficiency-table.ts pairs each variant with full attention of its own comparison group, not by name and N alone. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, tmpDir } from '../cli/helpers.ts';
import { okLine, writeRun } from '../report/fixtures.ts';

test('a run of two widths: each SVD line is compared with full attention at its own width', () => {
  const wide = { batch: 1, seqLen: 128, dModel: 128, heads: 4 };
  const lines = [
    okLine({ median: 2 }), okLine({ variant: 'svd', label: 'SVD r=16', median: 1 }),
    okLine({ median: 8, extra: { caseId: 'full|wide', shape: wide } }),
    okLine({ variant: 'svd', label: 'SVD r=16', median: 2, extra: { caseId: 'svd|wide', shape: wide } }),
  ];
  const dir = writeRun(path.join(tmpDir(), 'run'), lines);
  const r = spawnSync('npx', ['tsx', 'scripts/efficiency-table.ts', dir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const speedups = r.stdout.split('\n').filter((l) => l.includes('SVD r=16')).map((l) => l.split('│').map((c) => c.trim())[5]);
  assert.deepEqual(speedups, ['2.00', '4.00'], 'D=64: 2 ms / 1 ms; D=128: 8 ms / 2 ms (by name and N alone, both would pair one full)');
});
