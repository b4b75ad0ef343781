/**
 * ed25519 verification on node:crypto (native, ~7x faster than a JavaScript verifier), with
 * each public key's KeyObject built once and kept in a bounded cache. The one place in the
 * repository that turns a 32-byte ed25519 key into a node:crypto KeyObject.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** DER SubjectPublicKeyInfo header of an ed25519 key (RFC 8410); the 32 key bytes follow. */
const SPKI_PREFIX = new Uint8Array([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

/** The KeyObject of a 32-byte ed25519 public key (throws on a wrong length). */
export function ed25519PublicKeyObject(publicKey: Uint8Array): KeyObject {
  if (publicKey.length !== 32) throw new RangeError('ed25519 public key must be 32 bytes');
  const der = new Uint8Array(SPKI_PREFIX.length + 32);
  der.set(SPKI_PREFIX);
  der.set(publicKey, SPKI_PREFIX.length);
  return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
}

export class Ed25519Verifier {
  private readonly keys = new Map<string, KeyObject>();

  /** @param maxKeys KeyObjects kept; the cache is emptied when it would grow past this. */
  constructor(readonly maxKeys = 100_000) {}

  /**
   * Whether `signature` is `publicKey`'s ed25519 signature over `message`. Malformed keys or
   * signatures (wrong length, not a curve point) verify as false; nothing throws.
   */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    try {
      return verify(null, message, this.keyObject(publicKey), signature);
    } catch {
      return false;
    }
  }

  private keyObject(publicKey: Uint8Array): KeyObject {
    const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, 32).toString('latin1');
    let key = this.keys.get(id);
    if (!key) {
      if (this.keys.size >= this.maxKeys) this.keys.clear();
      key = ed25519PublicKeyObject(publicKey);
      this.keys.set(id, key);
    }
    return key;
  }
}

const shared = new Ed25519Verifier();

/**
 * Whether `signature` is `publicKey`'s ed25519 signature over `message`, through one
 * process-wide `Ed25519Verifier` (its KeyObjects cached). Never throws.
 */
export function verifyEd25519(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  return shared.verify(publicKey, message, signature);
}
