/**
 * Fixed result lines and run.json for the report tests: every number is chosen, so specs,
 * findings and comparisons can be checked against hand-computed values.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunMeta } from '../../src/results/run-meta.ts';
import type { FailedLine, OkLine, ResultLine } from '../../src/results/types.ts';
import { RESULTS_FILE, RUN_FILE } from '../../src/results/store.ts';
import { parseSuite } from '../../src/run/suite.ts';
import type { ParamCount } from '../../src/results/types.ts';

export const D = 64;
const BASE_PARAMS = 4 * D * D + 4 * D;

export interface LineSpec {
  variant?: string;
  label?: string;
  engine?: 'onnx' | 'tfjs';
  backend?: string;
  seqLen?: number;
  /** Median latency, ms. */
  median?: number;
  /** p25 = median·(1 − spread/2), p75 = median·(1 + spread/2). */
  spread?: number;
  params?: ParamCount;
  peakBytes?: number;
  relErrVsFull?: number | null;
  extra?: Record<string, unknown>;
  runId?: string;
}

const shapeOf = (seqLen: number) => ({ batch: 1, seqLen, dModel: D, heads: 4 });
const caseIdOf = (label: string, engine: string, backend: string, seqLen: number) => `${label}|${engine}/${backend}|B1N${seqLen}D${D}H4`;

function base(s: LineSpec) {
  const { variant = 'full', label = 'full attention', engine = 'onnx', backend = engine === 'onnx' ? 'cpu' : 'wasm', seqLen = 128 } = s;
  return { schema: 1 as const, runId: s.runId ?? 'run-a', caseId: caseIdOf(label, engine, backend, seqLen), mode: 'inference' as const,
    variant, options: {}, label,
    engine, backend, device: 'cpu', shape: shapeOf(seqLen),
    timing: { rounds: 3, timeMs: 100, warmupMs: 10, warmupIterations: 2, minSamples: 5, targetRme: 2, downloadInside: true },
    finishedAt: '2026-11-29T10:00:00.000Z' };
}

/** Nine samples median·(1 + spread·k/4), k = −4…4: p25 and p75 fall on k = ∓2. */
export function samplesAround(median: number, spread: number): number[] {
  return [-4, -3, -2, -1, 0, 1, 2, 3, 4].map((k) => median * (1 + (spread * k) / 4));
}

/** Three timing rounds of the same nine samples, a second apart from 10:00:00. */
export function roundsAround(median: number, spread: number) {
  return [1, 2, 3].map((round) => ({ round, startedAt: `2026-11-29T10:00:0${2 * round - 2}.000Z`,
    endedAt: `2026-11-29T10:00:0${2 * round - 1}.000Z`, median, samplesMs: samplesAround(median, spread), clock: 'performance.now',
    downloadInside: true }));
}

export function okLine(s: LineSpec): OkLine {
  const median = s.median ?? 1, spread = s.spread ?? 0.02, samples = samplesAround(median, spread);
  const rounds = roundsAround(median, spread);
  const b = base(s), flops = 8 * b.shape.seqLen * D * D + 4 * b.shape.seqLen ** 2 * D;
  return { ...b, timing: { ...b.timing, clock: 'performance.now' }, status: 'ok',
    params: s.params ?? { total: BASE_PARAMS, trainable: BASE_PARAMS, inference: BASE_PARAMS }, flops,
    latencyMs: { median, mean: median, p25: samples[2], p75: samples[6], p99: samples[8], min: samples[0], max: samples[8],
      rme: spread * 50, samples: samples.length },
    samplesMs: rounds.flatMap((r) => r.samplesMs).sort((a, b) => a - b), rounds, roundSpread: 0, overheadMs: 0.001, noisy: [],
    gflops: flops / median / 1e6,
    memory: { peakBytes: s.peakBytes ?? 4 * 2 * 4 * b.shape.seqLen ** 2, source: 'fixture',
      analyticBytes: 4 * 2 * 4 * b.shape.seqLen ** 2 },
    accuracy: s.relErrVsFull === null ? { relErr: null, reference: 'not measured', relErrVsFull: null }
      : { relErr: 1e-7, reference: 'float64 fixture reference', relErrVsFull: s.relErrVsFull ?? 1e-7 },
    ...s.extra } as OkLine;
}

export function failedLine(s: LineSpec & { status: 'skipped' | 'error'; reason: string }): FailedLine {
  return { ...base(s), status: s.status, reason: s.reason, params: s.params ?? null, flops: null };
}

export const SEQ = [128, 256, 512, 1024];
const LORA = (merged: boolean) => `LoRA r=8 α=16 on q,v (${merged ? 'merged' : 'unmerged'})`;
const LORA_TRAINABLE = 2 * 2 * D * 8;

