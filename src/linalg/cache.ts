/**
 * A disk cache for deterministic arrays that take seconds to compute and that several case
 * processes of a run need (spectrum base weights, the float64 full-attention reference). It holds
 * exactly what `build` returns; the key must name everything the result depends on.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CACHE_DIR = path.join(os.tmpdir(), 'attnbench-cache');

type Kind = Float32ArrayConstructor | Float64ArrayConstructor;

export function cachedArray<K extends Kind>(kind: K, key: string, build: () => InstanceType<K>): InstanceType<K> {
  const file = path.join(CACHE_DIR, `${digest(key)}.${kind === Float32Array ? 'f32' : 'f64'}`);
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
