/**
 * Witness input of the attestation circuit (circuits/generated/<model>_main.circom) for a
 * signed reading, and the public fields the program rebuilds `P` from.
 */
import { signedToField } from './field.ts';
import type { SignedReading } from './device-keys.ts';
import { inputCommitment } from './commitment.ts';
import {
  bjjKeyHash,
  keyToFields,
  publicInput,
  saltToField,
  type PublicInputFields,
} from './poseidon.ts';

export type CircuitInput = Record<string, string | string[]>;

export function circuitInput(r: SignedReading): CircuitInput {
  const [networkHi, networkLo] = keyToFields(r.network);
  const [deviceHi, deviceLo] = keyToFields(r.device);
  return {
    network_hi: networkHi.toString(),
    network_lo: networkLo.toString(),
    device_hi: deviceHi.toString(),
    device_lo: deviceLo.toString(),
    readings: r.readings.map((v) => signedToField(v).toString()),
    salt: saltToField(r.salt).toString(),
    seq: r.seq.toString(),
    timestamp: signedToField(r.timestamp).toString(),
    model_id: String(r.modelId),
    ax: r.bjjPublicKey.ax.toString(),
    ay: r.bjjPublicKey.ay.toString(),
    sig_s: r.bjjSignature.s.toString(),
    sig_r8x: r.bjjSignature.r8x.toString(),
    sig_r8y: r.bjjSignature.r8y.toString(),
  };
}

/** The public fields of an attestation given the model's (class, score). */
export function attestationFields(
  r: SignedReading,
  result: { class: number; score: number | bigint },
): PublicInputFields {
  return {
    network: new Uint8Array(r.network),
    device: new Uint8Array(r.device),
    bjjKeyHash: bjjKeyHash(r.bjjPublicKey.ax, r.bjjPublicKey.ay),
    modelId: r.modelId,
    seq: r.seq,
    timestamp: r.timestamp,
    inputCommitment: inputCommitment(r.readings, r.salt),
    class: result.class,
    score: BigInt(result.score),
  };
}

export { publicInput };
