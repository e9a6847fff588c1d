/**
 * Named tensors from a file, as float32: a `.safetensors` file, a `.npz` archive, or a folder of `.npy` files.
 *
 * Readers: npyjs parses `.npy` (its header, and f2 → float32), fflate unzips `.npz` (np.savez stores its
 * entries, np.savez_compressed deflates them: both read). npm has no maintained safetensors reader for Node,
 * so that format is read here; it is small: an 8-byte little-endian header length N, N bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {…} }` (offsets into the bytes after
 * the header), then the raw little-endian tensor bytes (huggingface/safetensors, README "Format").
 *
 * Headers are read on open, tensor bytes only when asked (`read`): a plan needs the shapes only. Every
 * inconsistency (a truncated file, offsets outside it, a byte count that does not match the shape, an
 * unknown dtype, Fortran order) is a UserError naming the file and the tensor: never a wrong load.
 */
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { float16ToFloat32, parse as parseNpy, type NpyArray } from 'npyjs';
import { UserError, messages } from '../messages.ts';

/** Element types read, each converted to float32 (the dtype is recorded in run.json). */
export const TENSOR_DTYPES = ['F32', 'F16', 'BF16', 'F64'] as const;
export type TensorDtype = (typeof TENSOR_DTYPES)[number];
const BYTES: Record<TensorDtype, number> = { F32: 4, F16: 2, BF16: 2, F64: 8 };
/** .npy dtype codes (after the byte-order mark) → ours; numpy has no bfloat16. */
const NPY_DTYPES: Record<string, TensorDtype> = { f4: 'F32', f2: 'F16', f8: 'F64' };

export interface TensorEntry {
  dtype: TensorDtype;
  shape: number[];
}

export interface TensorFile {
  path: string;
  format: 'safetensors' | 'npz' | 'npy folder';
  entries: Map<string, TensorEntry>;
  /** The tensor's elements as float32, row-major. */
  read(name: string): Float32Array;
}

const count = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Opens a weights file or folder; the format follows from the name (a folder holds .npy files). */
export function openTensorFile(file: string): TensorFile {
  if (!existsSync(file)) throw new UserError(messages.weightsMissing(file));
  if (statSync(file).isDirectory()) return openNpyFolder(file);
  if (file.endsWith('.safetensors')) return openSafetensors(file);
  if (file.endsWith('.npz')) return openNpz(file);
  throw new UserError(messages.weightsFormat(file));
}

/** Little-endian bytes of one tensor → float32 (float16 by npyjs's converter, bfloat16 is float32's upper half). */
export function toFloat32(bytes: Uint8Array, dtype: TensorDtype): Float32Array {
  const own = new Uint8Array(bytes).buffer; // a copy: aligned, and never a view into a larger buffer (Buffer.slice is one)
  if (dtype === 'F32') return new Float32Array(own);
  if (dtype === 'F64') return Float32Array.from(new Float64Array(own));
  const halves = new Uint16Array(own);
  if (dtype === 'F16') return Float32Array.from(halves, float16ToFloat32);
  return new Float32Array(Uint32Array.from(halves, (h) => h << 16).buffer);
}

function openSafetensors(file: string): TensorFile {
  const size = statSync(file).size;
  const bad = (why: string) => new UserError(messages.badWeightsFile(file, 'safetensors', why));
  if (size < 8) throw bad(`${size} bytes: shorter than the 8-byte header length`);
  const fd = openSync(file, 'r');
  try {
    const lengthBytes = Buffer.alloc(8);
    readSync(fd, lengthBytes, 0, 8, 0);
    const headerLength = Number(lengthBytes.readBigUInt64LE(0));
    if (headerLength > size - 8) throw bad(`header length ${headerLength} exceeds the file's ${size} bytes (truncated?)`);
    const headerBytes = Buffer.alloc(headerLength);
    readSync(fd, headerBytes, 0, headerLength, 8);
    const entries = safetensorsEntries(headerBytes.toString('utf8'), size - 8 - headerLength, bad);
    const dataStart = 8 + headerLength;
    return { path: file, format: 'safetensors', entries: new Map([...entries].map(([n, e]) => [n, e.entry])),
      read: (name) => {
        const e = entries.get(name)!;
        const bytes = Buffer.alloc(e.end - e.begin), at = openSync(file, 'r');
        try { readSync(at, bytes, 0, bytes.length, dataStart + e.begin); } finally { closeSync(at); }
        return toFloat32(bytes, e.entry.dtype);
      } };
  } finally {
    closeSync(fd);
  }
}

