/**
 * Device keys: an ed25519 identity key (@noble/curves) that signs the canonical reading message
 * bytes, BabyJubJub key and signature included, and the BabyJubJub key's interface (it signs
 * `msg = readingMessageHash(...)` with EdDSA-Poseidon, checked inside the circuit).
 *
 * Isomorphic. The BabyJubJub implementation (circomlibjs: `DeviceBabyJubKey`,
 * `generateDeviceKeys`, `verifyBabyJub`) is in `@zkpin/sdk/node`: circomlibjs bundles for the
 * browser but needs the global `Buffer` and `process` polyfills there. ed25519 verification
 * on node:crypto is `@zkpin/sdk/node`'s `verifyEd25519` / `Ed25519Verifier`.
 */
import { ed25519 } from '@noble/curves/ed25519';
import { bigIntToBytesBE } from './field.ts';
import { encodeReadingMessage, type ReadingFields, type ReadingMessage } from './messages.ts';
import { bjjKeyHash } from './poseidon.ts';
import { readingMessageHashOf } from './commitment.ts';

/** ed25519 key pair from a 32-byte seed (random when omitted). */
export class DeviceEd25519Key {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  constructor(seed: Uint8Array = ed25519.utils.randomPrivateKey()) {
    if (seed.length !== 32) throw new RangeError('ed25519 seed must be 32 bytes');
    this.seed = new Uint8Array(seed);
    this.publicKey = ed25519.getPublicKey(this.seed);
  }
  sign(message: Uint8Array): Uint8Array {
    return ed25519.sign(message, this.seed);
  }
}

export interface BabyJubPublicKey {
  ax: bigint;
  ay: bigint;
}
export interface BabyJubSignature {
  r8x: bigint;
  r8y: bigint;
  s: bigint;
}

/**
 * What a device sends: the reading fields, its BabyJubJub public key and signature (over
 * `readingMessageHash(...)`), and the ed25519 signature over `encodeReadingMessage` of all
 * of those.
 */
export interface SignedReading extends ReadingMessage {
  ed25519Signature: Uint8Array; // 64 bytes
}

/** What signs a device's readings with EdDSA-Poseidon (`DeviceBabyJubKey` in `@zkpin/sdk/node`). */
export interface BabyJubSigner {
  readonly publicKey: BabyJubPublicKey;
  /** Poseidon(Ax, Ay), as stored in the device leaf. */
  readonly keyHash: bigint;
  /** EdDSA-Poseidon signature over a field element. */
  signField(msg: bigint): BabyJubSignature;
}

/** A device bundle: both keys (`generateDeviceKeys` in `@zkpin/sdk/node`). */
export interface DeviceKeys {
  ed25519: DeviceEd25519Key;
  babyJub: BabyJubSigner;
}

/**
 * Sign a reading the way a device does: first EdDSA-Poseidon over
 * `msg = readingMessageHash(network, device, input_commitment, seq, timestamp, model_id)`,
 * then ed25519 over the 308 canonical bytes, which carry that BabyJubJub key and signature.
 */
export function signReading(
  keys: DeviceKeys,
  fields: Omit<ReadingFields, 'device'>,
): SignedReading {
  const reading: ReadingFields = { ...fields, device: keys.ed25519.publicKey };
  const message: ReadingMessage = {
    ...reading,
    bjjPublicKey: keys.babyJub.publicKey,
    bjjSignature: keys.babyJub.signField(readingMessageHashOf(reading)),
  };
  return { ...message, ed25519Signature: keys.ed25519.sign(encodeReadingMessage(message)) };
}

/** bjj_key_hash as the 32 big-endian bytes that the device leaf and the onboarding message carry. */
export function bjjKeyHashBytes(pub: BabyJubPublicKey): Uint8Array {
  return bigIntToBytesBE(bjjKeyHash(pub.ax, pub.ay), 32);
}
