#!/usr/bin/env node
/**
 * `npm run bundle`: dist/attnbench/, a copy of attnbench that runs with a bare Node ≥ 20 and no
 * `npm install` (an air-gapped GPU cluster): `node dist/attnbench/attnbench.mjs bench --suite quick`.
 *   attnbench.mjs    every command (src/cli/attnbench.ts), the JavaScript dependencies inlined (esbuild)
 *   worker.mjs       the sweep's worker process (src/run/worker.ts)
 *   bench/*.mjs      the built-in suites
 *   torch-worker.py  the torch engine's Python worker
 *   *.wasm           tfjs-backend-wasm's binaries, found beside the code that loads them
 *   node_modules/    what cannot be inlined: onnxruntime-node (its native library, this platform's
 *                    only) with onnxruntime-common, and the vega builds the report inlines into pages
 * The optional native tfjs backends (tfjs-node, -gpu) are left out: `--engines` says so.
 */
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist', 'attnbench');
const modules = (p) => path.join(ROOT, 'node_modules', p);
const copy = (from, to) => cpSync(from, path.join(OUT, to), { recursive: true });

/** CommonJS dependencies inlined into ES modules still ask for require, __dirname and __filename. */
const BANNER = "import { createRequire as __cr } from 'node:module'; import { fileURLToPath as __fu } from 'node:url'; "
  + "import { dirname as __dn } from 'node:path'; const require = __cr(import.meta.url); "
  + 'const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);';

rmSync(OUT, { recursive: true, force: true });
const suites = readdirSync(path.join(ROOT, 'bench')).filter((f) => f.endsWith('.ts'));
await build({
  entryPoints: [
    { in: path.join(ROOT, 'src/cli/attnbench.ts'), out: 'attnbench' },
    { in: path.join(ROOT, 'src/run/worker.ts'), out: 'worker' },
    // The plain PyTorch yardstick of full, timed the same way (scripts/gpu-check.sh runs it beside the cuda suite).
    { in: path.join(ROOT, 'scripts/peer-torch.ts'), out: 'peer-torch' },
    ...suites.map((f) => ({ in: path.join(ROOT, 'bench', f), out: `bench/${f.slice(0, -3)}` })),
  ],
  outdir: OUT, outExtension: { '.js': '.mjs' }, bundle: true, format: 'esm', platform: 'node', target: 'node20',
  minify: true, legalComments: 'none', logLevel: 'warning', banner: { js: BANNER },
  // esbuild: only the sources compile their worker with it (src/run/compiled-worker.ts); the bundle has worker.mjs.
  external: ['onnxruntime-node', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'playwright-core', 'esbuild'],
});

copy(path.join(ROOT, 'src/engine/torch/worker.py'), 'torch-worker.py');
const wasmDir = modules('@tensorflow/tfjs-backend-wasm/dist');
for (const f of readdirSync(wasmDir).filter((n) => n.endsWith('.wasm'))) copy(path.join(wasmDir, f), f);

const ort = modules('onnxruntime-node'), native = `bin/napi-v6/${process.platform}/${process.arch}`;
for (const p of ['package.json', 'dist', native]) copy(path.join(ort, p), `node_modules/onnxruntime-node/${p}`);
copy(modules('onnxruntime-common'), 'node_modules/onnxruntime-common');
for (const [pkg, files] of [['vega', ['vega.module.js', 'vega.min.js']], ['vega-lite', ['index.js', 'vega-lite.min.js']],
  ['vega-embed', ['embed.js', 'vega-embed.min.js']]]) {
  copy(modules(`${pkg}/package.json`), `node_modules/${pkg}/package.json`);
  for (const f of files) copy(modules(`${pkg}/build/${f}`), `node_modules/${pkg}/build/${f}`);
}
mkdirSync(OUT, { recursive: true });
const entry = path.join(path.relative(process.cwd(), OUT), 'attnbench.mjs');
console.log(`bundle: ${entry} (run: node ${entry} bench --suite quick)`);
