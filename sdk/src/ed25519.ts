/**
 * Ed25519 precompile instructions with several signatures in one instruction.
 *
 * web3.js builds one signature per instruction; `register_device` needs two in one (the
 * device's over its claim, the maker's over its approval). Each distinct message is stored
 * once and the entries point at it. All offsets refer to this same instruction (instruction
 * index 0xFFFF), which is what the programs require.
 */
import { Buffer } from 'buffer';
import { TransactionInstruction } from '@solana/web3.js';
import { ED25519_PROGRAM_ID } from './program-ids.ts';

export interface Ed25519Entry {
  publicKey: Uint8Array; // 32 bytes
  signature: Uint8Array; // 64 bytes
}

export interface Ed25519SignedMessage extends Ed25519Entry {
  message: Uint8Array;
}

const HEADER = 2;
const ENTRY = 14;
const THIS_INSTRUCTION = 0xffff;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** One precompile instruction verifying each entry's signature over its own message. */
export function ed25519Instruction(entries: Ed25519SignedMessage[]): TransactionInstruction {
  if (entries.length === 0 || entries.length > 8) throw new Error('1 to 8 signatures');
  const messages: Uint8Array[] = [];
  const messageIndex = entries.map((e) => {
    const i = messages.findIndex((m) => sameBytes(m, e.message));
    if (i >= 0) return i;
    messages.push(e.message);
    return messages.length - 1;
  });
  const dataStart = HEADER + ENTRY * entries.length;
  const messagesStart = dataStart + entries.length * 96;
  const messageOffsets: number[] = [];
  let end = messagesStart;
  for (const m of messages) {
    messageOffsets.push(end);
    end += m.length;
  }
  if (end > 0xffff) throw new Error('ed25519 instruction data too large');
  const data = new Uint8Array(end);
  const view = new DataView(data.buffer);
  view.setUint8(0, entries.length);
  entries.forEach((e, i) => {
    if (e.publicKey.length !== 32 || e.signature.length !== 64)
      throw new Error('bad key/signature length');
    const pk = dataStart + i * 96;
    const sig = pk + 32;
    const o = HEADER + i * ENTRY;
    const m = messageIndex[i]!;
    view.setUint16(o, sig, true);
    view.setUint16(o + 2, THIS_INSTRUCTION, true);
    view.setUint16(o + 4, pk, true);
    view.setUint16(o + 6, THIS_INSTRUCTION, true);
    view.setUint16(o + 8, messageOffsets[m]!, true);
    view.setUint16(o + 10, messages[m]!.length, true);
    view.setUint16(o + 12, THIS_INSTRUCTION, true);
    data.set(e.publicKey, pk);
    data.set(e.signature, sig);
  });
  messages.forEach((m, i) => data.set(m, messageOffsets[i]));
  return new TransactionInstruction({
    programId: ED25519_PROGRAM_ID,
    keys: [],
    // web3.js 1.x takes instruction data as a Buffer.
    data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  });
}

/** One precompile instruction verifying every `entries[i]` signature over one `message`. */
export function ed25519MultiSigInstruction(
  entries: Ed25519Entry[],
  message: Uint8Array,
): TransactionInstruction {
  return ed25519Instruction(entries.map((e) => ({ ...e, message })));
}
