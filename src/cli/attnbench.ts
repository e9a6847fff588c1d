/**
 * The single entry of the bundle (scripts/bundle.mjs → dist/attnbench/attnbench.mjs): the command
 * first, then its flags, as `npm run <command> -- …` takes them:
 *   node attnbench.mjs bench --suite quick | report DIR | compare A B | merge … | attend …
 * In the bundle every module shares one URL, so the commands' own "am I the main module" checks
 * are switched off here (format.ts: entry) and the command is loaded and called by name.
 */
import { messages, UserError } from '../messages.ts';
import { entry, runCli } from './format.ts';

const COMMANDS: Record<string, () => Promise<(argv: string[]) => Promise<number>>> = {
  bench: async () => (await import('./bench.ts')).bench,
  report: async () => (await import('./report.ts')).report,
  compare: async () => (await import('./compare.ts')).compare,
  merge: async () => (await import('./merge.ts')).merge,
  attend: async () => (await import('./attend.ts')).attend,
};

entry.dispatching = true;
const [command, ...argv] = process.argv.slice(2);
runCli(async () => {
  const load = COMMANDS[command ?? ''];
  if (!load) throw new UserError(messages.unknownCommand(command ?? '(none)', Object.keys(COMMANDS)));
  return (await load())(argv);
});
