/**
 * A disk cache for deterministic arrays that take seconds to compute and that several case
 * processes of a run need (spectrum base weights, SVD factors, the float64 full-attention
 * reference). It holds exactly what `build` returns; the key must name every input the result
 * depends on, and the code that computes it is in the key too: `codeVersion` hashes the sources of
 * src/linalg/ and src/variants/, so a change to the spectrum, SVD or reference code never reads an
 * array the old code wrote.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CACHE_DIR } from '../results/cache-dir.ts';

/** The folders of src/ whose code computes the cached arrays. */
const CODE_DIRS = ['linalg', 'variants'];
const SRC = path.resolve(import.meta.dirname, '..');

let ownVersion: string | undefined;

/** A hash of the sources under `src`'s CODE_DIRS (this checkout's: computed once per process). */
export function codeVersion(src = SRC): string {
  if (src === SRC && ownVersion !== undefined) return ownVersion;
  // In the bundle (scripts/bundle.mjs) the sources are not there: the bundled file, which holds them all, is the code.
  if (src === SRC && !existsSync(path.join(src, CODE_DIRS[0]))) return (ownVersion = digest(readFileSync(import.meta.filename, 'utf8')));
  const files = CODE_DIRS.flatMap((d) => readdirSync(path.join(src, d), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts')).map((f) => path.join(d, f))).sort();
  const version = digest(...files.flatMap((f) => [f, readFileSync(path.join(src, f), 'utf8')]));
  if (src === SRC) ownVersion = version;
  return version;
}

type Kind = Float32ArrayConstructor | Float64ArrayConstructor;

export function cachedArray<K extends Kind>(kind: K, key: string, build: () => InstanceType<K>,
  version = codeVersion()): InstanceType<K> {
  const file = path.join(CACHE_DIR, `${digest(version, key)}.${kind === Float32Array ? 'f32' : 'f64'}`);
  if (existsSync(file)) {
    // A small Buffer is a view into Node's shared pool: copy exactly its bytes, aligned.
    const bytes = readFileSync(file);
    return new kind(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as InstanceType<K>;
  }
  const value = build();
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.from(value.buffer, value.byteOffset, value.byteLength));
  renameSync(tmp, file); // atomic: a concurrent reader sees the whole file or none
  return value;
}

/** A short content hash, for keys over large arrays. */
export function digest(...parts: Array<string | ArrayBufferView>): string {
  const h = createHash('sha1');
  for (const p of parts) h.update(typeof p === 'string' ? p : new Uint8Array(p.buffer, p.byteOffset, p.byteLength));
  return h.digest('hex');
}
