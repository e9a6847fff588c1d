import type { SuiteInput } from '../src/run/suite.ts';

/**
 * What LoRA really saves: one training step (forward, MSE loss against a fixed random target,
 * backward, Adam update) of an attention layer at N=512, d=512, 8 heads on tfjs, the engine with
 * gradients. Full fine-tuning trains every projection; LoRA only A and B (base frozen) at r = 4, 8,
 * 64 on q,v; SVD its factors; the efficient patterns train every weight, through their own forward.
 * The report's training section gives step time, memory (weights / gradients / Adam state /
 * activations), trainable parameters and checkpoint size per variant.
 */
export default {
  name: 'training',
  description: 'One training step (Adam) of full fine-tuning vs LoRA r=4, 8, 64 vs SVD factors vs efficient attention, N=512, d=512.',
  variants: [
    'full',
    { name: 'lora', options: { rank: 4 } },
    { name: 'lora', options: { rank: 8 } },
    { name: 'lora', options: { rank: 64 } },
    { name: 'svd', options: { rank: 64 } },
    { name: 'sparse-window', options: { window: 128 } },
    { name: 'linformer', options: { k: 128 } },
  ],
  seqLen: [512],
  dModel: 512,
  heads: 8,
  modes: ['train'],
  engines: ['tfjs'],
  timing: { timeMs: 2000, warmupMs: 200, minSamples: 5 },
} satisfies SuiteInput;
