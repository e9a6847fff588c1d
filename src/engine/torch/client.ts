/**
 * The harness's side of the torch worker (worker.py): starts `python worker.py --serve`, sends
 * requests as JSON lines (each followed by its raw payload), and matches each answer to its
 * request. One worker per device and process, started at the first request and kept until the
 * process ends; a worker that dies fails the request in flight with its exit and last stderr
 * line, and the next request starts a fresh one.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';

/** The interpreter the torch engine runs: `ATTNBENCH_PYTHON`, default `python3`. */
export const pythonOf = (): string => process.env.ATTNBENCH_PYTHON || 'python3';

/** worker.py beside this file (sources), or beside the bundle's entry (dist/attnbench/). */
export function workerScript(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, 'worker.py'), path.join(here, 'torch-worker.py')];
  return candidates.find((f) => existsSync(f)) ?? candidates[0];
}

export interface Answer {
  header: Record<string, unknown>;
  payload: Buffer;
}

interface Pending {
  resolve(a: Answer): void;
  reject(e: Error): void;
}

/** One live worker process and its parser of answers. */
export class TorchWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  private header: Record<string, unknown> | null = null;
  private stderrTail = '';
  private nextId = 1;
  private inFlight = 0;
  private ready: Promise<Answer>;
  private readyWaiter?: Pending;
  dead: Error | null = null;

  constructor(device: string, threads: number, env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(pythonOf(), [workerScript(), '--serve', device, String(threads)], { env, stdio: 'pipe' });
    this.ready = new Promise((resolve, reject) => { this.readyWaiter = { resolve, reject }; });
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => { this.stderrTail = (this.stderrTail + chunk.toString()).slice(-4000); });
    this.child.on('error', (e) => this.fail(new Error(`torch worker could not start ${pythonOf()}: ${e.message}`)));
    this.child.on('exit', (code, signal) => {
      const last = this.stderrTail.trim().split('\n').at(-1);
      this.fail(new Error(`torch worker (${pythonOf()}) exited ${signal ? `by ${signal}` : `with code ${code}`}`
        + (last ? `: ${last}` : '')));
    });
    this.idle();
  }

  /** Sends one request; resolves with its answer, rejects with the worker's error or its death. */
  async request(header: Record<string, unknown>, payload: Uint8Array[] = []): Promise<Answer> {
    if (this.dead) throw this.dead;
    if (this.inFlight++ === 0) this.busy();
    try {
      const started = await this.ready;
      if (started.header.error) throw new Error(`torch worker: ${String(started.header.error)}`);
      const id = this.nextId++;
      const bytes = payload.reduce((n, p) => n + p.byteLength, 0);
      const answer = new Promise<Answer>((resolve, reject) => this.pending.set(id, { resolve, reject }));
      this.child.stdin.write(`${JSON.stringify({ ...header, id, ...(bytes && { bytes }) })}\n`);
      for (const p of payload) this.child.stdin.write(p);
      const a = await answer;
      if (a.header.error) throw new Error(String(a.header.error));
      return a;
    } finally {
      if (--this.inFlight === 0) this.idle();
    }
  }

  /** Ends the worker (it also ends when this process does: its stdin closes). */
  close(): void {
    this.child.stdin.end();
  }

  /** Chunks arrive in 64 KiB pieces: they are joined once an answer is complete, never one by one (quadratic). */
  private onData(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.chunkBytes += chunk.length;
    for (;;) {
      if (!this.header) {
        if (chunk.indexOf(10) < 0 && this.chunks.length > 1) return;
        const joined = this.join(), nl = joined.indexOf(10);
        if (nl < 0) return;
        this.header = JSON.parse(joined.subarray(0, nl).toString()) as Record<string, unknown>;
        this.keep(joined.subarray(nl + 1));
      }
      const n = Number(this.header.bytes ?? 0);
      if (this.chunkBytes < n) return;
      const joined = this.join();
      const answer = { header: this.header, payload: Buffer.from(joined.subarray(0, n)) };
      this.keep(joined.subarray(n));
      this.header = null;
      this.deliver(answer);
      chunk = joined.subarray(n);
    }
  }

  private join(): Buffer {
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.chunkBytes);
  }

  private keep(rest: Buffer): void {
    this.chunks = [rest];
    this.chunkBytes = rest.length;
  }

  private deliver(a: Answer): void {
    if (a.header.ready || (a.header.error && a.header.id === undefined)) {
      this.readyWaiter?.resolve(a);
      return;
    }
    const id = Number(a.header.id);
    const p = this.pending.get(id);
    this.pending.delete(id);
    p?.resolve(a);
  }

  private fail(e: Error): void {
    if (this.dead) return;
    this.dead = e;
    this.readyWaiter?.reject(e);
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  /** A worker waiting for requests does not keep this process alive; one answering does. */
  private idle(): void {
    this.child.unref();
    for (const s of this.pipes()) s.unref();
  }

  private busy(): void {
    this.child.ref();
    for (const s of this.pipes()) s.ref();
  }

  /** The child's stdio: pipes, which Node makes sockets (typed as plain streams). */
  private pipes(): Socket[] {
    return [this.child.stdin, this.child.stdout, this.child.stderr] as unknown as Socket[];
  }
}

const workers = new Map<string, TorchWorker>();

/** The live worker of `device` in this process, started afresh when there is none or it died. */
export function workerFor(device: string, threads: number, env?: NodeJS.ProcessEnv): TorchWorker {
  const key = `${device}:${threads}`;
  let w = workers.get(key);
  if (!w || w.dead) {
    w = new TorchWorker(device, threads, env);
    workers.set(key, w);
  }
  return w;
}
