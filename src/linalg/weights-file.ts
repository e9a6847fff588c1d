/**
 * The base weights of one attention layer from a file (tensor-file.ts reads it), in this project's
 * convention: y = x·W + b with W [D_in, D_out] (src/variants/mha.ts `linear`).
 *
 * Naming schemes, tried in this order; names are after the layer prefix (`--weights-prefix`):
 *
 * | scheme        | tensors                                                              | stored as        |
 * |---------------|----------------------------------------------------------------------|------------------|
 * | pytorch-mha   | in_proj_weight [3D, D], in_proj_bias [3D], out_proj.weight [D, D], out_proj.bias [D] | [out, in]: transposed |
 * | hf-bert       | attention.self.{query,key,value}.{weight,bias}, attention.output.dense.{weight,bias} | [out, in]: transposed |
 * | hf-gpt2       | attn.c_attn.weight [D, 3D], attn.c_attn.bias [3D], attn.c_proj.weight [D, D], attn.c_proj.bias | [in, out] (Conv1D) |
 * | hf-llama      | {q,k,v,o}_proj.weight, {q,k,v,o}_proj.bias (Llama, Mistral; biases optional) | [out, in]: transposed |
 * | attnbench     | Wq, bq, Wk, bk, Wv, bv, Wo, bo                                        | [in, out]        |
 *
 * PyTorch's nn.Linear and nn.MultiheadAttention store W as [out, in] and compute x·Wᵀ; the packed
 * in_proj_weight holds q, k, v as row blocks, GPT-2's c_attn as column blocks. Biases: all of a scheme's,
 * or none (a layer built with bias=False: zeros, recorded as `biases: false`); some without the others is
 * an error. D comes from the file; heads split D into contiguous blocks of E = D/H, as PyTorch, BERT and
 * GPT-2 all do. Llama's k_proj and v_proj may be narrower than D: [Dkv, D] with Dkv = kvHeads·E
 * (grouped-query attention; the layer's kvHeads is Dkv / E). Llama's rotary position embedding is
 * not part of the layer read here: attnbench's layers take positions as they come (no RoPE).
 */
import { UserError, messages } from '../messages.ts';
import type { HostTensor } from '../engine/ops.ts';
import type { WeightsFileFacts } from '../results/types.ts';
import { openTensorFile, type TensorFile } from './tensor-file.ts';
import type { BaseWeights } from './weights.ts';

export type SchemeId = 'pytorch-mha' | 'hf-bert' | 'hf-gpt2' | 'hf-llama' | 'attnbench';

/** How one base weight is cut from a stored tensor: rows or columns [from, from + D), transposed or not. */
interface Source {
  tensor: string;
  /** Expected stored shape, given D and the K/V width Dkv. */
  shape: (D: number, Dkv: number) => number[];
  /** Which block of D rows (PyTorch's packed in_proj) or columns (GPT-2's c_attn) to take. */
  block?: { axis: 'rows' | 'columns'; index: number };
  transpose: boolean;
}

interface Scheme {
  id: SchemeId;
  title: string;
  /** The tensor whose presence identifies the scheme, and D read from its shape. */
  marker: string;
  dModelOf: (shape: number[]) => number;
  /** The tensor whose rows are the K/V width Dkv (grouped-query layers); absent: Dkv = D. */
  kvMarker?: string;
  weights: Record<'Wq' | 'Wk' | 'Wv' | 'Wo', Source>;
  biases: Record<'bq' | 'bk' | 'bv' | 'bo', Source>;
}

const square = (D: number) => [D, D];
const vector = (D: number) => [D];
const kvRows = (D: number, Dkv: number) => [Dkv, D];
const kvVector = (_D: number, Dkv: number) => [Dkv];
const packed = (tensor: string, shape: (D: number) => number[], axis: 'rows' | 'columns', transpose: boolean) =>
  (index: number): Source => ({ tensor, shape, block: { axis, index }, transpose });
const plain = (tensor: string, shape: (D: number, Dkv: number) => number[], transpose = false): Source => ({ tensor, shape, transpose });

const inProj = packed('in_proj_weight', (D) => [3 * D, D], 'rows', true);
const inBias = packed('in_proj_bias', (D) => [3 * D], 'rows', false);
const cAttn = packed('attn.c_attn.weight', (D) => [D, 3 * D], 'columns', false);
const cBias = packed('attn.c_attn.bias', (D) => [3 * D], 'rows', false);
const bert = (p: string) => `attention.self.${p}`;

