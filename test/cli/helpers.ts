import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run <script> -- args` in the project root, as a user would. */
export function npmRun(script: string, args: string[], timeoutMs = 120_000, env: NodeJS.ProcessEnv = {}): Ran {
  const r = spawnSync('npm', ['run', '--silent', script, '--', ...args], { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout,
    stderr: r.stderr.split('\n').filter((l) => !/Unknown project config|npm help npmrc/.test(l)).join('\n') };
}

export function tmpDir(prefix = 'attnbench-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}
