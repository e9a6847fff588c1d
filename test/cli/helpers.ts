import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
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

/**
 * Runs a command as `npm run <command> -- args` does (package.json's scripts are
 * `node src/cli/launch.mjs <command>`, which test/cli/bench-e2e.test.ts checks), without npm's
 * launcher process: about 0.3 s of CPU less a call.
 */
export function cliRun(command: string, args: string[], timeoutMs = 120_000, env: NodeJS.ProcessEnv = {}): Ran {
  const r = spawnSync(process.execPath, ['src/cli/launch.mjs', command, ...args], { cwd: ROOT, encoding: 'utf8',
    timeout: timeoutMs, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** cliRun without blocking this process: runs that wait on other processes (interpreters starting) overlap. */
export function cliRunAsync(command: string, args: string[], timeoutMs = 120_000, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['src/cli/launch.mjs', command, ...args], { cwd: ROOT, encoding: 'utf8',
      timeout: timeoutMs, env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', ...env } },
    (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout, stderr }));
  });
}

const made: string[] = [];
// A test process leaves no folder behind: npm test made about 60 of them a run, kept forever in /tmp.
process.on('exit', () => { for (const dir of made) rmSync(dir, { recursive: true, force: true }); });

/** A new folder under the system's temporary folder, removed when this test process exits. */
export function tmpDir(prefix = 'attnbench-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/**
 * A command run in this process, as `npm run` would print it: its stdout and stderr captured, an
 * error that ends it worded by the command line's own error boundary (errorOutcome). For input the
 * parsers reject, where a spawned `npm run` would spend its time starting node and tsx.
 */
export async function runInProcess(command: (argv: string[]) => Promise<number>, args: string[]): Promise<Ran> {
  const { errorOutcome } = await import('../../src/cli/format.ts');
  const out: string[] = [], err: string[] = [];
  const { log, error } = console;
  console.log = (...xs: unknown[]) => { out.push(xs.join(' ')); };
  console.error = (...xs: unknown[]) => { err.push(xs.join(' ')); };
  try {
    const code = await command(args);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } catch (e) {
    const { code, text } = errorOutcome(e);
    return { code, stdout: out.join('\n'), stderr: [...err, ...(text === undefined ? [] : [String(text)])].join('\n') };
  } finally {
    Object.assign(console, { log, error });
  }
}