export const SCHEMES: readonly Scheme[] = [
  { id: 'pytorch-mha', title: 'PyTorch nn.MultiheadAttention', marker: 'in_proj_weight', dModelOf: (s) => s[1],
    weights: { Wq: inProj(0), Wk: inProj(1), Wv: inProj(2), Wo: plain('out_proj.weight', square, true) },
    biases: { bq: inBias(0), bk: inBias(1), bv: inBias(2), bo: plain('out_proj.bias', vector) } },
  { id: 'hf-bert', title: 'Hugging Face BERT', marker: bert('query.weight'), dModelOf: (s) => s[0],
    weights: { Wq: plain(bert('query.weight'), square, true), Wk: plain(bert('key.weight'), square, true),
      Wv: plain(bert('value.weight'), square, true), Wo: plain('attention.output.dense.weight', square, true) },
    biases: { bq: plain(bert('query.bias'), vector), bk: plain(bert('key.bias'), vector), bv: plain(bert('value.bias'), vector),
      bo: plain('attention.output.dense.bias', vector) } },
  { id: 'hf-gpt2', title: 'Hugging Face GPT-2 (Conv1D)', marker: 'attn.c_attn.weight', dModelOf: (s) => s[0],
    weights: { Wq: cAttn(0), Wk: cAttn(1), Wv: cAttn(2), Wo: plain('attn.c_proj.weight', square) },
    biases: { bq: cBias(0), bk: cBias(1), bv: cBias(2), bo: plain('attn.c_proj.bias', vector) } },
  { id: 'hf-llama', title: 'Hugging Face Llama (q_proj, k_proj, v_proj, o_proj)', marker: 'q_proj.weight', dModelOf: (s) => s[1],
    kvMarker: 'k_proj.weight',
    weights: { Wq: plain('q_proj.weight', square, true), Wk: plain('k_proj.weight', kvRows, true),
      Wv: plain('v_proj.weight', kvRows, true), Wo: plain('o_proj.weight', square, true) },
    biases: { bq: plain('q_proj.bias', vector), bk: plain('k_proj.bias', kvVector), bv: plain('v_proj.bias', kvVector),
      bo: plain('o_proj.bias', vector) } },
  { id: 'attnbench', title: 'attnbench', marker: 'Wq', dModelOf: (s) => s[0],
    weights: { Wq: plain('Wq', square), Wk: plain('Wk', square), Wv: plain('Wv', square), Wo: plain('Wo', square) },
    biases: { bq: plain('bq', vector), bk: plain('bk', vector), bv: plain('bv', vector), bo: plain('bo', vector) } },
];

/** What the header of a weights file says about its layer: enough to plan, without reading weights. */
export interface LayerLayout {
  file: TensorFile;
  scheme: Scheme;
  prefix: string;
  dModel: number;
  /** Width of the K and V projections, kvHeads·E (D for a multi-head layer). */
  kvWidth: number;
  /** Whether the file holds biases (else zeros). */
  biases: boolean;
}

/** Finds the layer in a file: its scheme, prefix (given, or the only one the file holds), D, and checks every tensor's shape. */
export function layoutOf(file: TensorFile, prefix = ''): LayerLayout {
  const names = [...file.entries.keys()];
  const scheme = SCHEMES.find((s) => file.entries.has(prefix + s.marker)) ?? (prefix === '' ? undefined : noLayer(file, prefix));
  if (!scheme) {
    const candidates = SCHEMES.flatMap((s) => names.filter((n) => n.endsWith(`.${s.marker}`)).map((n) => n.slice(0, -s.marker.length)));
    if (candidates.length === 1) return layoutOf(file, candidates[0]);
    if (candidates.length > 1) throw new UserError(messages.weightsManyLayers(file.path, candidates));
    return noLayer(file, prefix);
  }
  const dModel = scheme.dModelOf(file.entries.get(prefix + scheme.marker)!.shape);
  const kvWidth = scheme.kvMarker === undefined ? dModel : file.entries.get(prefix + scheme.kvMarker)?.shape[0] ?? dModel;
  const check = (key: string, src: Source) => {
    const entry = file.entries.get(prefix + src.tensor), want = src.shape(dModel, kvWidth);
    if (!entry) throw new UserError(messages.weightsTensorMissing(file.path, prefix + src.tensor, key, scheme.title));
    if (entry.shape.join() !== want.join()) {
      throw new UserError(messages.weightsTensorShape(file.path, prefix + src.tensor, entry.shape, want, dModel, prefix + scheme.marker));
    }
  };
  Object.entries(scheme.weights).forEach(([k, src]) => check(k, src));
  const biasSources = Object.entries(scheme.biases);
  const present = biasSources.filter(([, src]) => file.entries.has(prefix + src.tensor));
  if (present.length > 0) biasSources.forEach(([k, src]) => check(k, src));
  return { file, scheme, prefix, dModel, kvWidth, biases: present.length > 0 };
}

