/**
 * What results record of an engine, as plain data: each engine/backend found (run.json `engines`,
 * a case's `engine`) with the capabilities it declared. The engine vocabulary (`Capabilities`,
 * `KernelChoice`) is named and exported by src/engine/types.ts, derived from these schemas:
 * results is below engine (ARCHITECTURE.md, layers), so what it records is described here and
 * engines never restate it.
 */
import { z } from 'zod';
import { DTYPES } from './dtype.ts';

/** What an engine/backend can do; a case that needs more is skipped with the reason. */
export const CapabilitiesSchema = z.object({
  /** Can compute gradients (training mode). */
  gradients: z.boolean(),
  /** How peak memory is measured on this engine (recorded as `memory.source`). */
  memorySource: z.string(),
  /**
   * Environment of the process that checks a case (peak memory among its checks), when the
   * settings the method needs would slow the timed runs (onnx: glibc's fixed mmap threshold);
   * timing rounds never run with it. Absent = the checks run in a plain process.
   */
  memoryProcessEnv: z.record(z.string(), z.string()).optional(),
  /** Node/V8 flags of the worker processes that run its cases, chosen for stable timing (tfjs/wasm: no wasm tier-up). */
  processFlags: z.array(z.string()).optional(),
  /**
   * The engine runs a fused attention kernel (Ops.attention: softmax(Q·Kᵀ/√E)·V per head without
   * an N×N matrix held by the graph); absent = it has none.
   */
  fusedAttention: z.boolean().optional(),
  /**
   * The engine runs a fused decode kernel (Ops.decodeAttention: the new tokens against a KV cache,
   * grouped-query heads; onnx: com.microsoft GroupQueryAttention); absent = it has none.
   */
  fusedDecode: z.boolean().optional(),
  /**
   * The fused attention kernels a case may ask for by name (Ops.attention's `backend`; torch ≥ 2.0:
   * SDPA's flash, efficient, cudnn, math); absent = none to choose from (the engine's own choice only).
   */
  attentionBackends: z.array(z.string()).optional(),
  /**
   * The engine's own plain attention modules, projections included, a case may run by name
   * (Ops.attentionModule; torch: `mha` nn.MultiheadAttention, `sdpa` SDPA on projected q, k, v where
   * torch ≥ 2.0); absent = none (the yardstick variant is then a skipped line).
   */
  attentionModules: z.array(z.string()).optional(),
  /**
   * A host tensor that replaces a bound input (Prepared.run's inputs) is read where it lies, neither
   * copied nor uploaded inside the call (onnx/cpu); absent = it may be.
   */
  wrapsHostInputs: z.boolean().optional(),
  /** Element types the engine computes in (./dtype.ts); absent = float32 only. */
  dtypes: z.array(z.enum(DTYPES)).optional(),
  /** Why the engine does not compute in a dtype it lacks, as its probe found (torch/cpu float16: "not implemented for 'Half'"). */
  dtypeReasons: z.partialRecord(z.enum(DTYPES), z.string()).optional(),
  /**
   * The engine runs a batched matrix product as one 2-D product per batch entry (tfjs/wasm, where
   * that kernel is measured faster: tfjs-kernels.ts), so a variant loses no batching by issuing its
   * products one entry at a time (the sparse variants' products 'auto'); absent = it batches them.
   */
  loopedProducts: z.boolean().optional(),
  /**
   * A pass runs on one thread (tfjs/wasm in Node), so the sweep may time two of the engine's groups of
   * a round at once on two cores (SuiteTiming.lanes); absent = its passes use the machine's cores.
   */
  singleThreaded: z.boolean().optional(),
  /** How to read the engine's measured training memory, when it needs saying (the report shows it beside the chart). */
  trainingMemoryNote: z.string().optional(),
});

/** One engine/backend as found on this machine. */
export const EngineInfoSchema = z.object({
  /** The engine's registry name, e.g. `onnx`, `tfjs`. */
  engine: z.string(),
  backend: z.string(),
  /** `engine/backend`, e.g. `onnx/cpu`. */
  id: z.string(),
  /** Lower runs first when the user does not choose; see src/engine/registry.ts. */
  priority: z.number(),
  available: z.boolean(),
  /** Why it is not available (one line), when it is not. */
  reason: z.string().optional(),
  version: z.string().optional(),
  /** `cpu` | `cuda`. */
  device: z.string().optional(),
  /** Threads the engine computes with (intra-op), where it says. */
  threads: z.number().optional(),
  /** Engine settings chosen for stable timing, as the engine runs with them (onnx/cpu: idle threads spinning or not; docs/variance.md). */
  settings: z.record(z.string(), z.string()).optional(),
  capabilities: CapabilitiesSchema.optional(),
});
export type EngineInfo = z.infer<typeof EngineInfoSchema>;
