/**
 * Decode steps by variant: a Record over the variant registry, so a new variant without a decode
 * entry is a type error; a variant that cannot decode says why (Linformer).
 */
import { messages } from '../../messages.ts';
import { flash, type FlashOptions } from '../flash.ts';
import type { VariantName } from '../index.ts';
import { lora, loraProjection, mergedWeight, type LoraOptions } from '../lora.ts';
import { svd, svdProjection, svdWeight, type SvdOptions } from '../svd.ts';
import { projectionWidth } from '../mha.ts';
import type { Capabilities, Shape } from '../types.ts';
import { denseDecoder, fullDecoder, fullProjection, latentDecoder, type DenseDecoderSpec } from './dense.ts';
import { fusedDecoder } from './fused.ts';
import { blockDecoder, windowDecoder } from './sparse.ts';
import type { AnyDecoder, DecodeShape } from './types.ts';

const loraDecoder = denseDecoder<LoraOptions>({ variant: lora, project: loraProjection,
  weight: (s, o, w, p) => (!o.merged && o.targets.includes(p) ? mergedWeight(w, p, o, s.dModel) : w[`W${p}`].data) });

const svdDense = denseDecoder<SvdOptions>({ variant: svd, project: svdProjection, weight: svdWeight });
const svdRank = (s: Shape, o: SvdOptions, p: 'q' | 'k' | 'v' | 'o') => Math.min(o.rank!, s.dModel, projectionWidth(s, p));
const svdLatent = latentDecoder<SvdOptions>({ variant: svd, project: svdProjection, weight: svdWeight, rank: svdRank });

const flashSpec: DenseDecoderSpec<FlashOptions> = { variant: flash, project: fullProjection, weight: (_s, _o, w, p) => w[`W${p}`].data };
const flashTiled = denseDecoder<FlashOptions>({ ...flashSpec, tile: (o) => o.tile });
const flashFused = fusedDecoder<FlashOptions>(flashSpec);

export interface DecodeEntry {
  /** The decoder of this configuration. */
  decoder(o: object): AnyDecoder;
  /** Why this configuration cannot decode (on an engine with these capabilities); undefined when it can. */
  unsupported?(s: DecodeShape, o: object, engine?: Capabilities): string | undefined;
}

export const DECODERS: Record<VariantName, DecodeEntry | { skipped: string }> = {
  full: { decoder: () => fullDecoder },
  lora: { decoder: () => loraDecoder },
  svd: {
    decoder: (o) => ((o as SvdOptions).latentCache ? svdLatent : svdDense),
    unsupported: (_s, o) => {
      const so = o as SvdOptions;
      return so.latentCache && !(so.targets.includes('k') && so.targets.includes('v')) ? messages.latentNeedsKv() : undefined;
    },
  },
  'sparse-window': { decoder: () => windowDecoder },
  'sparse-block': { decoder: () => blockDecoder },
  flash: {
    decoder: (o) => ((o as FlashOptions).kernel === 'fused' ? flashFused : flashTiled),
    unsupported: (_s, o, engine) => ((o as FlashOptions).kernel === 'fused' && engine?.fusedDecode !== true ? messages.noFusedDecode()
      : undefined),
  },
  linformer: { skipped: messages.decodeLinformer() },
  yardstick: { skipped: messages.decodeYardstick() },
};

/** The decoder of a configuration, or why it has none here. */
export function decoderOf(name: VariantName, s: DecodeShape, o: object, engine?: Capabilities):
  { decoder: AnyDecoder } | { skipped: string } {
  const entry = DECODERS[name];
  if ('skipped' in entry) return entry;
  const why = entry.unsupported?.(s, o, engine);
  return why !== undefined ? { skipped: why } : { decoder: entry.decoder(o) };
}
