/**
 * Test helpers: a small attention layer in PyTorch's convention (W [out, in], y = x·Wᵀ + b), written as
 * files in every naming scheme, format and dtype the loader reads, and a float64 forward pass of
 * nn.MultiheadAttention computed straight from those arrays. Independent of src/: its own writers
 * (safetensors, float16 and bfloat16 encoding) and its own reference.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { dump } from 'npyjs';

export type Dtype = 'F32' | 'F16' | 'BF16' | 'F64';

/** A tensor as a test writes it: values (already representable in `dtype`), shape, dtype. */
export interface Tensor {
  values: number[];
  shape: number[];
  dtype: Dtype;
}

/** PyTorch layout of one layer: W* [out, in] = [D, D] row-major, b* [D]. */
export interface TorchLayer {
  D: number;
  Wq: number[]; Wk: number[]; Wv: number[]; Wo: number[];
  bq: number[]; bk: number[]; bv: number[]; bo: number[];
}

/** float16 bits → value, from the IEEE 754 binary16 definition (normal and subnormal numbers). */
export function halfValue(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1, e = (bits >> 10) & 0x1f, m = bits & 0x3ff;
  return sign * (e === 0 ? 2 ** -14 * (m / 1024) : 2 ** (e - 15) * (1 + m / 1024));
}

/** bfloat16 bits → value: the upper half of a float32. */
export function bfloatValue(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16);
  return view.getFloat32(0);
}

/** A value exactly representable in `dtype`, about N(0, scale²) in size, with its bits for the 16-bit types. */
function drawValue(rand: () => number, dtype: Dtype, scale: number): { value: number; bits?: number } {
  const x = (rand() * 2 - 1) * scale * 1.7;
  if (dtype === 'F32') return { value: Math.fround(x) };
  if (dtype === 'F64') return { value: x };
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  if (dtype === 'BF16') { const bits = view.getUint32(0) >>> 16; return { value: bfloatValue(bits), bits }; }
  const sign = x < 0 ? 0x8000 : 0, e = Math.max(-14, Math.floor(Math.log2(Math.abs(x) || 2 ** -14)));
  const m = Math.min(1023, Math.round((Math.abs(x) / 2 ** e - (e === -14 && Math.abs(x) < 2 ** -14 ? 0 : 1)) * 1024));
  const bits = sign | (Math.abs(x) < 2 ** -14 ? 0 : (e + 15) << 10) | m;
  return { value: halfValue(bits), bits };
}

/** A seeded layer whose every value is representable in `dtype` (so the file holds it exactly). */
export function torchLayer(D: number, dtype: Dtype, seed = 1): TorchLayer & { bits: Record<string, number[]> } {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const bits: Record<string, number[]> = {};
  const draw = (name: string, n: number, scale: number) => {
    const vals = Array.from({ length: n }, () => drawValue(rand, dtype, scale));
    bits[name] = vals.map((v) => v.bits ?? 0);
    return vals.map((v) => v.value);
  };
  const m = (n: string) => draw(n, D * D, 1 / Math.sqrt(D)), b = (n: string) => draw(n, D, 0.1);
  return { D, Wq: m('Wq'), Wk: m('Wk'), Wv: m('Wv'), Wo: m('Wo'), bq: b('bq'), bk: b('bk'), bv: b('bv'), bo: b('bo'), bits };
}

const transpose = (a: number[], rows: number, cols: number) =>
  Array.from({ length: rows * cols }, (_, k) => a[(k % rows) * cols + Math.floor(k / rows)]);

/** GPT-2's c_attn [D, 3D]: q, k, v as column blocks of Wᵀ. */
function columnBlocks(blocks: number[][], D: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < D; i++) for (const b of blocks) out.push(...b.slice(i * D, (i + 1) * D));
  return out;
}

export type SchemeId = 'pytorch-mha' | 'hf-bert' | 'hf-gpt2' | 'attnbench';

/** The layer's tensors under one scheme's names, stored as that framework stores them. */
export function schemeTensors(l: TorchLayer, scheme: SchemeId, dtype: Dtype, prefix = '', biases = true): Record<string, Tensor> {
  const D = l.D, t = (values: number[], shape: number[]): Tensor => ({ values, shape, dtype }), T = (a: number[]) => transpose(a, D, D);
  const named: Record<SchemeId, Record<string, Tensor>> = {
    'pytorch-mha': { in_proj_weight: t([...l.Wq, ...l.Wk, ...l.Wv], [3 * D, D]), 'out_proj.weight': t(l.Wo, [D, D]),
      ...(biases && { in_proj_bias: t([...l.bq, ...l.bk, ...l.bv], [3 * D]), 'out_proj.bias': t(l.bo, [D]) }) },
    'hf-bert': { 'attention.self.query.weight': t(l.Wq, [D, D]), 'attention.self.key.weight': t(l.Wk, [D, D]),
      'attention.self.value.weight': t(l.Wv, [D, D]), 'attention.output.dense.weight': t(l.Wo, [D, D]),
      ...(biases && { 'attention.self.query.bias': t(l.bq, [D]), 'attention.self.key.bias': t(l.bk, [D]),
        'attention.self.value.bias': t(l.bv, [D]), 'attention.output.dense.bias': t(l.bo, [D]) }) },
    'hf-gpt2': { 'attn.c_attn.weight': t(columnBlocks([T(l.Wq), T(l.Wk), T(l.Wv)], D), [D, 3 * D]),
      'attn.c_proj.weight': t(T(l.Wo), [D, D]),
      ...(biases && { 'attn.c_attn.bias': t([...l.bq, ...l.bk, ...l.bv], [3 * D]), 'attn.c_proj.bias': t(l.bo, [D]) }) },
    attnbench: { Wq: t(T(l.Wq), [D, D]), Wk: t(T(l.Wk), [D, D]), Wv: t(T(l.Wv), [D, D]), Wo: t(T(l.Wo), [D, D]),
      ...(biases && { bq: t(l.bq, [D]), bk: t(l.bk, [D]), bv: t(l.bv, [D]), bo: t(l.bo, [D]) }) },
  };
  return Object.fromEntries(Object.entries(named[scheme]).map(([k, v]) => [prefix + k, v]));
}

