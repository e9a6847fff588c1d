/** The variant registry: a new variant is one file and one line here. */
import { flash } from './flash.ts';
import { full } from './full.ts';
import { linformer } from './linformer.ts';
import { lora } from './lora.ts';
import { sparseBlock } from './sparse-block.ts';
import { sparseWindow } from './sparse-window.ts';
import { svd } from './svd.ts';
import type { AnyVariant } from './types.ts';
import { yardstick } from './yardstick.ts';

export const VARIANTS = {
  full,
  lora,
  svd,
  'sparse-window': sparseWindow,
  'sparse-block': sparseBlock,
  linformer,
  flash,
  yardstick,
} satisfies Record<string, AnyVariant>;

export type VariantName = keyof typeof VARIANTS;
export const VARIANT_NAMES = Object.keys(VARIANTS) as VariantName[];

export function getVariant(name: string): AnyVariant | undefined {
  return (VARIANTS as Record<string, AnyVariant>)[name];
}
