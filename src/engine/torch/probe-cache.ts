/**
 * The torch probe's answer kept on disk, keyed by what it depends on, so that a command or worker
 * that lists the engines does not import torch again each time: `import torch` costs about 2.5 s of
 * CPU here (1.5 s user, 1 s system), and `npm test` started 26 probes, a third of its CPU.
 *
 * The key is everything the answer depends on that can be read without importing torch: the
 * interpreter as given (ATTNBENCH_PYTHON, so a wrapper or stub is its own entry), what it resolves to
 * and its version, where torch's package is and its __init__'s size and mtime (a reinstall or upgrade
 * changes them), the NVIDIA driver's version file, the environment that selects devices and threads,
 * the CPU count, and worker.py's source (the probe's code). The interpreter tells the first part in a
 * 30 ms start (FINGERPRINT); where it cannot (a wrapper that takes over `-c`), nothing is kept and
 * the probe runs as before.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CACHE_DIR } from '../../results/cache-dir.ts';
import { writeFileAtomic } from '../../results/store.ts';

const FINGERPRINT = [
  'import importlib.util, json, os, sys',
  's = importlib.util.find_spec("torch")',
  'f = s.origin if s else None',
  'st = os.stat(f) if f else None',
  'd = "/proc/driver/nvidia/version"',
  'print(json.dumps(["attnbench-torch-fingerprint", os.path.realpath(sys.executable), sys.version, f,',
  '  st and [st.st_mtime_ns, st.st_size], open(d).read() if os.path.exists(d) else None]))',
].join('\n');

/** The environment variables that change which devices and how many threads the probe sees. */
const ENV_KEYS = ['CUDA_VISIBLE_DEVICES', 'NVIDIA_VISIBLE_DEVICES', 'CUDA_DEVICE_ORDER', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'];

/** The interpreter's fingerprint line, or undefined where it does not print one. */
function fingerprint(python: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(python, ['-c', FINGERPRINT], { timeout: 30_000 }, (err, stdout) => {
      const line = stdout?.trim().split('\n').at(-1) ?? '';
      resolve(!err && line.startsWith('["attnbench-torch-fingerprint"') ? line : undefined);
    });
  });
}

/** The cache file of this interpreter and environment, or undefined where no key can be made. */
export async function probeCacheFile(python: string, workerScript: string, dir = CACHE_DIR): Promise<string | undefined> {
  const print = await fingerprint(python);
  if (print === undefined) return undefined;
  const h = createHash('sha256').update(python).update('\0').update(print).update('\0')
    .update(readFileSync(workerScript)).update('\0').update(String(os.availableParallelism()));
  for (const k of ENV_KEYS) h.update('\0').update(`${k}=${process.env[k] ?? ''}`);
  return path.join(dir, `torch-probe-${h.digest('hex').slice(0, 24)}.json`);
}

/**
 * The probe's answer for `python`: read from the cache when this key has one, else `run()`, kept when
 * it found torch (`ok`). A failed probe is not kept: it may be a moment's failure (a timeout), and
 * one without torch costs no torch import to ask again.
 */
export async function cachedProbe<T extends { ok: boolean }>(python: string, workerScript: string, run: () => Promise<T>,
  dir = CACHE_DIR): Promise<T> {
  const file = await probeCacheFile(python, workerScript, dir);
  if (file && existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
  const answer = await run();
  if (file && answer.ok) {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(file, JSON.stringify(answer));
  }
  return answer;
}
