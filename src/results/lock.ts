/**
 * One writer per run folder: a lock file holding the writer's pid, created exclusively. A lock
 * left by a process that no longer exists (killed with -9, a crashed machine) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError, messages } from '../messages.ts';

export const LOCK_FILE = '.lock';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function holder(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the run folder's lock for this process, or exits 2 if a live process holds it; returns its release. */
export function lockRunDir(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      const release = () => { if (holder(file) === process.pid) rmSync(file, { force: true }); };
      process.once('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = holder(file);
      if (pid !== undefined && pid !== process.pid && alive(pid)) throw new UserError(messages.runFolderInUse(dir, pid));
      rmSync(file, { force: true }); // stale: its writer is gone
    }
  }
  throw new UserError(messages.runFolderInUse(dir, holder(file) ?? 0));
}
