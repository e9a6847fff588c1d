/**
 * Decode: one sample is one generation step against a KV cache — project the s new tokens, attend
 * causally over the N cached keys and the s new ones, project the output; the context is never
 * re-projected (src/measure/decode.ts, src/variants/decode/). The shape's seqLen is the context N,
 * newTokens s (default 1). Its check: counts, a finite output, and the output against rows
 * N+1…N+s of the causal float64 forward over N + s tokens. Its line: time per step, tokens/s, the
 * cache's bytes, bytes moved and FLOPs per step, arithmetic intensity, achieved GB/s, and the ideal
 * step max(FLOPs / matmul ceiling, bytes / bandwidth ceiling) with the fraction of it reached, the
 * ceilings the run measured for its engine (the bandwidth one at the case's working-set size).
 * Every variant with a decoder runs it; Linformer, and flash's fused kernel on an engine without a fused decode kernel,
 * are skipped with the reason.
 */
import { bandwidthAt } from '../measure/ceiling.ts';
import { checkDecodeCase, decodeSubject, decodeUnsupported, stepBytesOf, stepFlopsOf } from '../measure/decode.ts';
import type { DecodeOkLine, DecodeStepTimed, ResultLine } from '../results/types.ts';
import type { Mode } from './types.ts';

export const decode: Mode = {
  name: 'decode',
  summary: 'a generation step against a KV cache: time per step, tokens/s, bytes moved, achieved bandwidth against the roofs',
  sample: 'one decode step at context N: the s new tokens projected, attended over the N cached keys and their own, projected out',
  caseIdSuffix: '|decode',
  readsNewTokens: true,
  timedAcross: ['seqLen'], // a step at 4k and at 16k in the same blocks: the window's constant cost is a paired ratio
  lineFields: ['decode', 'step'] satisfies Array<keyof DecodeOkLine>,
  memoryFactor: 1,
  memoryBytes: stepBytesOf, // a step holds its weights, its cache and the new rows; its scores are s × N per head
  flopsFactor: 1,
  sampleFlops: stepFlopsOf,
  unsupported: decodeUnsupported,
  check: checkDecodeCase,
  subject: decodeSubject,
  workingSetBytes: stepBytesOf,
  timedFields(facts, latency, ceiling) {
    const d = (facts as Omit<DecodeOkLine, 'step'>).decode, ms = latency.median;
    const step: DecodeStepTimed = { msPerStep: ms, tokensPerS: (1000 * facts.shape.batch * d.newTokens) / ms,
      achievedGBs: d.bytes.total / ms / 1e6, gflops: d.flops / ms / 1e6 };
    const bw = bandwidthAt(ceiling, d.bytes.total);
    if (ceiling && bw) {
      const bandwidthMs = d.bytes.total / bw.gbs / 1e6, computeMs = d.flops / ceiling.gflops / 1e6;
      const idealMs = Math.max(bandwidthMs, computeMs);
      step.ideal = { ms: idealMs, fraction: idealMs / ms, bound: bandwidthMs >= computeMs ? 'bandwidth' : 'compute', bandwidthGBs: bw.gbs,
        bandwidthBytes: bw.bytes, bandwidthMs, bandwidthFraction: bandwidthMs / ms, matmulGflops: ceiling.gflops };
    }
    return { step };
  },
  checked(facts) {
    const err = (facts as Omit<DecodeOkLine, 'step'>).decode.relErr;
    return `checked${err === null ? '' : `: rel. error vs rows N+1…N+s of the causal float64 forward ${err.toExponential(1)}`}`;
  },
  report: { forwardPass: false, tag: ' · decode' },
};

/** A measured decode step. */
export const isDecodeOk = (l: ResultLine): l is DecodeOkLine => l.status === 'ok' && l.mode === decode.name;
/** Every decode line, measured or not. */
export const isDecodeLine = (l: ResultLine): boolean => l.mode === decode.name;
