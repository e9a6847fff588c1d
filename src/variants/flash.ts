/**
 * flash — exact attention without the N×N score matrix (Rabe & Staats 2021, "Self-attention does
 * not need O(n²) memory"; Dao et al. 2022, "FlashAttention"; xformers' memory-efficient attention).
 * Same weights, same output as full (causal or not); only how the core softmax(Q·Kᵀ/√E)·V runs differs:
 *   kernel 'tiled'  the online-softmax algorithm over T×T tiles (online-softmax.ts), written against
 *                   Ops, so every engine runs it; causal tiles above the diagonal are skipped
 *   kernel 'fused'  the engine's own fused kernel (Ops.attention; on onnx com.microsoft
 *                   MultiHeadAttention), on engines that declare one (Capabilities.fusedAttention)
 *   kernel 'auto'   (default) fused where the engine declares a kernel, else tiled: fixed by
 *                   `resolve` before the case runs, and recorded in the line's options and details
 *   backend         which of the engine's fused kernels runs (Capabilities.attentionBackends: torch
 *                   SDPA's flash, efficient, cudnn, math); 'auto' (default) lets the engine choose.
 *                   A named backend means the fused kernel; the line's `attentionBackend` says which ran
 * Decode (src/variants/decode/): 'tiled' is split-KV over the cache, 'fused' the engine's fused decode
 * kernel (Ops.decodeAttention: ORT's GroupQueryAttention with a past key and value).
 *
 * Grouped-query shapes: the K/V heads are copied for their query heads (repeatKv) before the
 * tiles or the fused kernel (ORT's MultiHeadAttention takes one K/V head per query head).
 *
 * params   as full
 * flops    full's projections + the core's products. Tiled: 4·B·D·|Q tile|·|K tile| for every
 *          tile pair visited — B·4·N²·D as full when not causal (tiling adds no products, only the
 *          element-wise rescaling), about half of it causal. Fused: full's B·4·N²·D, causal or not
 *          (the kernel's inner loop is not visible; ORT's CPU kernel scores every pair and masks)
 * memory   4 bytes · (B·N·(D + 2·Dkv) [Q, K, V] + 2·B·N·D [their copies, grouped-query shapes only] + …).
 *          Tiled: + 3·B·N·D (their tiles) + 2·B·N·D (the query tiles'
 *          outputs; a query tile's running outputs until its scope ends) + 2·B·H·T² (one tile pair's
 *          scores and probabilities) + 2·B·H·T (running max and sum): O(N·D + T²), never O(N²).
 *          Fused: + B·N·D (its output); the kernel's own workspace is not visible to this model,
 *          the measured peak shows it: ORT 1.30's CPU kernel peaked at 112 MB at N=8192 (d=512, 8
 *          heads) but at 176 MB causal at N=2048, about 8 heads × N² floats: with `unidirectional`
 *          it holds the whole score matrix, so causal, the tiled kernel is the memory-efficient one
 */
import { z } from 'zod';
import { messages } from '../messages.ts';
import { full } from './full.ts';
import { allProjectionFlops, linear, mergeHeads, repeatKv, repeatKvWidth, splitHeads, splitKvHeads } from './mha.ts';
import { kvHeadsOf, kvWidth, type Shape } from '../results/types.ts';
import { tiledAttend, tiledFlops } from './online-softmax.ts';
import type { Capabilities, Variant } from './types.ts';

/**
 * Default tile length, measured at N=4096, d=512, 8 heads on onnx/cpu (one round each, a busy
 * 2-core machine): tiles of 128 / 256 / 512 / 1024 took 723 / 629 / 1821 (an outlier) / 664 ms and
 * peaked at 49 / 84 / 123 / 214 MB; full 514 ms, 544 MB. On tfjs/cpu at N=1024 tiles of 64 and 256
 * peak alike (68 MB: the pass's O(N·D) tensors dominate), 1024 at 142 MB. 256: the fastest tiled
 * run, at a sixth of full's memory.
 */
export const DEFAULT_TILE = 256;

/** The fused kernels a case may name (torch SDPA's, worker.py: SDPA_KINDS); 'auto': the engine's choice. */
export const ATTENTION_BACKENDS = ['auto', 'flash', 'efficient', 'cudnn', 'math'] as const;

