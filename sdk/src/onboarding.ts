/**
 * Onboarding (docs/contracts.md, "Onboarding"): a maker approves device keys in bulk, each
 * approval with its own `serial` and an expiry; at onboarding time the device signs a claim
 * naming its owner; the owner sends one transaction with both signatures in an Ed25519
 * precompile instruction, then `register_device`. The program sets the approval's bit in the
 * maker's approval bitmap, so an approval registers one device leaf, ever.
 *
 * Browser-safe: byte layouts only, no node:crypto.
 */
import { PublicKey } from '@solana/web3.js';
import { DEVICE_REGISTRY_PROGRAM_ID } from './program-ids.ts';
import {
  APPROVAL_PAGE_SIZE,
  APPROVALS_SEED,
  SERIALS_PER_APPROVAL_PAGE,
} from '../../idls/constants.ts';

export const APPROVAL_DOMAIN = 'zkpin/v2/approve';
export const CLAIM_DOMAIN = 'zkpin/v2/onboard';
export const APPROVAL_MESSAGE_BYTES = 160;
export const CLAIM_MESSAGE_BYTES = 148;
/** Serials per approval page (one bit each): 8,192 bytes. Generated (idls/constants.ts). */
export { SERIALS_PER_APPROVAL_PAGE };
const U32_MAX = 0xffffffff;

/** What a maker's authority key signs to approve one device. */
export interface ApprovalFields {
  network: Uint8Array; // 32
  maker: Uint8Array; // 32, the Maker account (PDA)
  device: Uint8Array; // 32, the device's ed25519 key
  bjjKeyHash: Uint8Array; // 32, big-endian field element
  modelId: number; // u32
  serial: number; // u32
  expiresAt: bigint; // i64 unix seconds
}

/** What the device key signs at onboarding: its consent to `owner` for approval `serial`. */
export interface ClaimFields {
  network: Uint8Array;
  device: Uint8Array;
  owner: Uint8Array;
  maker: Uint8Array;
  serial: number;
}

function bytes32(b: Uint8Array, what: string): Uint8Array {
  if (b.length !== 32) throw new RangeError(`${what} must be 32 bytes, got ${b.length}`);
  return b;
}

function u32(v: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > U32_MAX) throw new RangeError(`${what} must be a u32`);
  return v;
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** `"zkpin/v2/approve" || network || maker || device || bjj_key_hash || model_id u32 LE || serial u32 LE || expires_at i64 LE` */
export function encodeApprovalMessage(f: ApprovalFields): Uint8Array {
  const out = new Uint8Array(APPROVAL_MESSAGE_BYTES);
  const view = new DataView(out.buffer);
  out.set(ascii(APPROVAL_DOMAIN), 0);
  out.set(bytes32(f.network, 'network'), 16);
  out.set(bytes32(f.maker, 'maker'), 48);
  out.set(bytes32(f.device, 'device'), 80);
  out.set(bytes32(f.bjjKeyHash, 'bjjKeyHash'), 112);
  view.setUint32(144, u32(f.modelId, 'modelId'), true);
  view.setUint32(148, u32(f.serial, 'serial'), true);
  if (BigInt.asIntN(64, f.expiresAt) !== f.expiresAt)
    throw new RangeError('expiresAt must be an i64');
  view.setBigInt64(152, f.expiresAt, true);
  return out;
}

/** `"zkpin/v2/onboard" || network || device || owner || maker || serial u32 LE` */
export function encodeClaimMessage(f: ClaimFields): Uint8Array {
  const out = new Uint8Array(CLAIM_MESSAGE_BYTES);
  out.set(ascii(CLAIM_DOMAIN), 0);
  out.set(bytes32(f.network, 'network'), 16);
  out.set(bytes32(f.device, 'device'), 48);
  out.set(bytes32(f.owner, 'owner'), 80);
  out.set(bytes32(f.maker, 'maker'), 112);
  new DataView(out.buffer).setUint32(144, u32(f.serial, 'serial'), true);
  return out;
}

/** Signs 32-byte-key ed25519 signatures (a device key or a maker's approval key). */
export interface Ed25519Signer {
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** A maker's signed approval: what a device carries in its onboarding bundle. */
export interface SignedApproval extends ApprovalFields {
  /** The maker's authority key (signs approvals). */
  makerAuthority: Uint8Array;
  signature: Uint8Array; // 64, over encodeApprovalMessage
}

export function signApproval(maker: Ed25519Signer, fields: ApprovalFields): SignedApproval {
  return {
    ...fields,
    makerAuthority: maker.publicKey,
    signature: maker.sign(encodeApprovalMessage(fields)),
  };
}

/** The device's claim signature for `owner` over the approval it carries. */
export function signClaim(
  device: Ed25519Signer,
  approval: Pick<ApprovalFields, 'network' | 'maker' | 'serial'>,
  owner: Uint8Array,
): Uint8Array {
  return device.sign(
    encodeClaimMessage({
      network: approval.network,
      device: device.publicKey,
      owner,
      maker: approval.maker,
      serial: approval.serial,
    }),
  );
}

/** The page of a maker's approval bitmap holding `serial`. */
export function approvalPageOf(serial: number): number {
  return Math.floor(u32(serial, 'serial') / SERIALS_PER_APPROVAL_PAGE);
}

/** PDA `["approvals", maker, page u32 LE]`. */
export function approvalPagePda(
  maker: PublicKey,
  page: number,
  programId: PublicKey = DEVICE_REGISTRY_PROGRAM_ID,
): PublicKey {
  const p = new Uint8Array(4);
  new DataView(p.buffer).setUint32(0, u32(page, 'page'), true);
  return PublicKey.findProgramAddressSync([APPROVALS_SEED, maker.toBytes(), p], programId)[0];
}

/** Where an `ApprovalPage` account's bitmap starts (after discriminator, maker, page, bump, padding). */
const APPROVAL_BITS_OFFSET = APPROVAL_PAGE_SIZE - SERIALS_PER_APPROVAL_PAGE / 8;

/** Whether approval `serial` was used, from an `ApprovalPage` account's data. */
export function isApprovalUsed(pageData: Uint8Array, serial: number): boolean {
  // The bitmap is the account's last SERIALS_PER_APPROVAL_PAGE / 8 bytes.
  const bit = serial % SERIALS_PER_APPROVAL_PAGE;
  const byte = pageData[APPROVAL_BITS_OFFSET + Math.floor(bit / 8)];
  if (byte === undefined) throw new RangeError('not an ApprovalPage account');
  return (byte & (1 << (bit % 8))) !== 0;
}
