/**
 * Ed25519 precompile instructions with several signatures in one instruction.
 *
 * web3.js builds one signature per instruction; `register_device` needs two (device and
 * maker) over the same onboarding message, so the message is stored once and both
 * signature entries point at it. All offsets refer to this same instruction
 * (instruction index 0xFFFF), which is what the programs require.
 */
import { TransactionInstruction } from '@solana/web3.js';
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
    if (e.publicKey.length !== 32 || e.signature.length !== 64)
      throw new Error('bad key/signature length');
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
