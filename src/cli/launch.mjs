#!/usr/bin/env node
/**
 * What `npm run bench | report | compare | merge | attend` runs: `node src/cli/launch.mjs <command> …`,
 * the commands' entry (attnbench.ts, the bundle's too) compiled from the sources once per code version
 * (run/compile-sources.mjs) and loaded as plain JavaScript. Under tsx's loader, which had run the
 * commands, each start spent about 0.6 s more CPU here resolving and transforming ~120 modules
 * (`bench --help`: 1.3 s of CPU under tsx, 0.65 s compiled). Where node_modules/.cache cannot be
 * written, the sources run under tsx: the same code, slower to start.
 * Plain JavaScript: it runs before anything can load TypeScript.
 */
import { pathToFileURL } from 'node:url';
import { compiledEntry } from '../run/compile-sources.mjs';

const compiled = await compiledEntry('cli', 'cli/attnbench.ts');
if (compiled) await import(pathToFileURL(compiled).href);
else await (await import('tsx/esm/api')).tsImport('./attnbench.ts', import.meta.url);
