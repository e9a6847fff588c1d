/**
 * Reads from memory, not from a cache: a process-wide pool of host memory, twice the last-level
 * cache, that a timed pass takes its big input from, the next slot of it each pass (of any rotation:
 * one cursor), so a slot is read again only after the whole pool has been. The bandwidth ceiling's
 * streaming read (ceiling.ts) and a decode step's cache (decode.ts) both take theirs from it, so a
 * step and its roof read alike.
 *
 * Why: a read repeated over one buffer that fits the cache measures the cache. Measured here (Xeon,
 * 260 MiB L3, 2 cores; ORT ReduceSum, median of 60): 32 MiB read at 32 GB/s from one buffer and at
 * 15 GB/s rotating over ten; 128 and 512 MiB at 12–14 GB/s either way. A model's KV cache (one per
 * layer) outgrows any cache, so memory is a decode step's roof.
 *
 * Only engines that read a replaced host input where it lies (Capabilities.wrapsHostInputs, on a host
 * device) rotate: elsewhere a replaced input would be copied or uploaded inside the timed pass.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { EngineInfo } from '../engine/types.ts';
import { createRng, repeatedNormals } from '../linalg/rng.ts';

/** Twice the last-level cache as sysfs gives it, bytes; 512 MiB where it gives none. */
export function rotationBytes(sysfs = '/sys/devices/system/cpu/cpu0/cache'): number {
  let last = { level: 0, bytes: 0 };
  try {
    for (const index of readdirSync(sysfs).filter((d) => /^index\d+$/.test(d))) {
      const level = Number(readFileSync(`${sysfs}/${index}/level`, 'utf8'));
      const size = /^(\d+)([KMG]?)/.exec(readFileSync(`${sysfs}/${index}/size`, 'utf8').trim());
      const bytes = size ? Number(size[1]) * 1024 ** ' KMG'.indexOf(size[2] || ' ') : 0;
      if (level > last.level) last = { level, bytes };
    }
  } catch {
    // no sysfs (not Linux): the default below
  }
  return last.bytes > 0 ? 2 * last.bytes : 512 * 2 ** 20;
}

/**
 * Slots at most: a working set below rotationBytes / MAX_SLOTS (0.5 MiB here) rotates over less than
 * the pool, and is read from a cache; its time is then not its bytes' anyway.
 */
const MAX_SLOTS = 1024;

/** Seeded normal values, one block repeated over the pool (a step's time does not depend on them). */
const BLOCK = 2 ** 20;

let pool: Float32Array | undefined;

/** The pool, at least `floats` long (up to rotationBytes): it grows on demand, so a run of tiny cases holds little. */
function thePool(floats: number): Float32Array {
  const want = Math.min(Math.ceil(floats / BLOCK), Math.floor(rotationBytes() / 4 / BLOCK)) * BLOCK;
  if (!pool || pool.length < want) {
    pool = repeatedNormals(createRng('rotation'), want, BLOCK);
  }
  return pool;
}

/** Whether passes on this engine take their big inputs from the pool. */
export const rotates = (info: Pick<EngineInfo, 'device' | 'capabilities'>): boolean =>
  info.device === 'cpu' && info.capabilities?.wrapsHostInputs === true;

/** Rotation over the pool for inputs of these element counts: each call of `next` gives the next slot's views. */
export interface Rotation {
  slots: number;
  /** The pool's bytes the slots cover. */
  bytes: number;
  next(): Float32Array[];
}

/**
 * Where the next pass of any rotation starts, in floats: one cursor for the process, so the subjects
 * of a round, taking turns, read consecutive slots. A cursor per rotation gave every subject with a
 * cache of the same size the same slot in the same block, so all but the first read it from the
 * last-level cache: measured (session 7, onnx/cpu, 8k, 8 K/V heads, seven configurations) steps
 * then beat the streaming read that reads from memory (full attention at 116 % of its ideal step).
 */
let cursor = 0;

/** A rotation for inputs of these element counts; undefined when one slot would not fit the pool (it is beyond the cache anyway). */
export function rotation(sizes: readonly number[]): Rotation | undefined {
  const slot = sizes.reduce((a, b) => a + b, 0);
  if (slot > rotationBytes() / 4) return undefined;
  const p = thePool(slot * MAX_SLOTS);
  if (slot > p.length) return undefined;
  const slots = Math.max(1, Math.min(MAX_SLOTS, Math.floor(p.length / slot))), span = slots * slot;
  return {
    slots, bytes: 4 * span,
    next() {
      let offset = cursor + slot <= span ? cursor : 0;
      cursor = offset + slot;
      return sizes.map((n) => p.subarray(offset, (offset += n)));
    },
  };
}
