/**
 * The house's layers point down only (README, Development): a module imports from its own folder,
 * from a lower layer, or from a leaf. This test reads every import statement under src/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli/helpers.ts';

/** Rank of each top-level module of src/: an import must go to a strictly lower rank (or stay in its folder). */
export const LAYERS: Record<string, number> = {
  messages: 0, results: 1, engine: 2, linalg: 3, variants: 4, measure: 5, modes: 6, run: 7, report: 7, cli: 8, index: 9,
};

const SRC = path.join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []);
}

/** `engine` for src/engine/onnx/trace.ts, `messages` for src/messages.ts. */
const moduleOf = (file: string) => path.relative(SRC, file).split(path.sep)[0].replace(/\.ts$/, '');

/** Every relative import of the file, as [importing module, imported module]. */
function importsOf(file: string): Array<[string, string]> {
  const specs = [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]);
  return specs.map((s) => [moduleOf(file), moduleOf(path.resolve(path.dirname(file), s))]);
}

test('layers point down: no module imports a higher or a sibling layer', () => {
  const files = sourceFiles(SRC);
  const modules = new Set(files.map(moduleOf));
  assert.deepEqual([...modules].filter((m) => !(m in LAYERS)), [], 'every module of src/ has a layer');
  const wrong = files.flatMap((f) => importsOf(f).filter(([from, to]) => from !== to && LAYERS[to] >= LAYERS[from])
    .map(([from, to]) => `${path.relative(ROOT, f)}: ${from} → ${to}`));
  assert.deepEqual(wrong, []);
});

test('the layer check catches an upward import', () => {
  const upward: Array<[string, string]> = [['run', 'cli'], ['report', 'run'], ['linalg', 'variants'], ['results', 'engine']];
  assert.ok(upward.every(([from, to]) => LAYERS[to] >= LAYERS[from]));
  assert.ok(importsOf(path.join(SRC, 'cli', 'bench.ts')).some(([, to]) => to === 'run'), 'imports are read');
});
