/**
 * tests/vectors/encodings.json, written by the Rust crate `zkpin-encoding` (its own test
 * checks the file is current), against the TypeScript encoders: the same bytes, field
 * elements and P on both sides.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import BN from 'bn.js';
import { PublicKey } from '@solana/web3.js';
import { describe, expect, it } from 'vitest';
import { recordLeafBytes, recordLeafHash } from '../../src/attestation.ts';
import {
  BABYJUB_L,
  BN254_R,
  bigIntToBytesBE,
  bytesToBigIntBE,
  fromHex,
  signedToField,
  toHex,
} from '../../src/field.ts';
import { decodeReadingMessage, encodeReadingMessage } from '../../src/messages.ts';
import { encodeApprovalMessage, encodeClaimMessage } from '../../src/onboarding.ts';
import {
  bjjKeyHash,
  keyToFields,
  publicInput,
  publicInputFieldInputs,
  publicInputHeader,
} from '../../src/poseidon.ts';
import { deviceLeafBytes, deviceLeafHash } from '../../src/registry-client.ts';

interface Encodings {
  approval_messages: {
    network: string;
    maker: string;
    device: string;
    bjj_key_hash: string;
    model_id: number;
    serial: number;
    expires_at: string;
    bytes: string;
  }[];
  claim_messages: {
    network: string;
    device: string;
    owner: string;
    maker: string;
    serial: number;
    bytes: string;
  }[];
  field_modulus: string;
  babyjub_subgroup_order: string;
  signed_to_field: { value: string; field: string }[];
  bjj_key_hash: { ax: string; ay: string; bjj_key_hash: string }[];
  key_fields: { key: string; hi: string; lo: string }[];
  device_leaves: {
    network: string;
    device: string;
    owner: string;
    maker: string;
    bjj_key_hash: string;
    model_id: number;
    seq: string;
    status: number;
    bytes: string;
    leaf_hash: string;
  }[];
  record_leaves: {
    name: string;
    network: string;
    device: string;
    model_id: number;
    seq: string;
    timestamp: string;
    input_commitment: string;
    class: number;
    score: string;
    bjj_key_hash: string;
    public_input_header: string;
    public_input_field_inputs: string[];
    public_input: string;
    bytes: string;
    leaf_hash: string;
  }[];
  reading_messages: {
    network: string;
    device: string;
    seq: string;
    timestamp: string;
    model_id: number;
    readings: number[];
    salt: string;
    bjj_ax: string;
    bjj_ay: string;
    bjj_r8x: string;
    bjj_r8y: string;
    bjj_s: string;
    bytes: string;
  }[];
  non_canonical_reading_messages: { why: string; bytes: string; error: string }[];
}

const v = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../../../tests/vectors/encodings.json', import.meta.url)),
    'utf8',
  ),
) as Encodings;

const big = (hex: string) => bytesToBigIntBE(fromHex(hex));
const hex32 = (x: bigint) => toHex(bigIntToBytesBE(x, 32));

describe('tests/vectors/encodings.json (Rust zkpin-encoding) = the TypeScript sdk', () => {
  it('constants, the signed mapping, key halves and bjj_key_hash', () => {
    expect(big(v.field_modulus)).toBe(BN254_R);
    expect(big(v.babyjub_subgroup_order)).toBe(BABYJUB_L);
    expect(v.signed_to_field.length).toBeGreaterThan(5);
    for (const s of v.signed_to_field) expect(hex32(signedToField(BigInt(s.value)))).toBe(s.field);
    expect(v.key_fields.length).toBeGreaterThan(0);
    for (const k of v.key_fields)
      expect(keyToFields(fromHex(k.key)).map(hex32), k.key).toEqual([k.hi, k.lo]);
    for (const b of v.bjj_key_hash)
      expect(hex32(bjjKeyHash(big(b.ax), big(b.ay)))).toBe(b.bjj_key_hash);
  });

  it('reading messages v3: the same 294 + n bytes for every window, decoded back to the same fields', () => {
    expect(v.reading_messages.length).toBeGreaterThan(1);
    for (const m of v.reading_messages) {
      const fields = {
        network: fromHex(m.network),
        device: fromHex(m.device),
        seq: BigInt(m.seq),
        timestamp: BigInt(m.timestamp),
        modelId: m.model_id,
        readings: m.readings,
        salt: fromHex(m.salt),
        bjjPublicKey: { ax: big(m.bjj_ax), ay: big(m.bjj_ay) },
        bjjSignature: { r8x: big(m.bjj_r8x), r8y: big(m.bjj_r8y), s: big(m.bjj_s) },
      };
      expect(toHex(encodeReadingMessage(fields))).toBe(m.bytes);
      expect(decodeReadingMessage(fromHex(m.bytes))).toEqual(fields);
    }
  });

  it('reading messages that Rust refuses, TypeScript refuses too', () => {
    expect(v.non_canonical_reading_messages.length).toBeGreaterThan(5);
    for (const m of v.non_canonical_reading_messages)
      expect(() => decodeReadingMessage(fromHex(m.bytes)), m.why).toThrow(RangeError);
  });

  it('record leaves: the header, the five Poseidon inputs, P, the bytes and the leaf hash', () => {
    expect(v.record_leaves.length).toBeGreaterThan(3);
    for (const r of v.record_leaves) {
      const fields = {
        network: fromHex(r.network),
        device: fromHex(r.device),
        bjjKeyHash: big(r.bjj_key_hash),
        modelId: r.model_id,
        seq: BigInt(r.seq),
        timestamp: BigInt(r.timestamp),
        inputCommitment: big(r.input_commitment),
        class: r.class,
        score: BigInt(r.score),
      };
      expect(toHex(publicInputHeader(fields)), r.name).toBe(r.public_input_header);
      expect(r.public_input_field_inputs, r.name).toEqual(
        publicInputFieldInputs(fields).map(hex32),
      );
      // The chunks are the header's bytes, independently of publicInputFieldInputs.
      expect(
        r.public_input_field_inputs
          .slice(0, 3)
          .map((k) => k.slice(2))
          .join(''),
      ).toBe(r.public_input_header);
      expect(r.public_input_field_inputs.slice(3)).toEqual(
        [fields.bjjKeyHash, fields.inputCommitment].map(hex32),
      );
      expect(hex32(publicInput(fields)), r.name).toBe(r.public_input);
      const leaf = {
        device: new PublicKey(fields.device),
        modelId: r.model_id,
        seq: fields.seq,
        timestamp: fields.timestamp,
        inputCommitment: fromHex(r.input_commitment),
        class: r.class,
        score: fields.score,
        publicInput: fromHex(r.public_input),
      };
      expect(toHex(recordLeafBytes(leaf))).toBe(r.bytes);
      expect(toHex(recordLeafHash(leaf))).toBe(r.leaf_hash);
    }
  });

  it('device leaves: the bytes and the leaf hash', () => {
    for (const d of v.device_leaves) {
      const leaf = {
        device: new PublicKey(fromHex(d.device)),
        owner: new PublicKey(fromHex(d.owner)),
        maker: new PublicKey(fromHex(d.maker)),
        bjjKeyHash: Array.from(fromHex(d.bjj_key_hash)),
        modelId: d.model_id,
        seq: new BN(d.seq),
        status: d.status,
      };
      const network = new PublicKey(fromHex(d.network));
      expect(toHex(deviceLeafBytes(network, leaf))).toBe(d.bytes);
      expect(toHex(deviceLeafHash(network, leaf))).toBe(d.leaf_hash);
    }
  });

  it('onboarding: the maker approval and the device claim, byte for byte', () => {
    expect(v.approval_messages.length).toBeGreaterThan(0);
    for (const a of v.approval_messages) {
      const bytes = encodeApprovalMessage({
        network: fromHex(a.network),
        maker: fromHex(a.maker),
        device: fromHex(a.device),
        bjjKeyHash: fromHex(a.bjj_key_hash),
        modelId: a.model_id,
        serial: a.serial,
        expiresAt: BigInt(a.expires_at),
      });
      expect(toHex(bytes)).toBe(a.bytes);
    }
    expect(v.claim_messages.length).toBeGreaterThan(0);
    for (const c of v.claim_messages) {
      const bytes = encodeClaimMessage({
        network: fromHex(c.network),
        device: fromHex(c.device),
        owner: fromHex(c.owner),
        maker: fromHex(c.maker),
        serial: c.serial,
      });
      expect(toHex(bytes)).toBe(c.bytes);
    }
  });
});
