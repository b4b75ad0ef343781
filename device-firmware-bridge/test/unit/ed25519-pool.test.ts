/**
 * The ed25519 pool verifies in its worker threads (ed25519-worker.ts) under vitest and under
 * the tsx CLI that runs the bridge, and gives the same answers inline.
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { READING_MESSAGE_MAX_BYTES, readingMessageBytes } from '@zkpin/sdk';
import { Ed25519Pool } from '../../src/ed25519-pool.ts';
import type { SignedMessage } from '../../src/ed25519-batch.ts';

function keyPair() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return { publicKey: new Uint8Array(raw), privateKey };
}

/** Items and whether each must verify: good ones from two keys, and each way to be wrong. */
function cases(): { items: SignedMessage[]; expected: boolean[] } {
  const a = keyPair();
  const b = keyPair();
  const items: SignedMessage[] = [];
  const expected: boolean[] = [];
  const add = (it: SignedMessage, ok: boolean) => {
    items.push(it);
    expected.push(ok);
  };
  // Reading messages of windows 1, 16, 48 and the largest, mixed in one batch.
  const lengths = [1, 16, 48, 465, 16, 48].map(readingMessageBytes);
  for (let i = 0; i < 6; i++) {
    const k = i % 2 ? a : b;
    const message = randomBytes(lengths[i]!);
    add({ publicKey: k.publicKey, message, signature: sign(null, message, k.privateKey) }, true);
  }
  const message = randomBytes(readingMessageBytes(16));
  const signature = sign(null, message, a.privateKey);
  const flipped = Buffer.from(signature);
  flipped[10]! ^= 1;
  const otherMessage = Buffer.from(message);
  otherMessage[0]! ^= 1;
  add({ publicKey: a.publicKey, message, signature: flipped }, false);
  add({ publicKey: a.publicKey, message: otherMessage, signature }, false);
  add({ publicKey: b.publicKey, message, signature }, false);
  add({ publicKey: a.publicKey, message: message.subarray(1), signature }, false);
  add({ publicKey: a.publicKey.subarray(1), message, signature }, false);
  add({ publicKey: a.publicKey, message, signature }, true);
  // Longer than any reading message: never packed for a worker, never valid.
  const long = randomBytes(READING_MESSAGE_MAX_BYTES + 1);
  add({ publicKey: a.publicKey, message: long, signature: sign(null, long, a.privateKey) }, false);
  return { items, expected };
}

describe('Ed25519Pool', () => {
  it.each([
    [0, 'native'],
    [1, 'native'],
    [3, 'native'],
    [0, 'node'],
    [2, 'node'],
  ] as const)(
    'verifies a batch with %i worker threads (0: inline), %s ed25519',
    async (threads, backend) => {
      const { items, expected } = cases();
      const failures: Error[] = [];
      const pool = new Ed25519Pool(
        threads,
        READING_MESSAGE_MAX_BYTES,
        (e) => failures.push(e),
        backend,
      );
      expect(pool.backend).toBe(backend);
      try {
        expect(await pool.verifyBatch(items)).toEqual(expected);
        // Twice: the second batch runs on the workers' cached KeyObjects.
        expect(await pool.verifyBatch(items)).toEqual(expected);
        expect(pool.threads).toBe(threads);
        expect(failures).toEqual([]);
      } finally {
        await pool.close();
      }
    },
  );

  it('verifies in worker threads under the tsx CLI (how `npm start` runs the bridge)', async () => {
    const { items, expected } = cases();
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    const batch = items.map((it) => ({
      publicKey: hex(it.publicKey),
      message: hex(it.message),
      signature: hex(it.signature),
    }));
    const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');
    const child = join(import.meta.dirname, '../support/ed25519-pool-child.ts');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [tsxCli, child, JSON.stringify(batch.slice(0, 10)), '2'],
      { timeout: 30_000 },
    );
    // The default backend: the native addon, loaded in each worker thread.
    expect(JSON.parse(stdout)).toEqual({
      threads: 2,
      backend: 'native',
      ok: expected.slice(0, 10),
    });
  });

  it('is ready once its workers answer; a pool closed meanwhile is ready with none left', async () => {
    const pool = new Ed25519Pool(2, READING_MESSAGE_MAX_BYTES);
    await pool.ready();
    expect(pool.threads).toBe(2);
    const { items, expected } = cases();
    expect(await pool.verifyBatch(items)).toEqual(expected);
    await pool.close();
    const closing = new Ed25519Pool(1, READING_MESSAGE_MAX_BYTES);
    const ready = closing.ready();
    await closing.close();
    await ready;
    expect(closing.threads).toBe(0);
  });

  it('rejects the batches of a closed pool instead of answering them', async () => {
    const { items } = cases();
    const pool = new Ed25519Pool(1, READING_MESSAGE_MAX_BYTES);
    const outcome = expect(pool.verifyBatch(items)).rejects.toThrow(/closed/);
    await pool.close();
    await outcome;
  });
});
