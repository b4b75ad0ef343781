import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Keypair } from '@solana/web3.js';
import * as snarkjs from 'snarkjs';
import { describe, expect, it } from 'vitest';
import { verifyBabyJub, verifyEd25519 } from '../../src/node.ts';
import { bytesToBigIntBE, fromHex, toHex } from '../../src/field.ts';
import { decodeReadingMessage, encodeReadingMessage } from '../../src/messages.ts';
import { bjjKeyHash, publicInput, type PublicInputFields } from '../../src/poseidon.ts';
import { inputCommitment, readingMessageHashOf } from '../../src/commitment.ts';
import { networkPda } from '../../src/programs.ts';
import {
  decodeProof,
  decodeVerifyingKey,
  encodeProof,
  type SnarkjsProof,
} from '../../src/proof-encoding.ts';

interface AttestationVector {
  vk_bytes_hex: string;
  network_authority_seed_hex: string;
  device: {
    ed25519_public_key_hex: string;
    bjj_ax: string;
    bjj_ay: string;
    bjj_key_hash_hex: string;
  };
  reading: {
    network_hex: string;
    message_hex: string;
    ed25519_signature_hex: string;
    bjj_message: string;
    bjj_signature: { r8x: string; r8y: string; s: string };
  };
  public_input_fields: {
    network_hex: string;
    device_hex: string;
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
  it('signed reading: canonical 294 + 16 bytes (v3), ed25519 over them, EdDSA-Poseidon over msg', async () => {
    const fields = decodeReadingMessage(fromHex(v.reading.message_hex));
    expect(fromHex(v.reading.message_hex)).toHaveLength(310);
    expect(toHex(encodeReadingMessage(fields))).toBe(v.reading.message_hex);
    expect(toHex(fields.device)).toBe(v.device.ed25519_public_key_hex);
    expect(toHex(fields.network)).toBe(v.reading.network_hex);
    // the network is the device_registry PDA of the vector's network authority
    const authority = Keypair.fromSeed(fromHex(v.network_authority_seed_hex)).publicKey;
    expect(toHex(networkPda(authority).toBytes())).toBe(v.reading.network_hex);
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
    const msg = readingMessageHashOf(fields);
    expect(msg.toString()).toBe(v.reading.bjj_message);
    const pub = { ax: BigInt(v.device.bjj_ax), ay: BigInt(v.device.bjj_ay) };
    const s = v.reading.bjj_signature;
    const sig = { r8x: BigInt(s.r8x), r8y: BigInt(s.r8y), s: BigInt(s.s) };
    // the signed bytes carry exactly this BabyJubJub key and signature
    expect(fields.bjjPublicKey).toEqual(pub);
    expect(fields.bjjSignature).toEqual(sig);
    expect(await verifyBabyJub(pub, msg, sig)).toBe(true);
    const elsewhere = { ...fields, network: new Uint8Array(32).fill(0x4e) };
    expect(await verifyBabyJub(pub, readingMessageHashOf(elsewhere), sig)).toBe(false);
    expect(bjjKeyHash(pub.ax, pub.ay)).toBe(bytesToBigIntBE(fromHex(v.device.bjj_key_hash_hex)));
  });

  it('P from the plain fields, and the proof bytes verify against the 576-byte key', async () => {
    const f = v.public_input_fields;
    expect(f.network_hex).toBe(v.reading.network_hex);
    expect(f.device_hex).toBe(v.device.ed25519_public_key_hex);
    const fields: PublicInputFields = {
      network: fromHex(f.network_hex),
      device: fromHex(f.device_hex),
      bjjKeyHash: bytesToBigIntBE(fromHex(f.bjj_key_hash_hex)),
      modelId: f.model_id,
      seq: BigInt(f.seq),
      timestamp: BigInt(f.timestamp),
      inputCommitment: bytesToBigIntBE(fromHex(f.input_commitment_hex)),
      class: f.class,
      score: BigInt(f.score),
    };
    const p = publicInput(fields);
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
    // The same proof is not valid for another network or another device.
    const otherKey = new Uint8Array(32).fill(0x4e);
    for (const other of [
      { ...fields, network: otherKey },
      { ...fields, device: otherKey },
    ]) {
      const q = publicInput(other);
      expect(q).not.toBe(p);
      expect(
        await snarkjs.groth16.verify(vk, [q.toString()], decodeProof(fromHex(v.proof_bytes_hex))),
      ).toBe(false);
    }
  });
});
