/**
 * yardstick — full attention computed by the engine's own plain attention module (Ops.attentionModule),
 * on the same weights and input as full: what attnbench's traced program of full is held against
 * ("full within 1.15× of the plain PyTorch module", issue 22). Not a method: the report pairs it with
 * full and states full's latency over the module's (findings.ts), never the other way round.
 *   module 'mha'   torch.nn.MultiheadAttention (batch_first, eval, need_weights=False: its fused
 *                  inference path), a boolean mask above the diagonal when causal
 *   module 'sdpa'  F.linear projections around F.scaled_dot_product_attention (torch ≥ 2.0), is_causal
 *   module 'auto'  (default) sdpa where the engine offers it, else mha: fixed by `resolve`, recorded in the line
 * Engines without a module of their own (onnx, tfjs: Capabilities.attentionModules absent) get a
 * skipped line with the reason: the user who asked sees why, as with flash's fused kernel.
 *
 * params, flops, memory, reference: full's (the same computation; the module's workspace is its own,
 * the measured peak shows it). Grouped-query shapes are not run: the modules take one K/V head per query head.
 */
import { z } from 'zod';
import { messages } from '../messages.ts';
import { full } from './full.ts';
import type { Capabilities, Variant } from './types.ts';

export const ATTENTION_MODULES = ['auto', 'mha', 'sdpa'] as const;

const yardstickOptions = z.object({ module: z.enum(ATTENTION_MODULES).default('auto') }).strict();
export type YardstickOptions = z.output<typeof yardstickOptions>;

const offered = (engine?: Capabilities): string[] => engine?.attentionModules ?? [];

export const yardstick: Variant<YardstickOptions> = {
  name: 'yardstick',
  role: 'yardstick',
  summary: 'full attention in the engine\'s own plain module (torch nn.MultiheadAttention or SDPA): what full is held against',
  options: yardstickOptions,
  describe: (o) => (o.module === 'auto' ? 'plain module' : `plain module (${o.module})`),
  init: (_s, _o, _rng, base) => ({ ...base }),
  params: (s) => full.params(s, {}),
  flops: (s) => full.flops(s, {}),
  memory: (s) => full.memory(s, {}),
  resolve: (_s, o, _base, engine) => (o.module === 'auto' && offered(engine).length > 0
    ? { module: offered(engine).includes('sdpa') ? 'sdpa' : 'mha' } : o),
  unsupported(s, o, engine) {
    if (s.kvHeads !== undefined && s.kvHeads !== s.heads) return messages.yardstickGrouped();
    const has = offered(engine);
    return (o.module === 'auto' ? has.length > 0 : has.includes(o.module)) ? undefined : messages.noAttentionModule(o.module, has);
  },
  details: (_s, o) => ({ module: o.module }),
  forward(ops, x, w, s, o) {
    if (!ops.attentionModule) throw new Error(messages.noAttentionModule(o.module, []));
    const { Wq, bq, Wk, bk, Wv, bv, Wo, bo } = w;
    return ops.attentionModule(x, { Wq, bq, Wk, bk, Wv, bv, Wo, bo }, s.heads, s.causal === true, o.module);
  },
  reference: (s, _o, x, w, rows) => full.reference(s, {}, x, w, rows),
};
