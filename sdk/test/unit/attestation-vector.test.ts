import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as snarkjs from 'snarkjs';
import { describe, expect, it } from 'vitest';
import { verifyBabyJub, verifyEd25519 } from '../../src/device-keys.ts';
import { bytesToBigIntBE, fromHex, toHex } from '../../src/field.ts';
import { decodeReadingMessage, encodeReadingMessage } from '../../src/messages.ts';
import {
  bjjKeyHash,
  inputCommitment,
  publicInput,
  readingMessageHash,
} from '../../src/poseidon.ts';
import {
  decodeProof,
  decodeVerifyingKey,
  encodeProof,
  type SnarkjsProof,
} from '../../src/proof-encoding.ts';

interface AttestationVector {
  vk_bytes_hex: string;
  device: {
    ed25519_public_key_hex: string;
    bjj_ax: string;
    bjj_ay: string;
    bjj_key_hash_hex: string;
  };
  reading: {
    message_hex: string;
    ed25519_signature_hex: string;
    bjj_signature: { r8x: string; r8y: string; s: string };
  };
  public_input_fields: {
    bjj_key_hash_hex: string;
    model_id: number;
    seq: string;
    timestamp: string;
    input_commitment_hex: string;
    class: number;
    score: string;
  };
  public_input_hex: string;
  proof: SnarkjsProof;
  proof_bytes_hex: string;
}

const v = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../../tests/vectors/attestation.json', import.meta.url)),
    'utf8',
  ),
) as AttestationVector;

describe('tests/vectors/attestation.json is a consistent, verifying attestation', () => {
  it('signed reading: canonical bytes, ed25519 and EdDSA-Poseidon signatures', async () => {
    const fields = decodeReadingMessage(fromHex(v.reading.message_hex));
    expect(toHex(encodeReadingMessage(fields))).toBe(v.reading.message_hex);
    expect(toHex(fields.device)).toBe(v.device.ed25519_public_key_hex);
    expect(
      verifyEd25519(
        fields.device,
        fromHex(v.reading.message_hex),
        fromHex(v.reading.ed25519_signature_hex),
      ),
    ).toBe(true);
    const commitment = inputCommitment(fields.readings, fields.salt);
    expect(toHex(fromHex(v.public_input_fields.input_commitment_hex))).toBe(
      commitment.toString(16).padStart(64, '0'),
    );
    const msg = readingMessageHash({
      inputCommitment: commitment,
      seq: fields.seq,
      timestamp: fields.timestamp,
      modelId: fields.modelId,
    });
    const pub = { ax: BigInt(v.device.bjj_ax), ay: BigInt(v.device.bjj_ay) };
    const s = v.reading.bjj_signature;
    expect(
      await verifyBabyJub(pub, msg, { r8x: BigInt(s.r8x), r8y: BigInt(s.r8y), s: BigInt(s.s) }),
    ).toBe(true);
    expect(bjjKeyHash(pub.ax, pub.ay)).toBe(bytesToBigIntBE(fromHex(v.device.bjj_key_hash_hex)));
  });

  it('P from the plain fields, and the proof bytes verify against the 576-byte key', async () => {
    const f = v.public_input_fields;
    const p = publicInput({
      bjjKeyHash: bytesToBigIntBE(fromHex(f.bjj_key_hash_hex)),
      modelId: f.model_id,
      seq: BigInt(f.seq),
      timestamp: BigInt(f.timestamp),
      inputCommitment: bytesToBigIntBE(fromHex(f.input_commitment_hex)),
      class: f.class,
      score: BigInt(f.score),
    });
    expect(p.toString(16).padStart(64, '0')).toBe(v.public_input_hex);
    expect(toHex(encodeProof(v.proof))).toBe(v.proof_bytes_hex);
    const vk = decodeVerifyingKey(fromHex(v.vk_bytes_hex));
    expect(
      await snarkjs.groth16.verify(vk, [p.toString()], decodeProof(fromHex(v.proof_bytes_hex))),
    ).toBe(true);
    expect(
      await snarkjs.groth16.verify(
        vk,
        [(p + 1n).toString()],
        decodeProof(fromHex(v.proof_bytes_hex)),
      ),
    ).toBe(false);
  });
});
