#!/usr/bin/env node
/**
 * `npm test`: the type check, the lint and the unit tests at once, failing if any fails. Run one after
 * another they took 11 s + 8 s + the unit tests' 190 s here; the unit tests leave about a sixth of the
 * two cores idle (processes waiting on their children, the browser, the disk), which the two static
 * checks fill. Their output is held and printed when each ends, so the unit tests' stays readable.
 * Plain Node (no tsx), like the pretest.
 */
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** `npm run -s <script>`: its exit code, its output held (quiet) or passed through. */
function run(script, quiet) {
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '-s', script], { stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let held = '';
    if (quiet) for (const s of [child.stdout, child.stderr]) s.on('data', (d) => { held += d; });
    child.on('close', (code, signal) => {
      if (quiet) process.stderr.write(`── npm run ${script}: ${code === 0 ? 'ok' : `failed (${signal ?? `exit ${code}`})`}\n${held}`);
      resolve(code ?? 1);
    });
  });
}

const codes = await Promise.all([run('typecheck', true), run('lint', true), run('test:unit', false)]);
process.exit(codes.find((c) => c !== 0) ?? 0);
