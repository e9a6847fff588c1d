/** The final table of `npm run bench`: grouped by engine, mode and shape, no rule between rows, within 100 columns. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summaryTable } from '../../src/cli/format.ts';
import { failedLine, fixtureRun, SEQ } from '../report/fixtures.ts';

const lines = [...fixtureRun(), failedLine({ variant: 'full', label: 'full attention', engine: 'tfjs', seqLen: 4096, status: 'skipped',
  reason: 'its analytic memory (2.1 GiB) exceeds --max-memory 1024 MiB: raise --max-memory or drop N=4096' })];
const table = summaryTable(lines).split('\n');

test('the final table fits 100 columns and draws no rule between rows', () => {
  const wide = table.filter((row) => [...row].length > 100);
  assert.deepEqual(wide, []);
  assert.deepEqual(table.filter((row) => /^[─┼├┤┌┐└┘┬┴│+\- ]+$/.test(row)), []);
  assert.ok(table.length < lines.length + 2 * 12, `${table.length} rows for ${lines.length} cases`);
});

test('one group per engine and N, engines in order and N ascending, each case under its group', () => {
  const titles = table.filter((row) => row.startsWith('── '));
  const expected = ['onnx/cpu', 'tfjs/wasm'].flatMap((e) => [...SEQ, e === 'tfjs/wasm' ? 4096 : 2048]
    .map((n) => `── ${e} · inference · N=${n}`));
  assert.deepEqual(titles, expected);
  for (const l of lines) {
    const title = table.indexOf(`── ${l.engine}/${l.backend} · inference · N=${l.shape.seqLen}`);
    const next = table.findIndex((row, i) => i > title && row.startsWith('── '));
    const rows = table.slice(title + 1, next === -1 ? undefined : next);
    assert.ok(rows.some((row) => row.startsWith(l.label.slice(0, 30))), `${l.caseId} under its title`);
  }
  assert.ok(table.some((row) => /^full attention +skipped: its analytic/.test(row)), 'a skipped case says why');
});
