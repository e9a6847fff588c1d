/**
 * Exact attention in tiles with an online softmax (Rabe & Staats 2021, "Self-attention does not
 * need O(n²) memory"; Dao et al. 2022, FlashAttention, Alg. 1 in its FlashAttention-2 loop order):
 * queries and keys are cut into tiles of T positions; for each query tile, the key tiles are
 * visited in order keeping, per query row, the running maximum m, the running sum ℓ of
 * exp(score − m), and the running output O:
 *   S = Q_i·K_jᵀ/√E,  m' = max(m, rowmax S),  P = exp(S − m'),  c = exp(m − m'),
 *   ℓ' = c·ℓ + rowsum P,  O' = c·O + P·V_j;    after the last tile: O / ℓ.
 * The N×N score matrix never exists: one T×T tile of scores per head at a time. Causal: key tiles
 * after the query tile are skipped, the diagonal tile is masked above its diagonal.
 * A helper of the `flash` variant, not a variant. Heads q, k, v: [B, H, N, E].
 */
import type { Ops } from '../engine/ops.ts';
import { causalMask } from './mha.ts';
import type { Shape } from './types.ts';

/** Start and length of each tile of `tile` positions over N (the last one shorter when T ∤ N). */
export function tilesOf(seqLen: number, tile: number): Array<{ start: number; size: number }> {
  const T = Math.min(tile, seqLen);
  return Array.from({ length: Math.ceil(seqLen / T) }, (_, i) => ({ start: i * T, size: Math.min(T, seqLen - i * T) }));
}

/** The (query tile, key tile) pairs visited: all of them, or those on and below the diagonal when causal. */
export function tilePairs(s: Shape, tile: number): Array<[number, number]> {
  const n = tilesOf(s.seqLen, tile).length;
  return Array.from({ length: n }, (_, i) => Array.from({ length: s.causal ? i + 1 : n }, (_, j): [number, number] => [i, j])).flat();
}

/** FLOPs of tiledAttend: Q·Kᵀ and P·V of every visited tile pair, 4·B·D·|query tile|·|key tile| each. */
export function tiledFlops(s: Shape, tile: number): number {
  const tiles = tilesOf(s.seqLen, tile);
  return tilePairs(s, tile).reduce((sum, [i, j]) => sum + 4 * s.batch * s.dModel * tiles[i].size * tiles[j].size, 0);
}

/** softmax(Q·Kᵀ/√E)·V computed tile by tile (see the file's doc): q, k, v [B, H, N, E] → [B, H, N, E]. */
export function tiledAttend<T>(ops: Ops<T>, q: T, k: T, v: T, s: Shape, tile: number): T {
  const E = s.dModel / s.heads, BH = s.batch * s.heads, N = s.seqLen, tiles = tilesOf(N, tile);
  // Cut once: a slice per tile pair would copy whole operands again and again on wasm.
  const cut = (t: T) => {
    const flat = ops.reshape(t, [BH, N, E]);
    return tiles.length === 1 ? [flat] : tiles.map(({ start, size }) => ops.slice(flat, [0, start, 0], [BH, size, E]));
  };
  const qs = cut(ops.scale(q, 1 / Math.sqrt(E))), ks = cut(k), vs = cut(v);
  const out = tiles.map((_, i) => ops.scope(() => queryTile(ops, qs[i], ks, vs, i, s.causal === true)));
  return ops.reshape(out.length === 1 ? out[0] : ops.concat(out, 1), [s.batch, s.heads, N, E]);
}

/** One query tile [BH, T, E] against the key tiles it sees; each key tile's temporaries in a scope of their own. */
function queryTile<T>(ops: Ops<T>, q: T, ks: T[], vs: T[], i: number, causal: boolean): T {
  let state: [T, T, T] | undefined; // m, ℓ [BH, T, 1]; O [BH, T, E]
  for (let j = 0; j < (causal ? i + 1 : ks.length); j++) {
    const prev = state;
    state = ops.scope(() => {
      let scores = ops.matMul(q, ks[j], false, true);
      if (causal && j === i) {
        const [rows, cols] = ops.shape(scores).slice(-2);
        scores = ops.add(scores, ops.constant(causalMask(rows, cols), [rows, cols]));
      }
      const tileMax = ops.reduceMax(scores);
      const m = prev ? ops.maximum(prev[0], tileMax) : tileMax;
      const p = ops.exp(ops.sub(scores, m));
      const pv = ops.matMul(p, vs[j]);
      if (!prev) return [m, ops.reduceSum(p), pv];
      const c = ops.exp(ops.sub(prev[0], m));
      return [m, ops.add(ops.mul(prev[1], c), ops.reduceSum(p)), ops.add(ops.mul(prev[2], c), pv)];
    }) as [T, T, T];
  }
  return ops.div(state![2], state![1]);
}
