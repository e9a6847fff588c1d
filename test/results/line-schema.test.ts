/** The results line schema as the one source of the lists other code used to keep by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inference, train } from '../../src/modes/index.ts';
import { LINE_BASE_FIELDS, lineProblem } from '../../src/results/line-schema.ts';
import { baseOf } from '../../src/results/lines.ts';
import { okLine } from '../report/fixtures.ts';

test('the fields every line has come from the schema, and baseOf keeps exactly those that are set', () => {
  assert.deepEqual([...LINE_BASE_FIELDS], ['schema', 'runId', 'caseId', 'mode', 'variant', 'options', 'label', 'role', 'sameGraphAs',
    'engine', 'backend', 'device', 'shape', 'params', 'flops', 'notEfficient', 'timing', 'finishedAt', 'shard']);
  const line = { ...okLine({ seqLen: 64 }), role: 'baseline' as const, shard: { index: 1, count: 2, machine: 'm' } };
  const base = baseOf(line);
  assert.deepEqual(Object.keys(base), ['schema', 'runId', 'caseId', 'mode', 'variant', 'options', 'label', 'role', 'engine', 'backend',
    'device', 'shape', 'params', 'flops', 'timing', 'finishedAt', 'shard']);
  assert.equal(lineProblem({ ...base, status: 'error', reason: 'r' }), undefined, 'a base and a reason make a failed line');
});

test('a mode\'s own line fields are read from its line schema', () => {
  assert.deepEqual(inference.lineFields, ['gflops', 'memory', 'accuracy']);
  assert.deepEqual(train.lineFields, ['train', 'memory']);
});
