/**
 * Reports are reproducible (issue 20, point 5): a line records its variant's role and sameGraphAs,
 * and the report reads them from the line, so a run whose variants were since renamed or removed
 * from the registry still gives the same findings and checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { comparisons } from '../../src/report/findings.ts';
import { checkInvariants } from '../../src/report/invariants.ts';
import type { ResultLine } from '../../src/results/types.ts';
import { getVariant } from '../../src/variants/index.ts';
import { fixtureRun } from './fixtures.ts';

/** The fixture run as the code that measured it recorded it: each line's role and twin. */
const recorded = (lines: ResultLine[]) => lines.map((l) => {
  const v = getVariant(l.variant)!, twin = v.sameGraphAs?.(l.options as never);
  return { ...l, role: v.role, ...(twin && { sameGraphAs: `old-${twin}` }) };
});

test('findings and checks come from the roles the run recorded, not from the live registry', () => {
  const lines = recorded(fixtureRun());
  const renamed = lines.map((l) => ({ ...l, variant: `old-${l.variant}` }));
  assert.ok(renamed.every((l) => getVariant(l.variant) === undefined), 'no line\'s variant is in the registry any more');
  const texts = (ls: ResultLine[]) => comparisons(ls).map((f) => f.text);
  assert.ok(texts(lines).length > 0);
  assert.deepEqual(texts(renamed), texts(lines));
  assert.deepEqual(checkInvariants(renamed).map((v) => v.check), checkInvariants(lines).map((v) => v.check));
  const merged = renamed.find((l) => l.sameGraphAs);
  assert.ok(merged, 'the fixture has a configuration that runs another\'s graph');
});
