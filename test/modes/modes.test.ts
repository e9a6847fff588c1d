/**
 * The mode registry (src/modes): a mode registered from outside the project's files — a test's
 * (fixtures/counted-mode.ts) — is planned, run in the sweep's worker processes and reported, with
 * no other file touched; and no code outside src/modes compares mode names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { runSuite } from '../../src/index.ts';
import { modeNames, modeOf, registerMode } from '../../src/modes/index.ts';
import { REPORT_FILE } from '../../src/results/store.ts';
import { ROOT, tmpDir } from '../cli/helpers.ts';
import { CHECK_CALLS, counted } from './fixtures/counted-mode.ts';

test('a mode registered from a test is planned, run in worker processes and reported', async () => {
  assert.ok(modeNames().includes('counted'));
  const out = tmpDir('attnbench-mode-');
  const { lines } = await runSuite({ name: 'modes', variants: ['full', 'lora'], seqLen: [16], dModel: 16, heads: 2,
    engines: ['tfjs/cpu'], modes: ['inference', 'counted'],
    timing: { rounds: 1, timeMs: 20, warmupMs: 5, warmupIterations: 1, minSamples: 3, targetRme: 50 } }, { out, ceilings: false });
  const byId = new Map(lines.map((l) => [l.caseId, l]));
  assert.equal(lines.length, 4);
  const mine = byId.get('full attention|tfjs/cpu|B1N16D16H2|counted');
  assert.ok(mine && mine.status === 'ok', JSON.stringify(mine));
  assert.deepEqual((mine as unknown as { counted: { calls: number } }).counted.calls, CHECK_CALLS);
  assert.ok(mine.latencyMs.samples >= 3 && mine.timing.clock === 'performance.now' && mine.timing.downloadInside);
  const lora = lines.find((l) => l.mode === counted.name && l.variant === 'lora');
  assert.equal(lora?.status, 'skipped');
  assert.match(lora?.status === 'skipped' ? lora.reason : '', /^mode counted runs full attention only, not lora$/);
  assert.equal(byId.get('full attention|tfjs/cpu|B1N16D16H2')?.status, 'ok', 'the inference case beside it');
  const html = readFileSync(path.join(out, REPORT_FILE), 'utf8');
  assert.match(html, /<section id="mode-counted"><h2>Mode counted: a forward pass through a stateful session/);
  assert.match(html, /1 case\(s\) counted their calls in the session&#39;s state|1 case\(s\) counted their calls in the session's state/);
  assert.match(html, /One sample is one call of a stateful session \(a forward pass and a counter\) \(counted\)/);
});

test('a mode name is taken once; an unknown one is named with the known ones', () => {
  assert.throws(() => registerMode({ ...counted }, import.meta.url), /a mode named 'counted' is already registered/);
  assert.throws(() => modeOf('decode-x'), /unknown mode 'decode-x' \(known: inference, train, decode, counted\)/);
});

/** Every file under src/ but the mode registry's own. */
function sourcesOutsideModes(dir = path.join(ROOT, 'src')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'modes' ? [] : sourcesOutsideModes(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

test('no code outside src/modes compares a mode name', () => {
  const names = [...modeNames(), 'decode'].join('|');
  const comparison = new RegExp(`mode\\s*(!==|===)\\s*'(${names})'|'(${names})'\\s*(!==|===)\\s*[\\w.]*mode\\b`);
  const compared = sourcesOutsideModes().flatMap((f) => readFileSync(f, 'utf8').split('\n')
    .map((line, i) => [`${path.relative(ROOT, f)}:${i + 1}`, line] as const)
    .filter(([, line]) => comparison.test(line)).map(([where]) => where));
  assert.deepEqual(compared, []);
});
