/**
 * Ed25519 precompile instructions with several signatures in one instruction.
 *
 * web3.js builds one signature per instruction; `register_device` needs two (device and
 * maker) over the same onboarding message, so the message is stored once and both
 * signature entries point at it. All offsets refer to this same instruction
 * (instruction index 0xFFFF), which is what the programs require.
 */
import { TransactionInstruction } from '@solana/web3.js';
import { sign as edSign, createPrivateKey, type KeyObject } from 'node:crypto';
import { ED25519_PROGRAM_ID } from './program-ids.ts';

export interface Ed25519Entry {
  publicKey: Uint8Array; // 32 bytes
  signature: Uint8Array; // 64 bytes
}

const HEADER = 2;
const ENTRY = 14;
const THIS_INSTRUCTION = 0xffff;

/** One precompile instruction verifying every `entries[i]` signature over `message`. */
export function ed25519MultiSigInstruction(
  entries: Ed25519Entry[],
  message: Uint8Array,
): TransactionInstruction {
  if (entries.length === 0 || entries.length > 8) throw new Error('1 to 8 signatures');
  const dataStart = HEADER + ENTRY * entries.length;
  const messageOffset = dataStart + entries.length * 96;
  const data = Buffer.alloc(messageOffset + message.length);
  data.writeUInt8(entries.length, 0);
  entries.forEach((e, i) => {
    if (e.publicKey.length !== 32 || e.signature.length !== 64) throw new Error('bad key/signature length');
    const pk = dataStart + i * 96;
    const sig = pk + 32;
    const o = HEADER + i * ENTRY;
    data.writeUInt16LE(sig, o);
    data.writeUInt16LE(THIS_INSTRUCTION, o + 2);
    data.writeUInt16LE(pk, o + 4);
    data.writeUInt16LE(THIS_INSTRUCTION, o + 6);
    data.writeUInt16LE(messageOffset, o + 8);
    data.writeUInt16LE(message.length, o + 10);
    data.writeUInt16LE(THIS_INSTRUCTION, o + 12);
    data.set(e.publicKey, pk);
    data.set(e.signature, sig);
  });
  data.set(message, messageOffset);
  return new TransactionInstruction({ programId: ED25519_PROGRAM_ID, keys: [], data });
}

/** ed25519 signature with node:crypto over `message`, from a 32-byte seed. */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  return new Uint8Array(edSign(null, message, ed25519PrivateKey(seed)));
}

const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new Error('ed25519 seed must be 32 bytes');
  return createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
}