const flashOptions = z.object({
  tile: z.number().int().positive().default(DEFAULT_TILE),
  kernel: z.enum(['auto', 'fused', 'tiled']).default('auto'),
  backend: z.enum(ATTENTION_BACKENDS).default('auto'),
}).strict().refine((o) => o.backend === 'auto' || o.kernel !== 'tiled',
  { error: messages.backendNeedsFused(), path: ['backend'] });
export type FlashOptions = z.output<typeof flashOptions>;

const hasFused = (engine?: Capabilities) => engine?.fusedAttention === true;

/** Q, K and V, with the copies of shared K/V heads in a grouped-query shape. */
const qkvBytes = (s: Shape) => s.batch * s.seqLen * (s.dModel + 2 * kvWidth(s) + (kvHeadsOf(s) < s.heads ? 2 * s.dModel : 0));

export const flash: Variant<FlashOptions> = {
  name: 'flash',
  role: 'exact-efficient',
  summary: 'exact attention in tiles with an online softmax, or the engine\'s fused kernel (Rabe & Staats 2021; Dao et al. 2022)',
  options: flashOptions,
  describe: (o) => (o.backend !== 'auto' ? `flash (fused, ${o.backend})` : o.kernel === 'fused' ? 'flash (fused)'
    : `flash (${o.kernel === 'auto' ? 'engine\'s kernel' : 'tiled'}, tile ${o.tile})`),
  init: (_s, _o, _rng, base) => ({ ...base }),
  unresolved: (s, o) => (o.kernel === 'auto' && s.causal ? 'kernel auto counts differently per engine when causal' : undefined),
  params: (s) => full.params(s, {}),
  flops(s, o) {
    if (o.kernel === 'fused' || (o.kernel === 'auto' && !s.causal)) return full.flops(s, {});
    if (o.kernel === 'auto') throw new Error('flash: kernel auto counts differently per engine when causal; resolve it first');
    return allProjectionFlops(s) + tiledFlops(s, o.tile);
  },
  memory(s, o) {
    const { batch: B, seqLen: N, dModel: D, heads: H } = s, T = Math.min(o.tile, N);
    if (o.kernel === 'fused') return 4 * (qkvBytes(s) + B * N * D);
    return 4 * (qkvBytes(s) + 5 * B * N * D + 2 * B * H * T * T + 2 * B * H * T);
  },
  resolve: (_s, o, _base, engine) => (o.kernel === 'auto'
    ? { ...o, kernel: o.backend !== 'auto' || hasFused(engine) ? 'fused' : 'tiled' } : o),
  unsupported: (_s, o, engine) => (o.backend !== 'auto' && !engine?.attentionBackends?.includes(o.backend)
    ? messages.noAttentionBackend('flash', o.backend, engine?.attentionBackends ?? [])
    : o.kernel === 'fused' && !hasFused(engine) ? messages.noFusedKernel('flash') : undefined),
  details: (_s, o) => ({ kernel: o.kernel, ...(o.kernel !== 'fused' && { tile: o.tile }),
    ...(o.backend !== 'auto' && { backend: o.backend }) }),
  forward(ops, x, w, s, o) {
    const q = linear(ops, x, w.Wq, w.bq), k = linear(ops, x, w.Wk, w.bk), v = linear(ops, x, w.Wv, w.bv);
    const fused = o.kernel === 'fused' || (o.kernel === 'auto' && ops.attention !== undefined);
    if (fused) {
      if (!ops.attention) throw new Error(messages.noFusedKernel('flash'));
      const attended = ops.attention(q, repeatKvWidth(ops, k, s), repeatKvWidth(ops, v, s), s.heads, s.causal === true,
        o.backend === 'auto' ? undefined : o.backend);
      return linear(ops, attended, w.Wo, w.bo);
    }
    const heads = (t: typeof x) => repeatKv(ops, splitKvHeads(ops, t, s), s);
    const core = tiledAttend(ops, splitHeads(ops, q, s), heads(k), heads(v), s, o.tile);
    return linear(ops, mergeHeads(ops, core, s), w.Wo, w.bo);
  },
  reference: (s, _o, x, w, rows) => full.reference(s, {}, x, w, rows),
};

