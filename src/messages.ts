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
  unknownCommand: (received: string, commands: readonly string[]) =>
    `attnbench expects a command first: one of ${list(commands)}, e.g. attnbench.mjs bench --suite quick. Received: ${received}`,
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
  resumeWeightsChanged: (file: string, was: string, now: string) =>
    `--resume: ${file} has changed since the run started (sha256 ${was.slice(0, 12)}… then, ${now.slice(0, 12)}… now); use a new --out`,
  resumeMismatch: (dir: string) => `--resume: ${dir}/run.json was written by a different suite; use a new --out`,
  noResults: (dir: string) => `${dir} holds no results.jsonl: give the folder of a run (e.g. results/<run-id>)`,
  badRunMeta: (file: string, problem: string) =>
    `${file} is not an attnbench run.json (${problem}): give the folder of a run written by npm run bench`,
  runLeftOutOfIndex: (file: string, problem: string, index: string) =>
    `warning: ${file} is not an attnbench run.json (${problem}); its folder is left out of ${index}`,
  skippedResultsLine: (file: string, line: number, problem: string) =>
    `warning: ${file}:${line}: not a results line (${problem}); skipped`,
  tornLineMoved: (file: string, line: number, to: string) =>
    `${file}:${line} was torn by an interrupted write: moved to ${to}; `
    + 'its case\'s line is rebuilt from the journal (rounds.jsonl) if every round is there, else its missing rounds run again',
  lineFromJournal: (caseId: string) => `${caseId}: every round is in the journal; its results line is rebuilt from it`,
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
  weightsMissing: (file: string) =>
    `--weights expects a .safetensors file, a .npz file or a folder of .npy files. Received: ${file}, which does not exist`,
  weightsFormat: (file: string) =>
    `--weights expects a .safetensors file, a .npz file or a folder of .npy files. Received: ${file}`,
  badWeightsFile: (file: string, format: string, why: string, flag = '--weights') => `${flag} ${file}: not a valid ${format} file: ${why}`,
  weightsDtype: (tensor: string, dtype: string, accepted: readonly string[], flag = '--weights') =>
    `${flag}: tensor ${tensor} has dtype ${dtype}; accepted: ${list(accepted)} (converted to float32)`,
  npyMissing: (flag: string, file: string) => `${flag} expects a .npy file. Received: ${file}, which does not exist or is a folder`,
  attendInput: (file: string, dtype: string, shape: number[], D: number) =>
    `--input expects a float32 .npy of shape [B, N, ${D}] or [N, ${D}] (D from --weights). `
    + `Received: ${file}, ${dtype} [${shape.join(', ')}]`,
  attendOptions: (received: string) =>
    `--options expects a JSON object of the variant's options, e.g. '{"rank": 16}'. Received: ${received}`,
  weightsNoLayer: (file: string, prefix: string, markers: readonly string[], found: readonly string[]) =>
    `--weights ${file}: no attention layer${prefix ? ` under the prefix '${prefix}'` : ''}: expected one of ${list(markers)}; `
    + `the file holds ${list(found.slice(0, 6))}${found.length > 6 ? ` and ${found.length - 6} more` : ''}`,
  weightsManyLayers: (file: string, prefixes: readonly string[]) =>
    `--weights ${file} holds ${prefixes.length} attention layers: choose one with --weights-prefix, `
    + `e.g. ${list(prefixes.slice(0, 4).map((p) => `'${p}'`))}${prefixes.length > 4 ? ' …' : ''}`,
  weightsTensorMissing: (file: string, tensor: string, weight: string, scheme: string) =>
    `--weights ${file}: tensor ${tensor} (${weight}, ${scheme} names) is missing`,
  weightsTensorShape: (file: string, tensor: string, got: number[], want: number[], dModel: number, marker: string) =>
    `--weights ${file}: tensor ${tensor} has shape [${got.join(', ')}]; expected [${want.join(', ')}] (D = ${dModel}, from ${marker})`,
  weightsDModel: (file: string, dModel: number, given: string) =>
    `--weights ${file} holds a layer of width D = ${dModel}, but the run asks for dModel ${given}: drop --d-model (or the suite's dModel), `
    + 'or give weights of that width',
  weightsHeads: (file: string, dModel: number, heads: number) =>
    `--weights ${file} holds a layer of width D = ${dModel}, which --heads ${heads} does not divide; `
    + `heads must divide ${dModel}, e.g. ${[1, 2, 4, 8, 12, 16, 32].filter((h) => dModel % h === 0).join(', ')}`,
  kvWidthMismatch: (held: number, headWidth: number, kvHeads: number) =>
    `the weights hold K/V projections of width ${held} (${held / headWidth} K/V heads of ${headWidth}), `
    + `which kvHeads ${kvHeads} does not match; use --kv-heads ${held / headWidth}, or a multi-head layer (width D) to mean-pool`,
  decodeLinformer: () => 'linformer cannot decode: its projection E·K mixes every position into every projected key, '
    + 'future ones included, so a token\'s output changes as later tokens arrive (no causal form, no cache)',
  decodeYardstick: () => 'yardstick has no decode step: the engine\'s own module runs a whole sequence, with no KV cache of ours',
  noFusedDecode: () => 'flash kernel=fused decodes through the engine\'s fused decode kernel (Capabilities.fusedDecode), and this '
    + 'engine has none; use kernel=tiled: split-KV over the cache',
  latentNeedsKv: () => 'svd latentCache caches x·U_k and x·U_v: targets must include k and v, e.g. targets=q+k+v+o',
  kvHeadsDivide: (heads: number, kvHeads: number) =>
    `kvHeads must divide heads (heads ${heads}, kvHeads ${kvHeads}), e.g. ${[1, 2, 4, 8, 16].filter((k) => heads % k === 0).join(', ')}`,
  badTfjsKernel: (name: string, received: string) =>
    `${name}='${received}' is not a kernel choice; use loop, batched or measured (the default: each product on its faster kernel)`,
  badSpinning: (name: string, received: string) =>
    `${name}='${received}' is not a spinning choice; use 1 (always), 0 (never) or leave it unset `
    + '(the default: decode steps within a run, other passes never)',
  prefixNeedsWeights: () => '--weights-prefix names a layer inside --weights FILE; give --weights too',
  causalLinformer: () =>
    'linformer cannot be causal: its projection along the sequence mixes future positions into every key (Wang et al. 2020)',
  noFusedKernel: (variant: string) =>
    `${variant}: kernel 'fused' needs an engine whose capabilities declare a fused attention kernel, and this one has none; `
    + 'use kernel=tiled (or kernel=auto: fused where there is one)',
  dtypeUnsupported: (engine: string, dtype: string, has: readonly string[], why?: string) =>
    `${engine} does not compute in ${dtype}${why ? ` (${why})` : ''}; it computes in ${list(has)}`,
  badDtype: (received: string, accepted: readonly string[]) =>
    `--dtype expects one or more of ${list(accepted)}, comma-separated, e.g. float32,bfloat16. Received: ${received}`,
  backendNeedsFused: () => 'backend names a fused kernel; kernel=tiled has none: use kernel=fused or kernel=auto with it',
  noAttentionModule: (module: string, has: readonly string[]) =>
    `yardstick: module '${module}' needs an engine with a plain attention module of its own (torch: mha, and sdpa where `
    + `torch ≥ 2.0); ${has.length ? `this one offers ${list(has)}` : 'this one has none'}`,
  yardstickGrouped: () => 'yardstick: the plain attention modules take one K/V head per query head; this shape shares them (kvHeads)',
  noAttentionBackend: (variant: string, backend: string, has: readonly string[]) =>
    `${variant}: backend '${backend}' needs an engine whose fused attention offers it by name (SDPA, torch ≥ 2.0); `
    + (has.length ? `this one offers ${list(has)}` : 'this one offers none (backend=auto: the engine\'s own choice)'),
  commander: (text: string) => text.replace(/^error: /, ''),
  // Shards and merging (src/run/shard.ts, src/run/merge.ts).
  badShard: (received: string) => `--shard expects i/n with 1 ≤ i ≤ n, e.g. 2/3 (the second of three shards). Received: ${received}`,
  resumeShardMismatch: (dir: string, before: string, now: string) =>
    `--resume: ${dir} holds ${before}, not ${now}; resume each shard into its own folder`,
  mergeArgs: (received: string) =>
    `merge expects --out DIR and one or more shard folders (npm run merge -- --out DIR shard-1 shard-2 …). Received: ${received}`,
  notAShard: (dir: string, why: string) =>
    `${dir} is not a shard of a run (${why}): give folders written by npm run bench -- --shard i/n --out DIR`,
  mergeSuites: (a: string, suiteA: string, b: string, suiteB: string) =>
    `cannot merge different suites: ${a} ran '${suiteA}', ${b} ran '${suiteB}'`,
  mergePlans: (a: string, b: string) =>
    `cannot merge different plans: ${a} and ${b} ran suite settings, engines or cases that differ (their plan fingerprints differ)`,
  mergeCounts: (a: string, shardA: string, b: string, shardB: string) =>
    `cannot merge shards of different splits: ${a} is shard ${shardA}, ${b} is shard ${shardB}`,
  mergeOverlap: (shard: string, a: string, b: string) => `overlapping shards: ${a} and ${b} are both shard ${shard}`,
  mergeDuplicate: (caseId: string, a: string, b: string) => `case '${caseId}' appears twice: in ${a} and in ${b}`,
  mergeForeignCase: (caseId: string, dir: string, shard: string) => `case '${caseId}' in ${dir} is not in the plan of shard ${shard}`,
  mergeReplan: (dir: string) =>
    `${dir}: this version of attnbench plans the suite differently from the version that ran it (plan fingerprints differ); `
    + 'merge with the version that ran the shards',
  mergeMissing: (missing: number, total: number, shards: string) =>
    `${missing} of ${total} planned case(s) are missing (${shards}); merge them with --allow-missing to report what is there`,
  mergeOutHoldsRun: (dir: string) => `--out ${dir} already holds a run (results.jsonl): choose a new folder`,
} as const;
