/**
 * A shape-only run of a forward pass: every op computes its output shape, shape-checked, and
 * nothing else, and every matrix product is recorded (a fused attention kernel as its two
 * products). Tests check each variant's FLOP formula
 * against the products its forward really issues, and that no sparse variant builds an N×N score
 * matrix, without depending on any engine. The shape rules here are also the ONNX tracer's.
 */
import { sizeOf, type Ops } from './ops.ts';
import type { ForwardFn } from './types.ts';

/** One matrix product a forward issues: [...batch, m, k] × [k, n], 2·batch·m·k·n FLOPs. */
export interface MatMulRecord {
  batch: number;
  m: number;
  k: number;
  n: number;
}

/** A product as the forward issued it: the operands' shapes and transposes, beside its record. */
export interface ProductRecord extends MatMulRecord {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

/** A tensor known by its shape alone. */
export interface Shaped {
  shape: number[];
}

/** NumPy broadcasting of two shapes; throws when they do not broadcast. */
export function broadcast(a: number[], b: number[]): number[] {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1, db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast [${a}] with [${b}]`);
    out.push(Math.max(da, db));
  }
  return out;
}

/** The permutation of `rank` axes that swaps the last two (a transposed matMul operand). */
export function swapLastPerm(rank: number): number[] {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/** Shape of a · b for a [..., m, k] and b [..., k, n] (transposes already applied), and its record. */
export function matMulShape(a: number[], b: number[]): { shape: number[]; record: MatMulRecord } {
  const [m, k] = a.slice(-2), n = b[b.length - 1];
  if (b[b.length - 2] !== k) throw new Error(`matMul: inner sizes differ: ${a} × ${b}`);
  const lead = a.length >= b.length ? a.slice(0, -2) : b.slice(0, -2);
  return { shape: [...lead, m, n], record: { batch: sizeOf(lead), m, k, n } };
}

/** Shape of a reduction along the last axis, kept as size 1. */
export function reducedShape(a: number[]): number[] {
  if (a.length === 0) throw new Error('reduce: a scalar has no last axis');
  return [...a.slice(0, -1), 1];
}

/** Shape of fused attention over projected q, k, v [B, N, D] and the two products it stands for. */
export function attentionShape(q: number[], k: number[], v: number[], heads: number):
  { shape: number[]; records: MatMulRecord[] } {
  const [B, N, D] = q;
  if (q.length !== 3 || k.length !== 3 || v.length !== 3 || k[0] !== B || v[0] !== B || k[2] !== D || v[2] !== D || k[1] !== v[1]) {
    throw new Error(`attention: q, k, v must be [B, N, D], [B, S, D], [B, S, D]: ${q} / ${k} / ${v}`);
  }
  if (D % heads !== 0) throw new Error(`attention: width ${D} is not a multiple of ${heads} heads`);
  const S = k[1], E = D / heads;
  return { shape: q.slice(), records: [{ batch: B * heads, m: N, k: E, n: S }, { batch: B * heads, m: N, k: S, n: E }] };
}

/**
 * Shape of the fused decode kernel over q [B, s, D], k, v [B, s, Dkv] and a cache [B, kvHeads, N, E],
 * and the two products it stands for per query head: Q·Kᵀ and P·V over the N + s keys.
 */
export function decodeAttentionShape(q: number[], k: number[], v: number[], cacheK: number[], cacheV: number[], heads: number):
  { shape: number[]; records: MatMulRecord[] } {
  const [B, s, D] = q, [, Hkv, N, E] = cacheK;
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (q.length !== 3 || cacheK.length !== 4 || !same(cacheK, cacheV) || !same(k, [B, s, Hkv * E]) || !same(v, k)
    || cacheK[0] !== B || D !== heads * E || heads % Hkv !== 0) {
    throw new Error(`decodeAttention: q [B, s, H·E], k, v [B, s, kvHeads·E], cache [B, kvHeads, N, E] with kvHeads dividing H = ${heads}: `
      + `${q} / ${k} / ${v} / ${cacheK} / ${cacheV}`);
  }
  const L = N + s;
  return { shape: q.slice(), records: [{ batch: B * heads, m: s, k: E, n: L }, { batch: B * heads, m: s, k: L, n: E }] };
}

const isSize = (d: number) => Number.isInteger(d) && d >= 0;

/** Shape of a reshape: the same number of elements, every size a whole number. */
export function reshapeShape(a: number[], shape: number[]): number[] {
  if (!shape.every(isSize) || sizeOf(shape) !== sizeOf(a)) throw new Error(`reshape: [${a}] cannot become [${shape}]`);
  return shape.slice();
}

/** `perm`, checked: it names every axis of `a` once. */
export function checkedPerm(a: number[], perm: number[]): number[] {
  if (perm.length !== a.length || [...perm].sort((x, y) => x - y).some((p, i) => p !== i)) {
    throw new Error(`transpose: [${perm}] is not a permutation of the ${a.length} axes of [${a}]`);
  }
  return perm;
}

/** Shape of a transpose. */
export function transposeShape(a: number[], perm: number[]): number[] {
  return checkedPerm(a, perm).map((p) => a[p]);
}

/** Shape of a slice: `size` elements from `begin` on every axis, inside the tensor. */
export function sliceShape(a: number[], begin: number[], size: number[]): number[] {
  const inside = begin.length === a.length && size.length === a.length
    && a.every((d, i) => isSize(begin[i]) && isSize(size[i]) && begin[i] + size[i] <= d);
  if (!inside) throw new Error(`slice: begin [${begin}] size [${size}] is not inside [${a}]`);
  return size.slice();
}

/** `axis`, checked: the shapes join along it (every other axis matches). */
export function checkedConcatAxis(shapes: number[][], axis: number): number {
  const first = shapes[0] ?? [];
  if (shapes.length === 0 || shapes.some((t) => t.length !== first.length || t.some((d, i) => i !== axis && d !== first[i]))
    || axis < 0 || axis >= first.length) {
    throw new Error(`concat: shapes ${shapes.map((t) => `[${t}]`).join(', ')} do not join along axis ${axis}`);
  }
  return axis;
}

/** Shape of a concatenation along `axis`. */
export function concatShape(shapes: number[][], axis: number): number[] {
  checkedConcatAxis(shapes, axis);
  const shape = shapes[0].slice();
  shape[axis] = shapes.reduce((s, t) => s + t[axis], 0);
  return shape;
}

/** Shape of Ops.gather: axis `axis` becomes indices.length long; every index must lie on the axis. */
export function gatherShape(a: number[], axis: number, indices: number[]): number[] {
  if (!Number.isInteger(axis) || axis < 0 || axis >= a.length || indices.length === 0
    || !indices.every((i) => Number.isInteger(i) && i >= 0 && i < a[axis])) {
    const shown = `${indices.slice(0, 8)}${indices.length > 8 ? ', …' : ''}`;
    throw new Error(`gather: axis ${axis} and indices [${shown}] do not pick entries of [${a}]`);
  }
  return a.map((d, i) => (i === axis ? indices.length : d));
}

/** `paddings`, checked: one non-negative [before, after] per axis of `a`. */
export function checkedPaddings(a: number[], paddings: Array<[number, number]>): Array<[number, number]> {
  if (paddings.length !== a.length || !paddings.every(([b, e]) => isSize(b) && isSize(e))) {
    throw new Error(`pad: [${paddings.map((p) => `[${p}]`)}] does not pad the ${a.length} axes of [${a}]`);
  }
  return paddings;
}

/** Shape of zero padding. */
export function padShape(a: number[], paddings: Array<[number, number]>): number[] {
  const p = checkedPaddings(a, paddings);
  return a.map((d, i) => d + p[i][0] + p[i][1]);
}

/** `Ops` over shapes alone; `onMatMul` sees every matrix product. */
export function shapeOps(onMatMul: (r: ProductRecord) => void): Ops<Shaped> {
  const of = (shape: number[]): Shaped => ({ shape });
  const transposed = (a: Shaped, t: boolean) => t ? transposeShape(a.shape, swapLastPerm(a.shape.length)) : a.shape;
  const ops: Ops<Shaped> = {
    shape: (a) => a.shape.slice(),
    matMul(a, b, ta = false, tb = false) {
      const { shape, record } = matMulShape(transposed(a, ta), transposed(b, tb));
      onMatMul({ ...record, a: a.shape.slice(), b: b.shape.slice(), transposeA: ta, transposeB: tb });
      return of(shape);
    },
    add: (a, b) => of(broadcast(a.shape, b.shape)),
    mul: (a, b) => of(broadcast(a.shape, b.shape)),
    sub: (a, b) => of(broadcast(a.shape, b.shape)),
    div: (a, b) => of(broadcast(a.shape, b.shape)),
    maximum: (a, b) => of(broadcast(a.shape, b.shape)),
    exp: (a) => of(a.shape),
    reduceMax: (a) => of(reducedShape(a.shape)),
    reduceSum: (a) => of(reducedShape(a.shape)),
    scale: (a) => of(a.shape),
    softmax: (a) => of(a.shape),
    reshape: (a, shape) => of(reshapeShape(a.shape, shape)),
    transpose: (a, perm) => of(transposeShape(a.shape, perm)),
    slice: (a, begin, size) => of(sliceShape(a.shape, begin, size)),
    concat: (ts, axis) => of(concatShape(ts.map((t) => t.shape), axis)),
    pad: (a, p) => of(padShape(a.shape, p)),
    gather: (a, axis, indices) => of(gatherShape(a.shape, axis, indices)),
    constant: (_data, shape) => of(shape),
    scope: (fn) => fn(),
    // The fused kernel counts as the two products it computes, Q·Kᵀ and P·V, over every key.
    attention(q, k, v, heads) {
      const { shape, records } = attentionShape(q.shape, k.shape, v.shape, heads);
      for (const r of records) onMatMul({ ...r, a: [r.batch, r.m, r.k], b: [r.batch, r.k, r.n], transposeA: false, transposeB: false });
      return of(shape);
    },
    // The fused decode kernel counts as its two products, over the cache's keys and the new ones.
    decodeAttention(q, k, v, cacheK, cacheV, heads) {
      const { shape, records } = decodeAttentionShape(q.shape, k.shape, v.shape, cacheK.shape, cacheV.shape, heads);
      for (const r of records) onMatMul({ ...r, a: [r.batch, r.m, r.k], b: [r.batch, r.k, r.n], transposeA: false, transposeB: false });
      return of(shape);
    },
    // The engine's module counts as what it computes: the four projections and the fused kernel's two products.
    attentionModule(x, w, heads, causal) {
      const project = (t: Shaped, W: Shaped, b: Shaped) => ops.add(ops.matMul(t, W), b);
      const attended = ops.attention!(project(x, w.Wq, w.bq), project(x, w.Wk, w.bk), project(x, w.Wv, w.bv), heads, causal);
      return project(attended, w.Wo, w.bo);
    },
  };
  return ops;
}

/** Runs `forward` on shapes only: the matrix products it issues, in order, and its output shape. */
export function recordMatMuls(forward: ForwardFn, weights: Record<string, Shaped>, inputShape: number[]):
  { matMuls: ProductRecord[]; output: number[] } {
  const matMuls: ProductRecord[] = [];
  const w: Record<string, Shaped> = {};
  for (const [name, t] of Object.entries(weights)) w[name] = { shape: t.shape.slice() };
  const y = forward(shapeOps((r) => matMuls.push(r)), { shape: inputShape.slice() }, w);
  return { matMuls, output: y.shape.slice() };
}

/** FLOPs of recorded products: 2·Σ batch·m·k·n. */
export function matMulFlops(matMuls: MatMulRecord[]): number {
  return matMuls.reduce((sum, r) => sum + 2 * r.batch * r.m * r.k * r.n, 0);
}
