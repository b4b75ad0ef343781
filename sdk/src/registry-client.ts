/**
 * Client helpers for device_registry: PDAs, tree accounts, leaf encodings and the
 * register-device transaction (Ed25519 precompile + instruction; onboarding.ts has the
 * approval and claim messages).
 */
import { BorshCoder, parseIdlErrors, translateError, type Program } from '@coral-xyz/anchor';
import BN from 'bn.js';
import {
  Keypair,
  PublicKey,
  SYSVAR_INSTRUCTIONS_PUBKEY,
  SystemProgram,
  Transaction,
  type AccountMeta,
  type TransactionInstruction,
} from '@solana/web3.js';
import { keccak_256 } from '@noble/hashes/sha3';
import { ed25519Instruction } from './ed25519.ts';
import { treeAccountSize, type TreeShape } from './tree-account.ts';
import {
  approvalPageOf,
  approvalPagePda,
  encodeApprovalMessage,
  encodeClaimMessage,
  signApproval,
  signClaim,
  type Ed25519Signer,
  type SignedApproval,
} from './onboarding.ts';
import { DEVICE_REGISTRY_PROGRAM_ID } from './program-ids.ts';
import { DEVICE_REGISTRY_IDL, type DeviceRegistry } from './programs.ts';
import { DEVICE_LEAF_V0_SIZE, MAKER_SEED, MODEL_SEED } from '../../idls/constants.ts';

// Generated from the IDL's `constants` (idls/constants.ts).
export {
  DEVICE_STATUS_ACTIVE,
  DEVICE_STATUS_REVOKED,
  TREE_KIND_DEVICE,
  TREE_KIND_RECORD,
} from '../../idls/constants.ts';

export function makerPda(
  network: PublicKey,
  makerAuthority: PublicKey,
  programId: PublicKey = DEVICE_REGISTRY_PROGRAM_ID,
): PublicKey {
  return PublicKey.findProgramAddressSync(
    [MAKER_SEED, network.toBytes(), makerAuthority.toBytes()],
    programId,
  )[0];
}

export function modelPda(
  network: PublicKey,
  modelId: number,
  programId: PublicKey = DEVICE_REGISTRY_PROGRAM_ID,
): PublicKey {
  const id = new Uint8Array(4);
  new DataView(id.buffer).setUint32(0, modelId, true);
  return PublicKey.findProgramAddressSync([MODEL_SEED, network.toBytes(), id], programId)[0];
}

/** A device leaf as the program sees it (`DeviceLeaf` in the IDL). */
export interface DeviceLeaf {
  device: PublicKey;
  owner: PublicKey;
  maker: PublicKey;
  bjjKeyHash: number[];
  modelId: number;
  seq: BN;
  status: number;
}

/**
 * Borsh coder of device_registry's IDL types (`DeviceLeaf`, `RecordLeaf`, ...): leaves are
 * encoded from the IDL, never from hand-written offsets. The IDL JSON keeps Rust's snake_case
 * field names, so values are given with those.
 */
export const DEVICE_REGISTRY_TYPES = new BorshCoder(DEVICE_REGISTRY_IDL).types;

/** `DeviceLeafV0` bytes: network || borsh(DeviceLeaf), 173 bytes. */
export function deviceLeafBytes(network: PublicKey, leaf: DeviceLeaf): Uint8Array {
  const borsh = DEVICE_REGISTRY_TYPES.encode('DeviceLeaf', {
    device: leaf.device,
    owner: leaf.owner,
    maker: leaf.maker,
    bjj_key_hash: Array.from(leaf.bjjKeyHash),
    model_id: leaf.modelId,
    seq: new BN(leaf.seq.toString()),
    status: leaf.status,
  });
  if (32 + borsh.length !== DEVICE_LEAF_V0_SIZE)
    throw new RangeError(
      `DeviceLeaf encodes to ${borsh.length} bytes, not ${DEVICE_LEAF_V0_SIZE - 32}`,
    );
  const b = new Uint8Array(DEVICE_LEAF_V0_SIZE);
  b.set(network.toBytes(), 0);
  b.set(borsh, 32);
  return b;
}

export function deviceLeafHash(network: PublicKey, leaf: DeviceLeaf): Uint8Array {
  return keccak_256(deviceLeafBytes(network, leaf));
}

/** Proof nodes as the remaining accounts the programs read them from. */
export function proofAccounts(nodes: Uint8Array[]): AccountMeta[] {
  return nodes.map((n) => ({ pubkey: new PublicKey(n), isSigner: false, isWritable: false }));
}

/** `SystemProgram.createAccount` for a tree account owned by device_registry. */
export function createTreeAccountInstruction(
  payer: PublicKey,
  tree: PublicKey,
  shape: TreeShape,
  lamports: number,
  programId: PublicKey = DEVICE_REGISTRY_PROGRAM_ID,
): TransactionInstruction {
  return SystemProgram.createAccount({
    fromPubkey: payer,
    newAccountPubkey: tree,
    lamports,
    space: treeAccountSize(shape),
    programId,
  });
}

/**
 * Creates and initializes a tree account in one transaction (the authority pays and signs).
 * Returns the tree address.
 */