/**
 * A two-engine run. Full: latency (N/128)² ms on onnx, 2× that on tfjs; memory ∝ N².
 * Window: 2·N/128 ms (speed-up 0.5, 1, 2, 4: faster from N=512); linformer: always 3× slower on tfjs.
 * LoRA merged +0.3 % (IQRs overlap), unmerged +7 % with a 2 % spread (they do not).
 * SVD: rel. error vs full 0.07…0.08, retained energy 0.93 (lowest target).
 */
export function fixtureRun(): ResultLine[] {
  const lines: ResultLine[] = [];
  for (const engine of ['onnx', 'tfjs'] as const) {
    const k = engine === 'onnx' ? 1 : 2;
    for (const seqLen of SEQ) {
      const full = k * (seqLen / 128) ** 2;
      lines.push(okLine({ engine, seqLen, median: full }));
      lines.push(okLine({ engine, seqLen, variant: 'lora', label: LORA(true), median: full * 1.003,
        params: { total: BASE_PARAMS, trainable: 0, inference: BASE_PARAMS }, relErrVsFull: 0.1,
        extra: { options: { rank: 8, alpha: 16, targets: ['q', 'v'], merged: true }, details: { adapterParams: LORA_TRAINABLE } } }));
      lines.push(okLine({ engine, seqLen, variant: 'lora', label: LORA(false), median: full * 1.07,
        params: { total: BASE_PARAMS + LORA_TRAINABLE, trainable: LORA_TRAINABLE, inference: BASE_PARAMS + LORA_TRAINABLE },
        relErrVsFull: 0.1,
        extra: { options: { rank: 8, alpha: 16, targets: ['q', 'v'], merged: false }, details: { adapterParams: LORA_TRAINABLE } } }));
      lines.push(okLine({ engine, seqLen, variant: 'sparse-window', label: 'sliding window w=64', median: 2 * k * (seqLen / 128),
        peakBytes: 4 * 3 * seqLen * 64, relErrVsFull: 0.5 }));
      lines.push(okLine({ engine, seqLen, variant: 'svd', label: 'SVD r=16', median: full / 1.25,
        relErrVsFull: seqLen === 1024 ? 0.08 : 0.07,
        extra: { details: { svd: { q: { rank: 16, energy: 0.95, relError: 0.2 }, k: { rank: 16, energy: 0.93, relError: 0.2 } } } } }));
    }
  }
  for (const seqLen of SEQ) {
    lines.push(okLine({ engine: 'tfjs', seqLen, variant: 'linformer', label: 'Linformer k=32', median: 6 * (seqLen / 128) ** 2 }));
  }
  lines.push(failedLine({ seqLen: 2048, status: 'skipped', reason: 'out of memory: the case exceeded its 4096 MB JavaScript heap' }));
  return lines;
}

export function fixtureMeta(over: Partial<RunMeta> = {}): RunMeta {
  return { schema: 1, runId: 'run-a', argv: ['--suite', 'fixture'], startedAt: '2026-11-29T10:00:00.000Z',
    finishedAt: '2026-11-29T10:05:00.000Z',
    suite: parseSuite({ name: 'fixture', description: 'Fixed numbers.', variants: ['full'], seqLen: SEQ, dModel: D, heads: 4,
      weights: { init: 'spectrum', decay: 1 } }, 'fixture'),
    environment: { cpuModel: 'Fixture CPU', cores: 2, totalMemory: 8 * 2 ** 30, freeMemory: 4 * 2 ** 30, os: 'Linux', node: 'v20.0.0',
      loadAverage: { start: [0.1, 0.1, 0.1], end: [0.2, 0.2, 0.2] } },
    engines: [], selected: ['onnx/cpu', 'tfjs/wasm'], fallbacks: [], cases: 42,
    load: [0, 2, 4, 6].map((t) => ({ at: `2026-11-29T10:00:0${t}.000Z`, load1: 0.5 + t / 10, runnable: t % 4 === 0 ? 1 : 2 })), ...over };
}

/** A label that closes the script element it might be pasted into. */
export const XSS = '</script><script>alert(1)</script>';

/** A run whose suite name, description and a label try to inject script. */
export function hostileRun() {
  const label = `evil ${XSS}`;
  const lines = [128, 256].flatMap((seqLen) => [okLine({ seqLen, median: seqLen / 64 }),
    okLine({ seqLen, variant: 'sparse-window', label, median: seqLen / 100, relErrVsFull: 0.3, extra: { noisy: [`rme ${XSS}`] } })]);
  const meta = fixtureMeta({ suite: parseSuite({ name: `suite ${XSS}`, description: `about ${XSS}`, variants: ['full'],
    seqLen: [128, 256] }, 'x') });
  return { lines, meta, label };
}

/** Writes a run folder (run.json and results.jsonl) and returns its path. */
export function writeRun(dir: string, lines: ResultLine[], meta: RunMeta = fixtureMeta()): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, RUN_FILE), JSON.stringify(meta));
  writeFileSync(path.join(dir, RESULTS_FILE), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
  return dir;
}
