/**
 * Device keys: a BabyJubJub key that signs `msg = readingMessageHash(...)` with EdDSA-Poseidon
 * (circomlibjs; checked inside the circuit), and an ed25519 identity key (node:crypto) that
 * signs the canonical reading message bytes, BabyJubJub key and signature included.
 */
import {
  createPrivateKey,
  createPublicKey,
  randomBytes,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { buildEddsa, type Eddsa } from 'circomlibjs';
import { bigIntToBytesBE, BN254_R } from './field.ts';
import { encodeReadingMessage, type ReadingFields, type ReadingMessage } from './messages.ts';
import { bjjKeyHash, readingMessageHashOf } from './poseidon.ts';

const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** ed25519 key pair from a 32-byte seed (random when omitted). */
export class DeviceEd25519Key {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  private readonly key: KeyObject;
  constructor(seed: Uint8Array = randomBytes(32)) {
    if (seed.length !== 32) throw new RangeError('ed25519 seed must be 32 bytes');
    this.seed = new Uint8Array(seed);
    this.key = createPrivateKey({
      key: Buffer.concat([PKCS8_PREFIX, seed]),
      format: 'der',
      type: 'pkcs8',
    });
    const spki = createPublicKey(this.key).export({ format: 'der', type: 'spki' });
    this.publicKey = new Uint8Array(spki.subarray(spki.length - 32));
  }
  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.key));
  }
}

/** ed25519 verification with node:crypto (native). */
export function verifyEd25519(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const key = createPublicKey({
    key: Buffer.concat([SPKI_PREFIX, publicKey]),
    format: 'der',
    type: 'spki',
  });
  return verify(null, message, key, signature);
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

let eddsaPromise: Promise<Eddsa> | undefined;
/** circomlibjs EdDSA (built once per process). */
export function babyJub(): Promise<Eddsa> {
  eddsaPromise ??= buildEddsa();
  return eddsaPromise;
}

/** BabyJubJub EdDSA-Poseidon key from a 32-byte private key (random when omitted). */
export class DeviceBabyJubKey {
  private constructor(
    readonly privateKey: Uint8Array,
    readonly publicKey: BabyJubPublicKey,
    private readonly eddsa: Eddsa,
  ) {}

  static async create(privateKey: Uint8Array = randomBytes(32)): Promise<DeviceBabyJubKey> {
    if (privateKey.length !== 32) throw new RangeError('BabyJubJub private key must be 32 bytes');
    const eddsa = await babyJub();
    const a = eddsa.prv2pub(Buffer.from(privateKey));
    const F = eddsa.babyJub.F;
    return new DeviceBabyJubKey(
      new Uint8Array(privateKey),
      { ax: F.toObject(a[0]), ay: F.toObject(a[1]) },
      eddsa,
    );
  }

  /** Poseidon(Ax, Ay), as stored in the device leaf. */
  get keyHash(): bigint {
    return bjjKeyHash(this.publicKey.ax, this.publicKey.ay);
  }

  /** EdDSA-Poseidon signature over a field element. */
  signField(msg: bigint): BabyJubSignature {
    if (msg < 0n || msg >= BN254_R) throw new RangeError('message must be a field element');
    const F = this.eddsa.babyJub.F;
    const sig = this.eddsa.signPoseidon(Buffer.from(this.privateKey), F.e(msg));
    return { r8x: F.toObject(sig.R8[0]), r8y: F.toObject(sig.R8[1]), s: BigInt(sig.S) };
  }
}

/** Verify an EdDSA-Poseidon signature (same check as the circuit's EdDSAPoseidonVerifier). */
export async function verifyBabyJub(
  pub: BabyJubPublicKey,
  msg: bigint,
  sig: BabyJubSignature,
): Promise<boolean> {
  const eddsa = await babyJub();
  const F = eddsa.babyJub.F;
  try {
    return eddsa.verifyPoseidon(F.e(msg), { R8: [F.e(sig.r8x), F.e(sig.r8y)], S: sig.s }, [
      F.e(pub.ax),
      F.e(pub.ay),
    ]);
  } catch {
    return false;
  }
}

/**
 * What a device sends: the reading fields, its BabyJubJub public key and signature (over
 * `readingMessageHash(...)`), and the ed25519 signature over `encodeReadingMessage` of all
 * of those.
 */
export interface SignedReading extends ReadingMessage {
  ed25519Signature: Uint8Array; // 64 bytes
}

/** A device bundle: both keys. */
export interface DeviceKeys {
  ed25519: DeviceEd25519Key;
  babyJub: DeviceBabyJubKey;
}

export async function generateDeviceKeys(seeds?: {
  ed25519?: Uint8Array;
  babyJub?: Uint8Array;
}): Promise<DeviceKeys> {
  return {
    ed25519: new DeviceEd25519Key(seeds?.ed25519),
    babyJub: await DeviceBabyJubKey.create(seeds?.babyJub),
  };
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