/** Little-endian bytes of values in a dtype (16-bit types: values must be representable). */
export function tensorBytes(t: Tensor): Uint8Array {
  const n = t.values.length, size = { F32: 4, F64: 8, F16: 2, BF16: 2 }[t.dtype], view = new DataView(new ArrayBuffer(n * size));
  t.values.forEach((v, i) => {
    if (t.dtype === 'F32') view.setFloat32(i * 4, v, true);
    else if (t.dtype === 'F64') view.setFloat64(i * 8, v, true);
    else if (t.dtype === 'BF16') {
      const f = new DataView(new ArrayBuffer(4));
      f.setFloat32(0, v);
      view.setUint16(i * 2, f.getUint32(0) >>> 16, true);
    }
    else view.setUint16(i * 2, halfBits(v), true);
  });
  return new Uint8Array(view.buffer);
}

/** The binary16 bits of a representable value (searching the 65536 patterns once per value is fine for tests). */
const halfCache = new Map<number, number>();
function halfBits(v: number): number {
  for (let b = halfCache.size === 0 ? 0 : 0x7c00; b < 0x7c00; b++) {
    halfCache.set(halfValue(b), b);
    halfCache.set(halfValue(b | 0x8000), b | 0x8000);
  }
  const bits = halfCache.get(v);
  if (bits === undefined) throw new Error(`${v} is not a float16 value`);
  return bits;
}

/** A .safetensors file: 8-byte header length, JSON header, the tensors' bytes in order. */
export function safetensorsBytes(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = tensorBytes(t);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + bytes.length] };
    parts.push(bytes);
    at += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, ...parts]);
}

/** A .npy file (npyjs's writer); F16 as its bit patterns, as numpy's '<f2'. */
export function npyBytes(t: Tensor): Uint8Array {
  const bytes = tensorBytes(t);
  const code = ({ F32: 'f4', F64: 'f8', F16: 'f2' } as const)[t.dtype as 'F32' | 'F64' | 'F16'];
  const typed = t.dtype === 'F16' ? new Uint16Array(bytes.buffer)
    : t.dtype === 'F64' ? new Float64Array(bytes.buffer) : new Float32Array(bytes.buffer);
  return new Uint8Array(dump(typed, t.shape, { dtype: code }));
}

export type Format = 'safetensors' | 'npz' | 'npy folder';

/** Writes the tensors in a format under `dir`; returns the path to give --weights. */
export function writeLayerFile(dir: string, name: string, tensors: Record<string, Tensor>, format: Format): string {
  if (format === 'safetensors') {
    const file = path.join(dir, `${name}.safetensors`);
    writeFileSync(file, safetensorsBytes(tensors));
    return file;
  }
  if (format === 'npz') {
    const file = path.join(dir, `${name}.npz`);
    writeFileSync(file, zipSync(Object.fromEntries(Object.entries(tensors).map(([k, t]) => [`${k}.npy`, npyBytes(t)]))));
    return file;
  }
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  for (const [k, t] of Object.entries(tensors)) writeFileSync(path.join(folder, `${k}.npy`), npyBytes(t));
  return folder;
}

/**
 * nn.MultiheadAttention's forward in float64, straight from PyTorch-layout arrays: q = x·Wqᵀ + bq (k, v
 * alike), heads are contiguous blocks of E = D/H features, softmax(q_h·k_hᵀ/√E)·v_h, then ·Woᵀ + bo.
 * x is [N, D] row-major (one batch entry); returns [N, D].
 */
export function torchAttention(l: TorchLayer, x: ArrayLike<number>, N: number, H: number): Float64Array {
  const D = l.D, E = D / H;
  const lin = (inp: ArrayLike<number>, W: number[], b: number[]) => Float64Array.from({ length: N * D }, (_, k) => {
    const i = Math.floor(k / D), o = k % D;
    let s = b[o];
    for (let c = 0; c < D; c++) s += inp[i * D + c] * W[o * D + c];
    return s;
  });
  const q = lin(x, l.Wq, l.bq), kk = lin(x, l.Wk, l.bk), v = lin(x, l.Wv, l.bv), heads = new Float64Array(N * D);
  for (let h = 0; h < H; h++) {
    for (let i = 0; i < N; i++) {
      const scores = Array.from({ length: N }, (_, j) => {
        let s = 0;
        for (let e = 0; e < E; e++) s += q[i * D + h * E + e] * kk[j * D + h * E + e];
        return s / Math.sqrt(E);
      });
      const max = Math.max(...scores), p = scores.map((s) => Math.exp(s - max)), z = p.reduce((a, b) => a + b, 0);
      for (let e = 0; e < E; e++) heads[i * D + h * E + e] = p.reduce((acc, pj, j) => acc + (pj / z) * v[j * D + h * E + e], 0);
    }
  }
  return lin(heads, l.Wo, l.bo);
}
