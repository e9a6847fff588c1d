/**
 * Suite → cases. One case = one variant configuration × one engine/backend × one shape × one mode
 * (a forward pass, or a training step), run in a process of its own. Cases run in a shuffled order
 * drawn from the suite's seed, so a slow spell of the machine spreads over variants instead of
 * landing on one of them; the order is the same for the same suite and seed.
 */
import type { EngineInfo } from '../engine/types.ts';
import { createRng } from '../linalg/rng.ts';
import { getVariant, VARIANT_NAMES } from '../variants/index.ts';
import type { Shape } from '../variants/types.ts';
import { UserError, messages } from '../cli/messages.ts';
import type { Suite, VariantSpec } from './suite.ts';
import type { CaseMode, TimingSettings } from './result.ts';

export interface Case {
  caseId: string;
  runId: string;
  mode: CaseMode;
  variant: string;
  options: Record<string, unknown>;
  label: string;
  engine: EngineInfo;
  shape: Shape;
  seed: number;
  weights: Suite['weights'];
  input: Suite['input'];
  timing: TimingSettings;
}

/** Validates a variant spec against the registry and the variant's option schema. */
export function resolveVariant(spec: VariantSpec): { name: string; options: Record<string, unknown>; label: string } {
  const { name, options, label } = typeof spec === 'string' ? { name: spec, options: {}, label: undefined } : spec;
  const variant = getVariant(name);
  if (!variant) throw new UserError(messages.unknownVariant(name, VARIANT_NAMES));
  const parsed = variant.options.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(messages.badVariantOptions(name, issue.path.join('.') || '(options)', issue.message));
  }
  return { name, options: parsed.data as Record<string, unknown>, label: label ?? variant.describe(parsed.data) };
}

export function planCases(suite: Suite, engines: EngineInfo[], runId: string): Case[] {
  const variants = suite.variants.map(resolveVariant);
  const cases: Case[] = [];
  for (const seqLen of suite.seqLen) {
    const shape = { batch: suite.batch, seqLen, dModel: suite.dModel, heads: suite.heads };
    for (const v of variants) {
      for (const engine of engines) {
        for (const mode of suite.modes) {
          // Inference caseIds are as they were before train mode, so older runs still resume.
          const caseId = `${v.label}|${engine.id}|B${shape.batch}N${seqLen}D${shape.dModel}H${shape.heads}${mode === 'train' ? '|train' : ''}`;
          cases.push({ caseId, runId, mode, variant: v.name, options: v.options, label: v.label, engine, shape,
            seed: suite.seed, weights: suite.weights, input: suite.input, timing: { ...suite.timing, downloadInside: true } });
        }
      }
    }
  }
  return shuffle(cases, suite.seed);
}

function shuffle<T>(xs: T[], seed: number): T[] {
  const rng = createRng(`order:${seed}`);
  const out = xs.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
