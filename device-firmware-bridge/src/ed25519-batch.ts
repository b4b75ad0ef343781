/**
 * The wire format between `Ed25519Pool` and its workers: a batch of signed messages packed
 * into one transferable buffer, each item `message length m u16 LE || public key (32) ||
 * message (m) || signature (64)` (reading messages are 294 + n bytes, n the model's window);
 * the answer is one byte per item (1 = valid).
 */
import type { Ed25519Verifier } from '@zkpin/sdk/node/ed25519';

export interface SignedMessage {
  /** 32-byte ed25519 public key. */
  publicKey: Uint8Array;
  message: Uint8Array;
  /** 64-byte ed25519 signature. */
  signature: Uint8Array;
}

export interface VerifyRequest {
  id: number;
  /** Packed items (transferred). */
  buf: Uint8Array<ArrayBuffer>;
}

export interface VerifyResponse {
  id: number;
  /** One byte per item: 1 when its signature verifies (transferred). */
  out: Uint8Array<ArrayBuffer>;
}

/** Bytes of one packed item with a message of `messageBytes`. */
export const itemBytes = (messageBytes: number): number => 2 + 32 + messageBytes + 64;

/** Packs items: keys of 32 bytes, signatures of 64, messages of at most 65,535 bytes. */
export function packBatch(items: readonly SignedMessage[]): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(items.reduce((n, it) => n + itemBytes(it.message.length), 0));
  const view = new DataView(buf.buffer);
  let o = 0;
  for (const it of items) {
    view.setUint16(o, it.message.length, true);
    buf.set(it.publicKey, o + 2);
    buf.set(it.message, o + 34);
    buf.set(it.signature, o + 34 + it.message.length);
    o += itemBytes(it.message.length);
  }
  return buf;
}

/** Verifies every packed item. */
export function verifyPacked(verifier: Ed25519Verifier, buf: Uint8Array): Uint8Array<ArrayBuffer> {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const results: number[] = [];
  for (let o = 0; o < buf.length;) {
    const m = view.getUint16(o, true);
    const ok = verifier.verify(
      buf.subarray(o + 2, o + 34),
      buf.subarray(o + 34, o + 34 + m),
      buf.subarray(o + 34 + m, o + 98 + m),
    );
    results.push(ok ? 1 : 0);
    o += itemBytes(m);
  }
  return Uint8Array.from(results);
}
