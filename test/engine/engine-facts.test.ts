/**
 * Engine facts stay in engines (src/engine/): the report, the messages and the command line name no
 * engine in their code and import no engine's own module; engines give notices, settings checks
 * and capabilities through the registry, and the report renders them as they come.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkEngineSettings, engineNotices } from '../../src/engine/resolve.ts';
import { onnxSessionConfig, onnxSpinning, onnxSpinningSetting, SPIN_ENV } from '../../src/engine/onnx/session.ts';
import { KERNEL_ENV } from '../../src/engine/tfjs-kernels.ts';
import { UserError } from '../../src/messages.ts';
import { renderReport } from '../../src/report/index.ts';
import { ROOT } from '../cli/helpers.ts';
import { fixtureMeta, fixtureRun } from '../report/fixtures.ts';

const SRC = path.join(ROOT, 'src');
const filesUnder = (dir: string): string[] => readdirSync(path.join(SRC, dir), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.ts')).map((f) => path.join(dir, f));
/** The code of a file without its comments (doc comments may name engines as examples). */
const code = (file: string) => readFileSync(path.join(SRC, file), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');


/** checkEngineSettings refuses `name=value` with one user error naming it; the variable is put back after. */
function refusedSetting(name: string, value: string): void {
  const before = process.env[name];
  process.env[name] = value;
  try {
    assert.throws(checkEngineSettings, (e: unknown) => e instanceof UserError && e.message.includes(`${name}='${value}'`));
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

test('no module outside src/engine/ imports an engine\'s own files; the report and the messages name no engine', () => {
  const outside = ['cli', 'linalg', 'measure', 'report', 'results', 'run', 'variants'].flatMap(filesUnder);
  const importers = outside.filter((f) => /from '[./]*engine\/(tfjs|onnx)/.test(code(f)));
  assert.deepEqual(importers, []);
  const naming = [...filesUnder('report'), 'messages.ts'].filter((f) => /\b(tfjs|onnx)\b|ATTNBENCH_/.test(code(f)));
  assert.deepEqual(naming, []);
});

test('an engine\'s notice reaches the report\'s top through the registry; its settings are checked before any engine starts', async () => {
  const forced = { product: '[1,4,64,16]·[1,4,16,64]', kernel: 'loop' as const, loopMs: null, batchedMs: null, source: 'forced' as const };
  const lines = fixtureRun().map((l) => (l.status === 'ok' && l.engine === 'tfjs' ? { ...l, kernels: [forced] } : l));
  const [notice] = engineNotices(lines);
  assert.match(notice, new RegExp(`^\\d+ case\\(s\\) ran every batched product on the loop kernel, forced by ${KERNEL_ENV}`));
  assert.ok((await renderReport(lines, fixtureMeta())).includes(`<p class="notice">${notice}</p>`));
  refusedSetting(KERNEL_ENV, 'fastest');
});

test('onnx sessions: decode steps spin within a run by default, other programs never; 1 spins always, 0 never; else one line', () => {
  assert.deepEqual(onnxSessionConfig({}, true),
    { intra_op: { allow_spinning: '1' }, force_spinning_stop: '1', set_denormal_as_zero: '1' });
  assert.deepEqual(onnxSessionConfig({}), { intra_op: { allow_spinning: '0' }, set_denormal_as_zero: '1' });
  assert.deepEqual([onnxSpinningSetting({}), onnxSpinningSetting({ [SPIN_ENV]: '1' })],
    ['within a run for decode steps, off otherwise', 'on']);
  assert.deepEqual(onnxSessionConfig({ [SPIN_ENV]: '1' }, true), { intra_op: { allow_spinning: '1' }, set_denormal_as_zero: '1' });
  assert.deepEqual(onnxSessionConfig({ [SPIN_ENV]: '1' }), { intra_op: { allow_spinning: '1' }, set_denormal_as_zero: '1' });
  assert.deepEqual(onnxSessionConfig({ [SPIN_ENV]: '0' }), { intra_op: { allow_spinning: '0' }, set_denormal_as_zero: '1' });
  assert.deepEqual([onnxSpinning({}, true), onnxSpinning({}), onnxSpinning({ [SPIN_ENV]: '1' }), onnxSpinning({ [SPIN_ENV]: '0' }, true)],
    ['within a run', 'off', 'on', 'off']);
  refusedSetting(SPIN_ENV, 'yes');
});
