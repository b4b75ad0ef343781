/**
 * The wire format between `Ed25519Pool` and its workers: a batch of signed messages of one
 * length packed into one transferable buffer, item i at `i * itemBytes(m)` as
 * public key (32) || message (m) || signature (64); the answer is one byte per item (1 = valid).
 */
import type { Ed25519Verifier } from '@zkpin/sdk/node';

export interface SignedMessage {
  /** 32-byte ed25519 public key. */
  publicKey: Uint8Array;
  message: Uint8Array;
  /** 64-byte ed25519 signature. */
  signature: Uint8Array;
}

/** `workerData` of an ed25519 worker. */
export interface WorkerConfig {
  /** Length of every message in a batch (the canonical reading message). */
  messageBytes: number;
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

export const itemBytes = (messageBytes: number): number => 32 + messageBytes + 64;

/** Packs items whose key, message and signature have the lengths of the format. */
export function packBatch(
  items: readonly SignedMessage[],
  messageBytes: number,
): Uint8Array<ArrayBuffer> {
  const size = itemBytes(messageBytes);
  const buf = new Uint8Array(items.length * size);
  items.forEach((it, i) => {
    const o = i * size;
    buf.set(it.publicKey, o);
    buf.set(it.message, o + 32);
    buf.set(it.signature, o + 32 + messageBytes);
  });
  return buf;
}

/** Verifies every packed item. */
export function verifyPacked(
  verifier: Ed25519Verifier,
  buf: Uint8Array,
  messageBytes: number,
): Uint8Array<ArrayBuffer> {
  const size = itemBytes(messageBytes);
  const n = buf.length / size;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * size;
    const ok = verifier.verify(
      buf.subarray(o, o + 32),
      buf.subarray(o + 32, o + 32 + messageBytes),
      buf.subarray(o + 32 + messageBytes, o + size),
    );
    out[i] = ok ? 1 : 0;
  }
  return out;
}
