/**
 * The upgradeable BPF loader (loader v3, `BPFLoaderUpgradeab1e11111111111111111111111`): the
 * instructions a deployment sends (buffer, write, deploy, upgrade, set authority, close) and
 * the account states it reads back. Encodings are the loader's bincode: a u32 LE variant tag,
 * then the fields (a `Vec<u8>` as u64 LE length + bytes).
 */
import { Buffer } from 'buffer';
import {
  PublicKey,
  SYSVAR_CLOCK_PUBKEY,
  SYSVAR_RENT_PUBKEY,
  SystemProgram,
  TransactionInstruction,
} from '@solana/web3.js';

export const LOADER_V3_PROGRAM_ID = new PublicKey('BPFLoaderUpgradeab1e11111111111111111111111');

/** Bytes of a buffer account before the program bytes: tag u32 + Option<authority>. */
export const BUFFER_HEADER_BYTES = 37;
/** Bytes of a program account: tag u32 + programdata address. */
export const PROGRAM_ACCOUNT_BYTES = 36;
/** Bytes of a programdata account before the program bytes: tag + slot u64 + Option<authority>. */
export const PROGRAMDATA_HEADER_BYTES = 45;

/** The programdata account of `program`: PDA `[program]` of the loader. */
export function programDataAddress(program: PublicKey): PublicKey {
  return PublicKey.findProgramAddressSync([program.toBytes()], LOADER_V3_PROGRAM_ID)[0];
}

function data(tag: number, extra = 0): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(4 + extra);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, tag, true);
  return { bytes, view };
}

function ix(keys: TransactionInstruction['keys'], bytes: Uint8Array): TransactionInstruction {
  return new TransactionInstruction({
    programId: LOADER_V3_PROGRAM_ID,
    keys,
    data: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  });
}

const w = (pubkey: PublicKey, isSigner = false) => ({ pubkey, isSigner, isWritable: true });
const r = (pubkey: PublicKey, isSigner = false) => ({ pubkey, isSigner, isWritable: false });

/** `InitializeBuffer`: the (already allocated, loader-owned) buffer gets its write authority. */
export function initializeBufferInstruction(
  buffer: PublicKey,
  authority: PublicKey,
): TransactionInstruction {
  return ix([w(buffer), r(authority)], data(0).bytes);
}

/** `Write { offset, bytes }` into a buffer, signed by its authority. */
export function writeInstruction(
  buffer: PublicKey,
  authority: PublicKey,
  offset: number,
  bytes: Uint8Array,
): TransactionInstruction {
  const { bytes: out, view } = data(1, 4 + 8 + bytes.length);
  view.setUint32(4, offset, true);
  view.setBigUint64(8, BigInt(bytes.length), true);
  out.set(bytes, 16);
  return ix([w(buffer), r(authority, true)], out);
}

/**
 * `DeployWithMaxDataLen`: the program account (created just before, 36 bytes, owned by the
 * loader) gets a programdata account of `maxDataLen` program bytes, filled from the buffer,
 * which is closed into the payer.
 */
export function deployWithMaxDataLenInstruction(p: {
  payer: PublicKey;
  program: PublicKey;
  buffer: PublicKey;
  authority: PublicKey;
  maxDataLen: number;
}): TransactionInstruction {
  const { bytes, view } = data(2, 8);
  view.setBigUint64(4, BigInt(p.maxDataLen), true);
  return ix(
    [
      w(p.payer, true),
      w(programDataAddress(p.program)),
      w(p.program),
      w(p.buffer),
      r(SYSVAR_RENT_PUBKEY),
      r(SYSVAR_CLOCK_PUBKEY),
      r(SystemProgram.programId),
      r(p.authority, true),
    ],
    bytes,
  );
}

/** `Upgrade`: replaces the program's bytes with the buffer's; the buffer's lamports go to `spill`. */
export function upgradeInstruction(p: {
  program: PublicKey;
  buffer: PublicKey;
  spill: PublicKey;
  authority: PublicKey;
}): TransactionInstruction {
  return ix(
    [
      w(programDataAddress(p.program)),
      w(p.program),
      w(p.buffer),
      w(p.spill),
      r(SYSVAR_RENT_PUBKEY),
      r(SYSVAR_CLOCK_PUBKEY),
      r(p.authority, true),
    ],
    data(3).bytes,
  );
}

/**
 * `SetAuthority` of a buffer or a programdata account; `newAuthority` null makes a program
 * immutable (final).
 */
export function setAuthorityInstruction(
  account: PublicKey,
  current: PublicKey,
  newAuthority: PublicKey | null,
): TransactionInstruction {
  const keys = [w(account), r(current, true)];
  if (newAuthority) keys.push(r(newAuthority));
  return ix(keys, data(4).bytes);
}

/** `Close` a buffer (lamports to `recipient`). */
export function closeBufferInstruction(
  buffer: PublicKey,
  recipient: PublicKey,
  authority: PublicKey,
): TransactionInstruction {
  return ix([w(buffer), w(recipient), r(authority, true)], data(5).bytes);
}

/** A loader-v3 account, decoded. */
export type LoaderV3State =
  | { kind: 'uninitialized' }
  | { kind: 'buffer'; authority: PublicKey | null; bytes: Uint8Array }
  | { kind: 'program'; programData: PublicKey }
  | { kind: 'programData'; slot: bigint; authority: PublicKey | null; bytes: Uint8Array };

function optionalKey(d: Uint8Array, at: number): PublicKey | null {
  return d[at] === 1 ? new PublicKey(d.subarray(at + 1, at + 33)) : null;
}

/** Decodes a loader-v3 account's data (throws on an unknown tag or a short account). */
export function decodeLoaderV3State(d: Uint8Array): LoaderV3State {
  if (d.length < 4) throw new RangeError('not a loader-v3 account: shorter than its tag');
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  const tag = view.getUint32(0, true);
  switch (tag) {
    case 0:
      return { kind: 'uninitialized' };
    case 1:
      return {
        kind: 'buffer',
        authority: optionalKey(d, 4),
        bytes: d.subarray(BUFFER_HEADER_BYTES),
      };
    case 2:
      return { kind: 'program', programData: new PublicKey(d.subarray(4, 36)) };
    case 3:
      return {
        kind: 'programData',
        slot: view.getBigUint64(4, true),
        authority: optionalKey(d, 12),
        bytes: d.subarray(PROGRAMDATA_HEADER_BYTES),
      };
    default:
      throw new RangeError(`not a loader-v3 account: tag ${tag}`);
  }
}
