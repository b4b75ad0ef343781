/**
 * ed25519 verification (`Ed25519Verifier` of `@zkpin/sdk/node`: the native addon, else
 * node:crypto) off the event loop: a batch is split over worker threads (ed25519-worker.ts)
 * and packed into one transferred buffer per worker (ed25519-batch.ts). With 0 threads it
 * verifies inline.
 */
import { Worker } from 'node:worker_threads';
import {
  Ed25519Verifier,
  ed25519BackendFromEnv,
  resolveEd25519Backend,
  type Ed25519Backend,
  type Ed25519BackendChoice,
} from '@zkpin/sdk/node';
import {
  packBatch,
  type SignedMessage,
  type VerifyRequest,
  type VerifyResponse,
} from './ed25519-batch.ts';

const WORKER_URL = new URL('./ed25519-worker.ts', import.meta.url);

/** The worker; run from TypeScript sources, started through tsx-worker.mjs. */
function startWorker(workerData: Ed25519WorkerData): Worker {
  if (!WORKER_URL.pathname.endsWith('.ts')) return new Worker(WORKER_URL, { workerData });
  // tsx's loader reads `workerData` in a worker thread: it must be an object.
  return new Worker(new URL('./tsx-worker.mjs', import.meta.url), {
    workerData,
    argv: [WORKER_URL.href],
  });
}

/** What a worker is started with. */
export interface Ed25519WorkerData {
  backend: Ed25519Backend;
}

interface Flight {
  resolve: (out: Uint8Array) => void;
  reject: (e: Error) => void;
}

export class Ed25519Pool {
  private readonly workers: Worker[] = [];
  private readonly flights = new Map<Worker, Map<number, Flight>>();
  private readonly inline: Ed25519Verifier;
  /** The backend of the pool and its workers (resolved here: `native` without the addon throws). */
  readonly backend: Ed25519Backend;
  private nextId = 0;
  private nextWorker = 0;

  /**
   * @param maxMessageBytes the longest message a worker batch carries (longer ones cannot verify)
   * @param onWorkerError told when a worker fails and leaves the pool
   * @param backend `auto` (default: `ZKPIN_ED25519_BACKEND`, else `auto`), `native` or `node`
   */
  constructor(
    threads: number,
    private readonly maxMessageBytes: number,
    private readonly onWorkerError: (e: Error) => void = () => undefined,
    backend: Ed25519BackendChoice = ed25519BackendFromEnv(),
  ) {
    this.backend = resolveEd25519Backend(backend);
    this.inline = new Ed25519Verifier(undefined, this.backend);
    for (let i = 0; i < threads; i++) {
      const w = startWorker({ backend: this.backend });
      const flights = new Map<number, Flight>();
      this.flights.set(w, flights);
      w.on('message', ({ id, out }: VerifyResponse) => {
        flights.get(id)?.resolve(out);
        flights.delete(id);
        if (flights.size === 0) w.unref();
      });
      // A worker that fails fails its batches (the caller reports them as transient) and
      // leaves the pool; without workers, the pool verifies inline.
      w.on('error', (e) => this.fail(w, e));
      w.on('exit', (code) => this.fail(w, new Error(`ed25519 worker exited with code ${code}`)));
      // An idle worker does not keep the process alive; one with batches in flight does.
      w.unref();
      this.workers.push(w);
    }
  }

  /** Worker threads running (0: verifying inline). */
  get threads(): number {
    return this.workers.length;
  }

  /**
   * Resolves once every worker has loaded and answered an empty batch, or failed (it then left
   * the pool, reported to `onWorkerError`, as any failing worker does).
   */
  async ready(): Promise<void> {
    await Promise.all(
      this.workers.map((w) => this.sendTo(w, new Uint8Array(0)).catch(() => undefined)),
    );
  }

  /** Whether each item's signature verifies; rejects only when a worker fails. */
  async verifyBatch(items: readonly SignedMessage[]): Promise<boolean[]> {
    if (this.workers.length === 0)
      return items.map(
        (it) =>
          it.message.length <= this.maxMessageBytes &&
          this.inline.verify(it.publicKey, it.message, it.signature),
      );
    const ok = new Array<boolean>(items.length).fill(false);
    // Only items of the packed format go to the workers; any other can not verify.
    const packable: number[] = [];
    items.forEach((it, i) => {
      if (
        it.publicKey.length === 32 &&
        it.message.length <= this.maxMessageBytes &&
        it.signature.length === 64
      )
        packable.push(i);
    });
    const per = Math.ceil(packable.length / this.workers.length);
    const parts: Promise<void>[] = [];
    for (let start = 0; start < packable.length; start += per) {
      const indices = packable.slice(start, start + per);
      const buf = packBatch(indices.map((i) => items[i]!));
      parts.push(this.send(buf).then((out) => indices.forEach((i, j) => (ok[i] = out[j] === 1))));
    }
    await Promise.all(parts);
    return ok;
  }

  private send(buf: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
    return this.sendTo(this.workers[this.nextWorker++ % this.workers.length], buf);
  }

  private sendTo(w: Worker | undefined, buf: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
    const flights = w && this.flights.get(w);
    if (!w || !flights) return Promise.reject(new Error('the ed25519 pool is closed'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (flights.size === 0) w.ref();
      flights.set(id, { resolve, reject });
      const request: VerifyRequest = { id, buf };
      w.postMessage(request, [buf.buffer]);
    });
  }

  private fail(w: Worker, e: Error): void {
    if (!this.workers.includes(w)) return;
    this.onWorkerError(e);
    this.drop(w, e);
  }

  private drop(w: Worker, e: Error): void {
    const i = this.workers.indexOf(w);
    if (i >= 0) this.workers.splice(i, 1);
    const flights = this.flights.get(w);
    for (const f of flights?.values() ?? []) f.reject(e);
    this.flights.delete(w);
  }

  /** Terminates the workers; batches still in flight reject. */
  async close(): Promise<void> {
    const workers = [...this.workers];
    for (const w of workers) this.drop(w, new Error('the ed25519 pool is closed'));
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