function noLayer(file: TensorFile, prefix: string): never {
  throw new UserError(messages.weightsNoLayer(file.path, prefix, SCHEMES.map((s) => `${s.marker} (${s.title})`), [...file.entries.keys()]));
}

/** Reads the layout's tensors and cuts them into the base weights, x·W convention. */
export function readBaseWeights(layout: LayerLayout): BaseWeights {
  const D = layout.dModel, Dkv = layout.kvWidth, cache = new Map<string, Float32Array>();
  const take = (src: Source, out: number): HostTensor => {
    const name = layout.prefix + src.tensor;
    if (!cache.has(name)) cache.set(name, layout.file.read(name));
    const stored = layout.file.entries.get(name)!.shape;
    return { data: cut(cache.get(name)!, stored, src, D, out), shape: stored.length === 1 ? [out] : [D, out] };
  };
  const w = layout.scheme.weights, b = layout.scheme.biases, width = (k: string) => (k === 'bk' || k === 'bv' ? Dkv : D);
  const zeros = (n: number): HostTensor => ({ data: new Float32Array(n), shape: [n] });
  const bias = (k: keyof Scheme['biases']) => (layout.biases ? take(b[k], width(k)) : zeros(width(k)));
  return { Wq: take(w.Wq, D), bq: bias('bq'), Wk: take(w.Wk, Dkv), bk: bias('bk'), Wv: take(w.Wv, Dkv), bv: bias('bv'),
    Wo: take(w.Wo, D), bo: bias('bo') };
}

/**
 * One D×out block (or out-vector) of a stored tensor, as x·W [in D, out]: stored [out, in] is
 * transposed, [in, out] taken as it is; packed tensors hold blocks of D (multi-head layers only).
 */
function cut(data: Float32Array, shape: number[], src: Source, D: number, out: number): Float32Array {
  if (shape.length === 1) return data.slice((src.block?.index ?? 0) * out, ((src.block?.index ?? 0) + 1) * out);
  const cols = shape[1], rowOffset = src.block?.axis === 'rows' ? src.block.index * D : 0;
  const colOffset = src.block?.axis === 'columns' ? src.block.index * D : 0;
  const w = new Float32Array(D * out);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < out; j++) {
      w[i * out + j] = src.transpose ? data[(rowOffset + j) * cols + colOffset + i] : data[(rowOffset + i) * cols + colOffset + j];
    }
  }
  return w;
}

/** The facts run.json records about a layer, less its hash and spectrum (weights-record.ts adds them). */
export function layoutFacts(l: LayerLayout): Omit<WeightsFileFacts, 'sha256' | 'spectrum'> {
  const used = [...Object.values(l.scheme.weights), ...(l.biases ? Object.values(l.scheme.biases) : [])].map((s) => l.prefix + s.tensor);
  const dtypes = [...new Set(used.map((n) => l.file.entries.get(n)!.dtype))].sort();
  return { basename: l.file.path.split(/[\\/]/).filter(Boolean).pop()!, format: l.file.format, scheme: l.scheme.id,
    prefix: l.prefix, dModel: l.dModel, ...(l.kvWidth !== l.dModel && { kvWidth: l.kvWidth }), dtypes, biases: l.biases };
}

/** The K/V heads of the layer at `heads` query heads: Dkv / E, which must divide heads. */
export function layoutKvHeads(l: LayerLayout, heads: number): number {
  const E = l.dModel / heads, kvHeads = l.kvWidth / E;
  if (!Number.isInteger(kvHeads) || heads % kvHeads !== 0) throw new UserError(messages.kvWidthMismatch(l.kvWidth, E, kvHeads));
  return kvHeads;
}

/** Opens a weights file and finds its layer (headers only). */
export function inspectWeightsFile(file: string, prefix = ''): LayerLayout {
  return layoutOf(openTensorFile(file), prefix);
}

const loaded = new Map<string, BaseWeights>();

/** The base weights in a file, read once per process (every case of a worker shares them). */
export function loadWeightsFile(file: string, prefix = ''): BaseWeights {
  const key = `${prefix}\0${file}`;
  if (!loaded.has(key)) loaded.set(key, readBaseWeights(inspectWeightsFile(file, prefix)));
  return loaded.get(key)!;
}
