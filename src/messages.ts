/**
 * Every user-facing message, in one place (a leaf, as vega-lite's log/message.ts). Each names the
 * option or file, says what is accepted, and shows what was received.
 */

/** A mistake of the user's (or of the machine: a full disk): printed as one line, exit code 2, no stack trace. */
export class UserError extends Error {}

/** The first non-empty line of an error message: reasons are one line. */
export function firstLine(msg: string): string {
  return msg.split('\n').find((l) => l.trim() !== '')?.trim() ?? msg;
}

const list = (xs: readonly string[]) => xs.join(', ');

export const messages = {
  positiveInts: (flag: string, received: string) =>
    `${flag} expects positive integers, e.g. 256,1024. Received: ${received}`,
  positiveInt: (flag: string, example: string, received: string) =>
    `${flag} expects a positive integer, e.g. ${example}. Received: ${received}`,
  emptyVariant: (at: number, received: string) =>
    `--variants: configuration ${at} is empty; separate configurations with single commas, e.g. full,lora:rank=16. Received: ${received}`,
  badInlineOption: (pair: string, at: number, received: string) =>
    `--variants: configuration ${at} has '${pair}': options are key=value after the name, e.g. lora:rank=16:merged=true:targets=q+v. `
    + `Received: ${received}`,
  repeatedInlineOption: (key: string, at: number, received: string) =>
    `--variants: configuration ${at} sets option ${key} twice. Received: ${received}`,
  unknownVariant: (name: string, known: readonly string[]) =>
    `unknown variant '${name}'. Known variants: ${list(known)} (see --list)`,
  badVariantOptions: (variant: string, field: string, problem: string) =>
    `variant '${variant}': option ${field}: ${problem} (see --list for its options)`,
  unknownEngine: (name: string, known: readonly string[]) =>
    `--engine expects one of ${list(known)}. Received: ${name}`,
  unknownBackend: (received: string, valid: readonly string[]) => `--backend expects one of ${list(valid)}. Received: ${received}`,
  noEngineAvailable: (tried: ReadonlyArray<{ id: string; reason?: string }>) =>
    `no available engine found. ERR: ${tried.map((i) => `[${i.id}] ${i.reason}`).join(', ')}`,
  unknownSuite: (name: string, builtins: readonly string[]) =>
    `--suite expects a built-in suite (${list(builtins)}) or a path to a suite .json file. Received: ${name}`,
  badSuite: (where: string, field: string, problem: string) => `suite ${where}: ${field}: ${problem}`,
  resumeNeedsOut: () => '--resume needs --out DIR naming the run to continue',
  resumeMismatch: (dir: string) => `--resume: ${dir}/run.json was written by a different suite; use a new --out`,
  noResults: (dir: string) => `${dir} holds no results.jsonl: give the folder of a run (e.g. results/<run-id>)`,
  skippedResultsLine: (file: string, line: number, problem: string) =>
    `warning: ${file}:${line}: not a results line (${problem}); skipped`,
  tornLineMoved: (file: string, line: number, to: string) =>
    `${file}:${line} was torn by an interrupted write: moved to ${to}; its case runs again`,
  runFolderInUse: (dir: string, pid: number) =>
    `run folder in use by pid ${pid}: ${dir} has one writer at a time; wait for it, or choose another --out`,
  outIsFile: (dir: string) => `--out expects a folder (new or a run's). Received: ${dir}, which is a file`,
  outUnwritable: (dir: string, why: string) => `--out ${dir} cannot be written (${why}); choose a writable folder`,
  writeFailed: (file: string, why: string) =>
    `could not write ${file} (${why}); every line written before is kept: free space, then continue with --resume`,
  reportArgs: (received: string) =>
    'report expects a run folder (npm run report -- results/<run-id>) or --publish OUTDIR [RESULTS_ROOT] '
      + `(RESULTS_ROOT defaults to results). Received: ${received}`,
  notAFolder: (what: string, received: string) => `${what} expects a folder. Received: ${received}`,
  noRuns: (root: string) => `${root} holds no runs to publish (folders with run.json and results.jsonl)`,
  publishOntoItself: (dir: string) => `--publish OUTDIR must differ from the results folder it copies. Received: ${dir}`,
  threshold: (received: string) => `--threshold expects a ratio of at least 1, e.g. 1.10 (10 % slower). Received: ${received}`,
  causalLinformer: () =>
    'linformer cannot be causal: its projection along the sequence mixes future positions into every key (Wang et al. 2020)',
  noFusedKernel: (variant: string) =>
    `${variant}: kernel 'fused' needs an engine with a fused attention kernel (onnx has one, tfjs none); use kernel=tiled`,
  commander: (text: string) => text.replace(/^error: /, ''),
} as const;
