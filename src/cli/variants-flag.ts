/**
 * `--variants` on the command line: configurations separated by commas, each a variant name with
 * its options inline, `name[:key=value[:key=value…]]`:
 *
 *   full,lora:rank=16:merged=true,svd:energy=0.9,lora:rank=4:targets=q+k+v
 *
 * A value is read as a boolean (`true`, `false`), a number (`16`, `0.9`, `1e-3`), a list (`q+k+v`:
 * its items read the same way), or else a string. Commas, colons, `=` and `+` only ever separate,
 * so the syntax is unambiguous; option names and values are checked by the variant's own schema
 * (src/run/plan.ts, resolveVariant), with the same one-line errors as suite files.
 */
import { UserError, messages } from '../messages.ts';

export type InlineSpec = string | { name: string; options: Record<string, unknown> };

function scalar(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  if (/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(text)) return Number(text);
  return text;
}

const valueOf = (text: string): unknown => (text.includes('+') ? text.split('+').map(scalar) : scalar(text));

/** One configuration, `name[:key=value…]`, at 1-based position `at` of `whole`. */
function configuration(entry: string, at: number, whole: string): InlineSpec {
  const [name, ...pairs] = entry.split(':');
  if (pairs.length === 0) return name;
  const options: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq), value = pair.slice(eq + 1);
    if (eq <= 0 || value === '' || value.split('+').some((v) => v === '')) throw new UserError(messages.badInlineOption(pair, at, whole));
    if (key in options) throw new UserError(messages.repeatedInlineOption(key, at, whole));
    options[key] = valueOf(value);
  }
  return { name, options };
}

export function parseVariantsFlag(value: string): InlineSpec[] {
  return value.split(',').map((raw, i) => {
    const entry = raw.trim();
    if (entry === '' || entry.startsWith(':')) throw new UserError(messages.emptyVariant(i + 1, value));
    return configuration(entry, i + 1, value);
  });
}

/** `name:key=value:…` of a configuration, as the flag takes it (for --list's examples). */
export function inlineOf(name: string, options: Record<string, unknown>): string {
  const text = (v: unknown) => (Array.isArray(v) ? v.join('+') : String(v));
  return [name, ...Object.entries(options).map(([k, v]) => `${k}=${text(v)}`)].join(':');
}