export async function createTree(
  program: Program<DeviceRegistry>,
  args: { authority: Keypair; network: PublicKey; kind: number; shape: TreeShape; tree?: Keypair },
): Promise<PublicKey> {
  const tree = args.tree ?? Keypair.generate();
  const lamports = await program.provider.connection.getMinimumBalanceForRentExemption(
    treeAccountSize(args.shape),
  );
  const create = createTreeAccountInstruction(
    args.authority.publicKey,
    tree.publicKey,
    args.shape,
    lamports,
    program.programId,
  );
  const init = await program.methods
    .initTree({
      kind: args.kind,
      maxDepth: args.shape.maxDepth,
      maxBufferSize: args.shape.maxBufferSize,
    })
    .accountsPartial({
      authority: args.authority.publicKey,
      network: args.network,
      tree: tree.publicKey,
    })
    .instruction();
  try {
    await program.provider.sendAndConfirm!(new Transaction().add(create, init), [
      args.authority,
      tree,
    ]);
  } catch (e) {
    // Named program errors, as `.rpc()` would give.
    throw translateError(e, parseIdlErrors(program.idl));
  }
  return tree.publicKey;
}

/**
 * The device tree a new device is registered in: one of the network's device trees (shards),
 * chosen by the device key (keccak256(device)[0..4] as u32 LE, modulo the number of trees
 * with room), so that devices spread evenly and attestations of different devices rarely
 * write-lock the same device tree. `isFull` skips trees that have no room left (the program
 * refuses an append to a full tree with `DeviceTreeFull`); the choice is stable while the set
 * of trees with room does not change.
 */
export function deviceTreeFor(
  device: Uint8Array,
  trees: readonly PublicKey[],
  isFull: (tree: PublicKey) => boolean = () => false,
): PublicKey {
  const open = trees.filter((t) => !isFull(t));
  if (open.length === 0)
    throw new Error(
      `no device tree with room among ${trees.length}: add one (init_tree with kind device)`,
    );
  const h = keccak_256(device);
  const n = (h[0]! | (h[1]! << 8) | (h[2]! << 16) | (h[3]! << 24)) >>> 0;
  return open[n % open.length]!;
}

export interface RegisterDeviceParams {
  network: PublicKey;
  owner: PublicKey;
  maker: PublicKey; // the Maker account (PDA)
  makerSigner: Ed25519Signer; // the maker's authority key
  deviceSigner: Ed25519Signer; // the device's ed25519 key
  bjjKeyHash: Uint8Array;
  modelId: number;
  deviceTree: PublicKey;
  /** The approval's serial; default: the maker's count of onboarded devices (sequential makers). */
  serial?: number;
  /** Unix seconds; default: 30 days from now. */
  expiresAt?: bigint;
}

/** Default approval lifetime of `registerDeviceInstructions`. */
export const DEFAULT_APPROVAL_TTL_S = 30n * 24n * 3600n;

/**
 * [Ed25519 precompile (device claim, maker approval), register_device] for a device whose
 * maker signs its approval now (tests, simulators). Onboarding from a bundle a maker signed
 * earlier: `registerDeviceFromApproval`.
 */
export async function registerDeviceInstructions(
  program: Program<DeviceRegistry>,
  p: RegisterDeviceParams,
): Promise<TransactionInstruction[]> {
  const serial =
    p.serial ?? Number((await program.account.maker.fetch(p.maker)).devices.toString());
  const approval = signApproval(p.makerSigner, {
    network: p.network.toBytes(),
    maker: p.maker.toBytes(),
    device: p.deviceSigner.publicKey,
    bjjKeyHash: p.bjjKeyHash,
    modelId: p.modelId,
    serial,
    expiresAt: p.expiresAt ?? BigInt(Math.floor(Date.now() / 1000)) + DEFAULT_APPROVAL_TTL_S,
  });
  return registerDeviceFromApproval(program, {
    approval,
    claimSignature: signClaim(p.deviceSigner, approval, p.owner.toBytes()),
    owner: p.owner,
    deviceTree: p.deviceTree,
  });
}

/** [Ed25519 precompile, register_device] from a maker's signed approval and the device's claim. */
export async function registerDeviceFromApproval(
  program: Program<DeviceRegistry>,
  p: {
    approval: SignedApproval;
    claimSignature: Uint8Array;
    owner: PublicKey;
    deviceTree: PublicKey;
  },
): Promise<TransactionInstruction[]> {
  const a = p.approval;
  const device = new PublicKey(a.device);
  const network = new PublicKey(a.network);
  const maker = new PublicKey(a.maker);
  const ed = ed25519Instruction([
    {
      publicKey: a.device,
      signature: p.claimSignature,
      message: encodeClaimMessage({
        network: a.network,
        device: a.device,
        owner: p.owner.toBytes(),
        maker: a.maker,
        serial: a.serial,
      }),
    },
    { publicKey: a.makerAuthority, signature: a.signature, message: encodeApprovalMessage(a) },
  ]);
  const ix = await program.methods
    .registerDevice({
      device,
      bjjKeyHash: Array.from(a.bjjKeyHash),
      modelId: a.modelId,
      serial: a.serial,
      expiresAt: new BN(a.expiresAt.toString()),
    })
    .accountsPartial({
      owner: p.owner,
      network,
      maker,
      model: modelPda(network, a.modelId, program.programId),
      deviceTree: p.deviceTree,
      approvalPage: approvalPagePda(maker, approvalPageOf(a.serial), program.programId),
      instructions: SYSVAR_INSTRUCTIONS_PUBKEY,
    })
    .instruction();
  return [ed, ix];
}

/** `init_approval_page(page)`: the maker's authority creates (and pays for) one approval page. */
export function initApprovalPageInstruction(
  program: Program<DeviceRegistry>,
  p: { makerAuthority: PublicKey; maker: PublicKey; page: number },
): Promise<TransactionInstruction> {
  return program.methods
    .initApprovalPage(p.page)
    .accountsPartial({
      authority: p.makerAuthority,
      maker: p.maker,
      approvalPage: approvalPagePda(p.maker, p.page, program.programId),
    })
    .instruction();
}
