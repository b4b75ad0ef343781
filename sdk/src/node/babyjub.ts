/**
 * BabyJubJub EdDSA-Poseidon device keys on circomlibjs (the signatures the circuit checks).
 * Node entry: circomlibjs needs the global `Buffer` and `process` in a browser.
 */
import { randomBytes } from 'node:crypto';
import { buildEddsa, type Eddsa, type FieldElement } from 'circomlibjs';
import {
  DeviceEd25519Key,
  type BabyJubPublicKey,
  type BabyJubSignature,
  type BabyJubSigner,
  type DeviceKeys,
} from '../device-keys.ts';
import { BN254_R } from '../field.ts';
import { bjjKeyHash } from '../poseidon.ts';

let eddsaPromise: Promise<Eddsa> | undefined;
/** circomlibjs EdDSA (built once per process). */
export function babyJub(): Promise<Eddsa> {
  eddsaPromise ??= buildEddsa();
  return eddsaPromise;
}

/** BabyJubJub EdDSA-Poseidon key from a 32-byte private key (random when omitted). */
export class DeviceBabyJubKey implements BabyJubSigner {
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

/**
 * Verify an EdDSA-Poseidon signature: the circuit's check (`DeviceSignature`: circomlib's
 * EdDSAPoseidonVerifier with A and R8 on the curve). circomlibjs's `verifyPoseidon` alone
 * accepts a key of small order (8·A = O), for which 8·h·A vanishes and (R8 = S·B8, S) verifies
 * over every message; the circuit refuses such a key (8·A must not have x = 0), and so does this.
 */
export async function verifyBabyJub(
  pub: BabyJubPublicKey,
  msg: bigint,
  sig: BabyJubSignature,
): Promise<boolean> {
  const eddsa = await babyJub();
  const { F } = eddsa.babyJub;
  try {
    const a: [FieldElement, FieldElement] = [F.e(pub.ax), F.e(pub.ay)];
    if (!eddsa.babyJub.inCurve(a)) return false;
    if (F.isZero(eddsa.babyJub.mulPointEscalar(a, 8n)[0])) return false;
    return eddsa.verifyPoseidon(F.e(msg), { R8: [F.e(sig.r8x), F.e(sig.r8y)], S: sig.s }, a);
  } catch {
    return false;
  }
}

/** A device's two keys, the BabyJubJub one with its private key (simulators, tests). */
export interface GeneratedDeviceKeys extends DeviceKeys {
  babyJub: DeviceBabyJubKey;
}

/** Both keys of a device from their 32-byte seeds (random when omitted). */
export async function generateDeviceKeys(seeds?: {
  ed25519?: Uint8Array;
  babyJub?: Uint8Array;
}): Promise<GeneratedDeviceKeys> {
  return {
    ed25519: new DeviceEd25519Key(seeds?.ed25519),
    babyJub: await DeviceBabyJubKey.create(seeds?.babyJub),
  };
}
