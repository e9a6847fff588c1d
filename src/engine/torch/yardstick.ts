/**
 * The plain PyTorch yardstick of attnbench's `full`: the same weights and input in a module of
 * torch's own (nn.MultiheadAttention, or SDPA on projected q, k, v where torch ≥ 2.0), built by
 * the worker (worker.py: Yardstick) and timed by the same worker command as a traced pass — the
 * same clock, the same batches, so a ratio of the two compares the programs, not the timing.
 */
import type { HostTensor } from '../ops.ts';
import type { EngineInfo, Prepared } from '../types.ts';
import type { Dtype } from '../../results/dtype.ts';
import { preparedOn, workerOf, type TorchBackend } from './session.ts';

/** `mha`: torch.nn.MultiheadAttention; `sdpa`: F.linear projections around scaled_dot_product_attention. */
export type YardstickKind = 'mha' | 'sdpa';

/** The weights the yardstick reads, in the order it reads them ([D, D] used as x·W, and [D] biases). */
const WEIGHT_ORDER = ['Wq', 'bq', 'Wk', 'bk', 'Wv', 'bv', 'Wo', 'bo'] as const;

/** The yardstick in `dtype` (its weights and input already rounded to it: linalg/dtype.ts). */
export function prepareYardstick(info: EngineInfo, kind: YardstickKind, heads: number, causal: boolean,
  weights: Record<string, HostTensor>, input: HostTensor, dtype: Dtype = 'float32'): Promise<Prepared> {
  return preparedOn(workerOf(info.backend as TorchBackend, info), info,
    { cmd: 'yardstick', kind, heads, causal, inputShape: input.shape, dtype },
    [input.data, ...WEIGHT_ORDER.map((n) => weights[n].data)], { x: input.shape });
}
