/**
 * lora — Low-Rank Adaptation (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models").
 * Each target projection p ∈ targets gets a rank-r update scaled by α/r. The paper writes
 * h = W₀x + (α/r)·B·A·x; with this project's row convention (x·W, W [D×D]) the same update is
 *   W'_p = W_p + (α/r)·A_p·B_p,   A_p [D×R], B_p [R×D_p]   (D_p = D for q, o; kvHeads·E for k, v)
 *   unmerged  x·W_p + b_p + (α/r)·(x·A_p)·B_p     (the adapter path runs at inference)
 *   merged    x·W'_p + b_p, W'_p folded once in float64 at init (the adapter costs nothing)
 * A and B are drawn from the suite seed, D, r, α and the targets (seedKey), so merged and unmerged
 * configurations fold and apply the same adapters on every engine.
 * Initialisation: A_p ~ N(0, 1/D), B_p ~ N(0, (0.1·√r/α)²), so ‖(α/r)·A_p·B_p‖_F ≈ 0.1·‖W_p‖_F: a
 * visible, typical fine-tuned update. (PEFT starts from B = 0, which would make the unmerged
 * adapter path compute exact zeros, and `merged` a no-op.)
 *
 * params   base = full's; adapters = Σ_targets R·(D + D_p) (details.adapterParams, both modes)
 *          unmerged: total = inference = base + adapters, trainable = adapters
 *          merged:   total = inference = base (only W' is held), trainable = 0 (nothing left to train)
 * flops    merged: full's; unmerged: that + B·Σ_targets 2·N·R·(D + D_p)
 *          (x·A is 2·N·D·R, (x·A)·B another 2·N·R·D_p)
 * memory   merged: full's. Unmerged, 4 bytes · (B·N·(D + 2·Dkv) + max(2·B·H·N², B·N·D + B·N·R)):
 *          at the last projection x·A and the adapter output are alive beside Q, K and x·W.
 * Accuracy reference: exact attention with W' in float64 (for both modes).
 * Training: A_p and B_p are trainable, the base weights frozen. Merged holds no adapters (A·B is
 * folded into W' at init), so it has nothing to train: its train cases are skipped.
 */
import { z } from 'zod';
import type { Ops } from '../engine/ops.ts';
import { matMul64 } from '../linalg/dense.ts';
import { referenceAttention } from '../linalg/reference.ts';
import { normalArray } from '../linalg/rng.ts';
import { full } from './full.ts';
import { attentionWith, linear, projectionWidth, referenceWeights, targetsSchema, type Projection } from './mha.ts';
import { kvWidth } from '../results/types.ts';
import type { Shape, Variant, Weights } from './types.ts';

const loraOptions = z.object({
  rank: z.number().int().positive().default(8),
  alpha: z.number().positive().default(16),
  targets: targetsSchema(['q', 'v']),
  merged: z.boolean().default(false),
}).strict();
export type LoraOptions = z.output<typeof loraOptions>;

const W = (p: Projection) => `W${p}` as const;

/** W_p + (α/r)·A_p·B_p in float64 [D×D_p]. */
export function mergedWeight(w: Weights, p: Projection, o: LoraOptions, D: number): Float64Array {
  const delta = matMul64(w[`A${p}`].data, w[`B${p}`].data, D, o.rank, w[`B${p}`].shape[1]);
  return delta.map((d, i) => w[W(p)].data[i] + (o.alpha / o.rank) * d);
}

/** input·W_p + b_p, plus the adapter path (α/r)·(input·A_p)·B_p on unmerged targets. */
export function loraProjection<T>(ops: Ops<T>, w: Record<string, T>, o: LoraOptions) {
  return (p: Projection, input: T): T => {
    const y = linear(ops, input, w[W(p)], w[`b${p}`]);
    if (o.merged || !o.targets.includes(p)) return y;
    return ops.add(y, ops.scale(ops.matMul(ops.matMul(input, w[`A${p}`]), w[`B${p}`]), o.alpha / o.rank));
  };
}

/** Elements of the adapters A_p, B_p: what fine-tuning trains (a merged configuration has folded them into W'). */
const adapterParams = (s: Shape, o: LoraOptions) => o.targets.reduce((n, p) => n + o.rank * (s.dModel + projectionWidth(s, p)), 0);

export const lora: Variant<LoraOptions> = {
  name: 'lora',
  role: 'adapter',
  summary: 'low-rank adapters W + (α/r)·A·B on chosen projections, merged or not (Hu et al. 2021)',
  options: loraOptions,
  describe: (o) => `LoRA r=${o.rank} α=${o.alpha} on ${o.targets.join(',')} (${o.merged ? 'merged' : 'unmerged'})`,
  init(s, o, rng, base) {
    const D = s.dModel, w: Weights = { ...base };
    for (const p of o.targets) {
      w[`A${p}`] = { data: normalArray(rng, D * o.rank, 1 / Math.sqrt(D)), shape: [D, o.rank] };
      const out = projectionWidth(s, p);
      w[`B${p}`] = { data: normalArray(rng, o.rank * out, (0.1 * Math.sqrt(o.rank)) / o.alpha), shape: [o.rank, out] };
    }
    if (!o.merged) return w;
    const merged: Weights = { ...base };
    for (const p of o.targets) merged[W(p)] = { data: Float32Array.from(mergedWeight(w, p, o, D)), shape: [D, projectionWidth(s, p)] };
    return merged;
  },
  // Not `merged`: merged and unmerged configurations fold and apply the same adapters.
  seedKey: (s, o) => `D${s.dModel}:r${o.rank}:a${o.alpha}:${o.targets.join('')}${kvWidth(s) === s.dModel ? '' : `:kv${kvWidth(s)}`}`,
  params(s, o) {
    const base = full.params(s, {}).total, adapters = adapterParams(s, o);
    return o.merged ? { total: base, trainable: 0, inference: base }
      : { total: base + adapters, trainable: adapters, inference: base + adapters };
  },
  flops: (s, o) => full.flops(s, {})
    + (o.merged ? 0 : s.batch * 2 * s.seqLen * o.rank * o.targets.reduce((n, p) => n + s.dModel + projectionWidth(s, p), 0)),
  memory(s, o) {
    if (o.merged) return full.memory(s, {});
    const { batch: B, seqLen: N, dModel: D, heads: H } = s;
    return 4 * (B * N * (D + 2 * kvWidth(s)) + Math.max(2 * B * H * N * N, B * N * D + B * N * o.rank));
  },
  forward: (ops, x, w, s, o) => attentionWith(ops, x, w, s, loraProjection(ops, w, o)),
  trainable: (_s, o) => (o.merged ? [] : o.targets.flatMap((p) => [`A${p}`, `B${p}`])),
  sameGraphAs: (o) => (o.merged ? 'full' : undefined),
  details: (s, o) => ({ adapterParams: adapterParams(s, o) }),
  reference(s, o, x, w, rows) {
    const merge = (p: Projection) => (!o.merged && o.targets.includes(p) ? mergedWeight(w, p, o, s.dModel) : w[W(p)].data);
    return referenceAttention(s, x, referenceWeights(w, merge), { rows });
  },
};
