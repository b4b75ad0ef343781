/**
 * ed25519 verification for Node services, on one of two backends:
 *
 * - `native`: `sdk/native-ed25519` (Rust, ed25519-dalek behind N-API), built by
 *   `scripts/setup.sh`; about 3x less CPU per signature than node:crypto on this project's
 *   machines (docs/pipeline.md, "Ingest throughput");
 * - `node`: node:crypto, each public key's KeyObject built once and kept in a bounded cache.
 *
 * Both give the same answer for every input (`sdk/test/unit/ed25519-backends.test.ts`).
 * `auto` (the default) takes `native` when the addon is built. `ZKPIN_ED25519_BACKEND`
 * (`auto` | `native` | `node`) sets the default of a process. The one place in the repository
 * that turns a 32-byte ed25519 key into a node:crypto KeyObject.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

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

export type Ed25519Backend = 'native' | 'node';
export type Ed25519BackendChoice = Ed25519Backend | 'auto';

/** The addon's interface (`sdk/native-ed25519/src/lib.rs`). */
interface NativeEd25519 {
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
}

/** Where `scripts/setup.sh` builds the addon (cargo's cdylib, loaded with `process.dlopen`). */
export const NATIVE_ED25519_PATH = fileURLToPath(
  new URL('../../native-ed25519/target/release/libzkpin_ed25519_node.so', import.meta.url),
);

let native: NativeEd25519 | null | undefined;

/** The addon, loaded once per thread; undefined when it is not built (or fails to load). */
export function loadNativeEd25519(): NativeEd25519 | undefined {
  if (native === undefined) {
    native = null;
    if (existsSync(NATIVE_ED25519_PATH)) {
      const m = { exports: {} as NativeEd25519 };
      try {
        process.dlopen(m, NATIVE_ED25519_PATH);
        if (typeof m.exports.verify === 'function') native = m.exports;
      } catch {
        native = null;
      }
    }
  }
  return native ?? undefined;
}

/** `ZKPIN_ED25519_BACKEND`, or `auto`; any other value is a configuration error. */
export function ed25519BackendFromEnv(env: NodeJS.ProcessEnv = process.env): Ed25519BackendChoice {
  const v = env['ZKPIN_ED25519_BACKEND'];
  if (v === undefined || v === '') return 'auto';
  if (v === 'auto' || v === 'native' || v === 'node') return v;
  throw new RangeError(`ZKPIN_ED25519_BACKEND must be auto, native or node, not ${v}`);
}

/** The backend a choice gives here; `native` without the addon built is an error. */
export function resolveEd25519Backend(
  choice: Ed25519BackendChoice = ed25519BackendFromEnv(),
): Ed25519Backend {
  if (choice === 'node') return 'node';
  if (loadNativeEd25519()) return 'native';
  if (choice === 'native')
    throw new Error(
      `the native ed25519 addon is not built (${NATIVE_ED25519_PATH}): run bash scripts/setup.sh`,
    );
  return 'node';
}

export class Ed25519Verifier {
  private readonly keys = new Map<string, KeyObject>();
  private readonly native: NativeEd25519 | undefined;
  readonly backend: Ed25519Backend;

  /**
   * @param maxKeys node:crypto KeyObjects kept; the cache is emptied when it would grow past
   *   this (the addon keeps up to 100,000 decoded keys per thread, the same way)
   * @param choice the backend (default: `ZKPIN_ED25519_BACKEND`, else `auto`)
   */
  constructor(
    readonly maxKeys = 100_000,
    choice: Ed25519BackendChoice = ed25519BackendFromEnv(),
  ) {
    this.backend = resolveEd25519Backend(choice);
    this.native = this.backend === 'native' ? loadNativeEd25519() : undefined;
  }

  /**
   * Whether `signature` is `publicKey`'s ed25519 signature over `message`. Malformed keys or
   * signatures (wrong length, not a curve point, S not below the group order) verify as
   * false; nothing throws.
   */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    if (this.native) return this.native.verify(publicKey, message, signature);
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

let shared: Ed25519Verifier | undefined;

/**
 * Whether `signature` is `publicKey`'s ed25519 signature over `message`, through one
 * process-wide `Ed25519Verifier` (default backend). Never throws on its inputs (an invalid
 * `ZKPIN_ED25519_BACKEND` is a configuration error, thrown on first use).
 */
export function verifyEd25519(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  shared ??= new Ed25519Verifier();
  return shared.verify(publicKey, message, signature);
}
