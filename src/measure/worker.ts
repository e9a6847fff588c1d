/**
 * Child-process entry: receives one Case over IPC, measures it, sends back one ResultLine, exits.
 * One case per process, so cases share no heap, JIT state or allocator caches.
 */
import type { Case } from '../run/plan.ts';
import { failedLine, measureCase } from './case.ts';

process.once('message', (c: Case) => {
  measureCase(c)
    .catch((e: unknown) => failedLine(c, 'error', e instanceof Error ? e.message : String(e)))
    .then((line) => process.send!(line, () => process.exit(0)));
});
