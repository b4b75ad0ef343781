/**
 * ed25519 verification (node:crypto) off the event loop: readings are packed in batches
 * (key 32 || message 148 || signature 64 per item) and verified by worker threads, which
 * cache each device's KeyObject. With `threads: 0` it verifies inline.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { READING_MESSAGE_BYTES } from '@zkpin/sdk';

const ITEM = 32 + READING_MESSAGE_BYTES + 64;
const SPKI_PREFIX_HEX = '302a300506032b6570032100';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const ITEM = ${ITEM}, MSG = ${READING_MESSAGE_BYTES};
const prefix = Buffer.from('${SPKI_PREFIX_HEX}', 'hex');
const keys = new Map();
parentPort.on('message', ({ id, buf }) => {
  const b = Buffer.from(buf);
  const n = b.length / ITEM;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * ITEM;
    const kh = b.toString('hex', o, o + 32);
    let key = keys.get(kh);
    if (!key) {
      if (keys.size > 100000) keys.clear();
      key = createPublicKey({ key: Buffer.concat([prefix, b.subarray(o, o + 32)]), format: 'der', type: 'spki' });
      keys.set(kh, key);
    }
    try { out[i] = verify(null, b.subarray(o + 32, o + 32 + MSG), key, b.subarray(o + 32 + MSG, o + ITEM)) ? 1 : 0; } catch { out[i] = 0; }
  }
  parentPort.postMessage({ id, out }, [out.buffer]);
});
`;

interface Item {
  key: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
  resolve: (ok: boolean) => void;
}

export class Ed25519Pool {
  private readonly workers: Worker[] = [];
  private readonly inflight = new Map<number, Item[]>();
  private pending: Item[] = [];
  private scheduled = false;
  private nextId = 0;
  private nextWorker = 0;
  private readonly keys = new Map<string, KeyObject>();

  constructor(threads: number) {
    for (let i = 0; i < threads; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.on('message', ({ id, out }: { id: number; out: Uint8Array }) => {
        const items = this.inflight.get(id);
        this.inflight.delete(id);
        items?.forEach((it, j) => it.resolve(out[j] === 1));
      });
      w.unref();
      this.workers.push(w);
    }
  }

  verify(key: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (this.workers.length === 0)
      return Promise.resolve(this.verifyInline(key, message, signature));
    if (message.length !== READING_MESSAGE_BYTES || key.length !== 32 || signature.length !== 64)
      return Promise.resolve(false);
    return new Promise((resolve) => {
      this.pending.push({ key, message, signature, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const all = this.pending;
    this.pending = [];
    // Split the batch over the workers.
    const per = Math.ceil(all.length / this.workers.length);
    for (let start = 0; start < all.length; start += per) {
      const items = all.slice(start, start + per);
      const buf = new Uint8Array(items.length * ITEM);
      items.forEach((it, i) => {
        const o = i * ITEM;
        buf.set(it.key, o);
        buf.set(it.message, o + 32);
        buf.set(it.signature, o + 32 + READING_MESSAGE_BYTES);
      });
      const id = this.nextId++;
      this.inflight.set(id, items);
      const w = this.workers[this.nextWorker++ % this.workers.length]!;
      w.postMessage({ id, buf }, [buf.buffer]);
    }
  }

  private verifyInline(key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const hex = Buffer.from(key).toString('hex');
    let k = this.keys.get(hex);
    if (!k) {
      k = createPublicKey({
        key: Buffer.concat([Buffer.from(SPKI_PREFIX_HEX, 'hex'), key]),
        format: 'der',
        type: 'spki',
      });
      this.keys.set(hex, k);
    }
    return verify(null, message, k, signature);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
    for (const items of this.inflight.values()) for (const it of items) it.resolve(false);
    this.inflight.clear();
  }
}