function safetensorsEntries(json: string, dataBytes: number, bad: (why: string) => UserError) {
  let header: Record<string, { dtype?: unknown; shape?: unknown; data_offsets?: unknown }>;
  try {
    header = JSON.parse(json);
  } catch (e) {
    throw bad(`header is not JSON (${(e as Error).message})`);
  }
  const entries = new Map<string, { entry: TensorEntry; begin: number; end: number }>();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const shape = t.shape, offsets = t.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw bad(`tensor ${name}: shape is not a list of sizes`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2) throw bad(`tensor ${name}: data_offsets is not [begin, end]`);
    const dtype = t.dtype as TensorDtype;
    if (!TENSOR_DTYPES.includes(dtype)) throw new UserError(messages.weightsDtype(name, String(t.dtype), TENSOR_DTYPES));
    const [begin, end] = offsets as number[], want = count(shape) * BYTES[dtype];
    if (end - begin !== want) throw bad(`tensor ${name}: ${end - begin} bytes for shape [${shape}] of ${dtype} (${want} expected)`);
    if (begin < 0 || end > dataBytes) {
      throw bad(`tensor ${name}: bytes ${begin}…${end} lie beyond the file's ${dataBytes} data bytes (truncated?)`);
    }
    entries.set(name, { entry: { dtype, shape }, begin, end });
  }
  return entries;
}

/** One parsed .npy as a tensor, or why it cannot be one. */
function npyTensor(array: NpyArray, where: string, name: string, flag = '--weights'): TensorEntry {
  const bad = (why: string) => new UserError(messages.badWeightsFile(where, '.npy', `${name}: ${why}`, flag));
  const dtype = NPY_DTYPES[array.dtype];
  if (!dtype) throw new UserError(messages.weightsDtype(name, array.dtype, Object.keys(NPY_DTYPES), flag));
  if (array.fortranOrder) throw bad('stored in Fortran order; save it with np.ascontiguousarray');
  return { dtype, shape: array.shape };
}

function parseNpyBytes(bytes: Uint8Array, where: string, name: string, flag = '--weights'): NpyArray {
  try {
    return parseNpy(new Uint8Array(bytes).buffer);
  } catch (e) {
    throw new UserError(messages.badWeightsFile(where, '.npy', `${name}: ${(e as Error).message}`, flag));
  }
}

/** One whole .npy file as float32 (an input of `npm run attend`); `flag` names the option in errors. */
export function openNpy(file: string, flag: string): TensorEntry & { data: Float32Array } {
  if (!existsSync(file) || statSync(file).isDirectory()) throw new UserError(messages.npyMissing(flag, file));
  const name = path.basename(file), array = parseNpyBytes(readFileSync(file), file, name, flag);
  const entry = npyTensor(array, file, name, flag), data = array.data as Float32Array | Float64Array;
  if (data.length !== count(entry.shape)) {
    throw new UserError(messages.badWeightsFile(file, '.npy', `${data.length} elements for shape [${entry.shape}]`, flag));
  }
  return { ...entry, data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

function openNpz(file: string): TensorFile {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(readFileSync(file));
  } catch (e) {
    throw new UserError(messages.badWeightsFile(file, 'npz (zip)', (e as Error).message));
  }
  const arrays = new Map<string, { entry: TensorEntry; data: Float32Array }>();
  for (const [entryName, bytes] of Object.entries(files)) {
    if (!entryName.endsWith('.npy')) continue;
    const name = entryName.slice(0, -4), array = parseNpyBytes(bytes, file, name), entry = npyTensor(array, file, name);
    const data = array.data as Float32Array | Float64Array;
    if (data.length !== count(entry.shape)) {
      throw new UserError(messages.badWeightsFile(file, '.npy', `${name}: ${data.length} elements for shape [${entry.shape}]`));
    }
    arrays.set(name, { entry, data: data instanceof Float32Array ? data : Float32Array.from(data) });
  }
  return { path: file, format: 'npz', entries: new Map([...arrays].map(([n, a]) => [n, a.entry])), read: (n) => arrays.get(n)!.data };
}

/** A .npy file's header only (its data is not read): magic, version, header length, then the header dict. */
function npyHeader(file: string): { array: NpyArray; dataStart: number } {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(12);
    const got = readSync(fd, head, 0, 12, 0);
    const v1 = head[6] === 1;
    const headerLength = got < 12 ? 0 : v1 ? head.readUInt16LE(8) : head.readUInt32LE(8);
    const dataStart = (v1 ? 10 : 12) + headerLength;
    const bytes = Buffer.alloc(Math.min(dataStart, statSync(file).size));
    readSync(fd, bytes, 0, bytes.length, 0);
    return { array: parseNpyBytes(bytes, file, path.basename(file, '.npy')), dataStart };
  } finally {
    closeSync(fd);
  }
}

function openNpyFolder(dir: string): TensorFile {
  const entries = new Map<string, TensorEntry>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.npy')).sort()) {
    const file = path.join(dir, f), name = f.slice(0, -4), { array, dataStart } = npyHeader(file);
    const entry = npyTensor(array, file, name), size = statSync(file).size;
    const want = dataStart + count(entry.shape) * BYTES[entry.dtype];
    const why = `${size} bytes for shape [${entry.shape}] (${want} expected)`;
    if (size !== want) throw new UserError(messages.badWeightsFile(file, '.npy', why));
    entries.set(name, entry);
  }
  if (entries.size === 0) throw new UserError(messages.weightsFormat(dir));
  return { path: dir, format: 'npy folder', entries, read: (name) => {
    const file = path.join(dir, `${name}.npy`), { dataStart } = npyHeader(file);
    return toFloat32(readFileSync(file).subarray(dataStart), entries.get(name)!.dtype);
  } };
}
