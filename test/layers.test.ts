/**
 * The house's layers point down only (README, Development): a module imports from its own folder,
 * from a lower layer, or from a leaf. This test reads every import statement under src/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, tmpDir } from './cli/helpers.ts';

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
const moduleOf = (src: string, file: string) => path.relative(src, file).split(path.sep)[0].replace(/\.ts$/, '');

/** Every relative import of the file, as [importing module, imported module]. */
function importsOf(src: string, file: string): Array<[string, string]> {
  const specs = [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1]);
  return specs.map((s) => [moduleOf(src, file), moduleOf(src, path.resolve(path.dirname(file), s))]);
}

/** The imports under `src` that go up or sideways, as "file: from → to", and the modules that have no layer. */
export function layerViolations(src: string): { wrong: string[]; unranked: string[] } {
  const files = sourceFiles(src);
  const unranked = [...new Set(files.map((f) => moduleOf(src, f)))].filter((m) => !(m in LAYERS));
  const wrong = files.flatMap((f) => importsOf(src, f).filter(([from, to]) => from !== to && LAYERS[to] >= LAYERS[from])
    .map(([from, to]) => `${path.relative(src, f)}: ${from} → ${to}`)).sort();
  return { wrong, unranked };
}

test('layers point down: no module imports a higher or a sibling layer', () => {
  assert.deepEqual(layerViolations(SRC), { wrong: [], unranked: [] });
});

test('the layer check fails on a planted upward, sideways or unranked import', () => {
  const src = path.join(tmpDir('attnbench-layers-'), 'src');
  const plant = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(src, file)), { recursive: true });
    writeFileSync(path.join(src, file), text);
  };
  plant('cli/bench.ts', "import { runSweep } from '../run/sweep.ts';\n");
  plant('run/sweep.ts', "import { bench } from '../cli/bench.ts';\nimport { x } from './rounds.ts';\n");
  plant('report/index.ts', "const m = await import('../run/sweep.ts');\n");
  plant('engine/onnx/trace.ts', "import type { Variant } from '../../variants/types.ts';\n");
  plant('extra/thing.ts', "import { messages } from '../messages.ts';\n");
  assert.deepEqual(layerViolations(src), {
    wrong: ['engine/onnx/trace.ts: engine → variants', 'report/index.ts: report → run', 'run/sweep.ts: run → cli'],
    unranked: ['extra'],
  });
});
