#!/usr/bin/env node
/**
 * `npm test`'s pretest: the browser tests need Debian's headless Chromium (chromium-headless-shell,
 * driven by playwright-core; never a downloaded browser). If it is missing at its default path and
 * this is root on a machine with apt-get, it is installed with apt; otherwise this stops with one
 * line saying exactly what to run. A browser test that cannot run is a failure, never a skip.
 * ATTNBENCH_CHROMIUM names another binary (then nothing is installed).
 * Plain Node (no tsx): it runs before anything else of the project.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

const DEFAULT = '/usr/bin/chromium-headless-shell';
const PACKAGE = 'chromium-headless-shell';
const chosen = process.env.ATTNBENCH_CHROMIUM;
const binary = chosen ?? DEFAULT;

const executable = (file) => {
  try { accessSync(file, constants.X_OK); return true; } catch { return false; }
};
const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const fail = (text) => { console.error(`attnbench: ${text}`); process.exit(1); };

if (executable(binary)) process.exit(0);
if (chosen !== undefined) {
  fail(`ATTNBENCH_CHROMIUM=${chosen} is not an executable file: point it at a chromium-headless-shell binary, `
    + `or unset it to use ${DEFAULT} (apt-get install -y ${PACKAGE})`);
}
const root = process.getuid?.() === 0;
if (!root || !onPath('apt-get')) {
  fail(`the browser tests need ${DEFAULT}: run \`sudo apt-get install -y ${PACKAGE}\` (Debian/Ubuntu), `
    + 'or set ATTNBENCH_CHROMIUM to a chromium-headless-shell binary, then npm test again');
}
console.error(`attnbench: installing ${PACKAGE} with apt-get for the browser tests (npm test's pretest)`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
for (const args of [['update', '-qq'], ['install', '-y', '-qq', PACKAGE]]) {
  const r = spawnSync('apt-get', args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) fail(`apt-get ${args.join(' ')} failed (exit ${r.status}): install ${PACKAGE} by hand, then npm test again`);
}
if (!executable(DEFAULT)) fail(`apt-get installed ${PACKAGE}, yet ${DEFAULT} is missing: install it by hand, then npm test again`);
