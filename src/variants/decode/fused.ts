/**
 * A decode step through the engine's fused decode kernel (Ops.decodeAttention; onnx: ONNX Runtime's
 * com.microsoft GroupQueryAttention with a past key and value): flash's `kernel: 'fused'`. The new
 * tokens are projected as full's, the kernel attends the cache [B, kvHeads, N, E] and their own keys,
 * and its output is projected. Cache, rows returned, FLOPs and bytes are the dense decoder's: what a
 * step must move. ORT's CPU kernel moves more: every step it zeroes a present key and value of
 * N + s rows and copies the past into them (unless past and present share one buffer), so its
 * measured step, not its formula, shows that cost.
 */
import { messages } from '../../messages.ts';
import { splitKvHeads } from '../mha.ts';
import { denseDecoder, type DenseDecoderSpec } from './dense.ts';
import type { Decoder } from './types.ts';

export function fusedDecoder<O extends object>(spec: DenseDecoderSpec<O>): Decoder<O> {
  return {
    ...denseDecoder(spec),
    step(ops, x, cache, w, s, o) {
      if (!ops.decodeAttention) throw new Error(messages.noFusedDecode());
      const project = spec.project(ops, w, o), q = project('q', x), k = project('k', x), v = project('v', x);
      const attended = ops.decodeAttention(q, k, v, cache.k, cache.v, s.heads);
      return { y: project('o', attended), rows: { k: splitKvHeads(ops, k, s), v: splitKvHeads(ops, v, s) } };
    },
  };
}
