/**
 * Brings up a zkpin network on a chain through the Anchor clients: network, oracle set,
 * one maker (with its first approval page, serials 0 to 65,535), one model (more with
 * `registerModel`), and `shards` device trees and `shards` record trees. Used by the local
 * network, the simulator, tests and benchmarks.
 *
 * Shards: an attestation write-locks one device tree and one record tree (the network account
 * is read-only), and Solana caps the compute units of the transactions that write-lock one
 * account in a block (12M CU), so one tree of each kind caps a network at about a hundred
 * attestations per block. K trees of each kind raise that K-fold, until the block's own limit
 * binds (docs/programs.md, "Shards").
 */
import { Keypair, PublicKey, SystemProgram, Transaction } from '@solana/web3.js';
import { parseIdlErrors, translateError, type Program } from '@coral-xyz/anchor';
import { DeviceEd25519Key } from './device-keys.ts';
import type { DeviceRegistry } from './programs.ts';
import { networkPda } from './programs.ts';
import {
  TREE_KIND_DEVICE,
  TREE_KIND_RECORD,
  createTree,
  initApprovalPageInstruction,
  makerPda,
  modelPda,
} from './registry-client.ts';
import type { TreeShape } from './tree-account.ts';
import { assertModelShape, type ModelShape } from './model-shape.ts';
import { APPROVAL_PAGE_SIZE } from '../../idls/constants.ts';

/** Device trees: 2^20 devices; canopy 10 keeps proofs at 10 nodes (docs/architecture.md). */
export const DEVICE_TREE_SHAPE: TreeShape = { maxDepth: 20, maxBufferSize: 64, canopyDepth: 10 };
/** Record trees: 2^24 records each, append-only (no canopy needed on-chain). */
export const RECORD_TREE_SHAPE: TreeShape = { maxDepth: 24, maxBufferSize: 64, canopyDepth: 0 };

export interface NetworkSetupOptions {
  authority: Keypair;
  oracles?: PublicKey[];
  permissionless?: boolean;
  makerName?: string;
  makerKey?: DeviceEd25519Key;
  modelId?: number;
  modelVersion?: number;
  verifyingKey: Uint8Array; // 576 bytes
  onnxSha256?: Uint8Array;
  circuitSha256?: Uint8Array;
  /** Readings per inference; default 16 (the reference model, zkpin_anomaly_v1). */
  window?: number;
  /** Number of classes; default 4 (the reference model). */
  classes?: number;
  deviceTree?: TreeShape;
  recordTree?: TreeShape;
  /** Device trees and record trees to create (each kind); default 1. */
  shards?: number;
}

/**
 * Solana's cost-model limits (agave `cost-model/src/block_cost_limits.rs`): compute units of
 * the transactions that write-lock one account, per block (`MAX_WRITABLE_ACCOUNT_UNITS`), and
 * of a block (`MAX_BLOCK_UNITS_SIMD_0256`, 60M since 2025; 48M before SIMD-0207/0256).
 */
export const SOLANA_COST_LIMITS = {
  accountUnits: 12_000_000,
  blockUnits: 60_000_000,
  slotMs: 400,
  /** SIGNATURE_COST and WRITE_LOCK_UNITS: a transaction's cost beyond its executed CU. */
  signatureUnits: 720,
  writeLockUnits: 300,
} as const;

/**
 * Shards of a local or deployed network (each kind): the fewest trees at which Solana's block
 * limit, not a tree's per-account limit, caps the network's attestations (60M / 12M = 5);
 * more add nothing. Rent: 5 × 1.13 SOL (a device tree 0.765, a record tree 0.367) at the
 * default shapes, for 5.2M devices and 84M records. A network adds trees with `createTree`.
 */
export const LOCAL_NETWORK_SHARDS = Math.ceil(
  SOLANA_COST_LIMITS.blockUnits / SOLANA_COST_LIMITS.accountUnits,
);

/** The reference model's shape (zkpin_anomaly_v1: 16 readings, 4 classes). */
export const REFERENCE_MODEL_SHAPE: ModelShape = { window: 16, classes: 4 };

export interface RegisterModelOptions extends ModelShape {
  authority: PublicKey;
  network: PublicKey;
  modelId: number;
  version?: number;
  verifyingKey: Uint8Array; // 576 bytes
  onnxSha256?: Uint8Array;
  circuitSha256?: Uint8Array;
}

/**
 * `register_model`: one model version, its verifying key and its shape (checked here first,
 * so a bad shape fails with the field named before a transaction is sent). Returns the
 * model account.
 */
export async function registerModel(
  program: Program<DeviceRegistry>,
  o: RegisterModelOptions,
): Promise<PublicKey> {
  assertModelShape(o);
  const model = modelPda(o.network, o.modelId, program.programId);
  await program.methods
    .registerModel({
      modelId: o.modelId,
      version: o.version ?? 1,
      onnxSha256: Array.from(o.onnxSha256 ?? new Uint8Array(32)),
      circuitSha256: Array.from(o.circuitSha256 ?? new Uint8Array(32)),
      vk: Array.from(o.verifyingKey),
      window: o.window,
      classes: o.classes,
    })
    .accountsPartial({ authority: o.authority, network: o.network, model })
    .rpc();
  return model;
}

export interface NetworkSetup {
  network: PublicKey;
  maker: PublicKey;
  makerKey: DeviceEd25519Key;
  model: PublicKey;
  modelId: number;
  /** The first of `deviceTrees`. */
  deviceTree: PublicKey;
  /** The first of `recordTrees`. */
  recordTree: PublicKey;
  /** Every device tree of the network (registration spreads devices over them: `deviceTreeFor`). */
  deviceTrees: PublicKey[];
  /** Every record tree of the network (the relayer spreads record writes over them). */
  recordTrees: PublicKey[];
  deviceTreeShape: TreeShape;
  recordTreeShape: TreeShape;
}

export async function setUpNetwork(
  program: Program<DeviceRegistry>,
  o: NetworkSetupOptions,
): Promise<NetworkSetup> {
  const authority = o.authority.publicKey;
  await program.methods
    .initializeNetwork({ oracles: o.oracles ?? [], permissionless: o.permissionless ?? false })
    .accounts({ authority })
    .rpc();
  const ids = program.programId;
  const network = networkPda(authority, ids);

  const makerKey = o.makerKey ?? new DeviceEd25519Key();
  const makerAuthority = new PublicKey(makerKey.publicKey);
  await program.methods
    .addMaker({ authority: makerAuthority, name: o.makerName ?? 'zkpin devkits' })
    .accountsPartial({ authority, network, maker: makerPda(network, makerAuthority, ids) })
    .rpc();

  await createApprovalPage(program, {
    payer: o.authority,
    makerKey,
    maker: makerPda(network, makerAuthority, ids),
    page: 0,
  });

  const modelId = o.modelId ?? 1;
  await registerModel(program, {
    authority,
    network,
    modelId,
    version: o.modelVersion,
    verifyingKey: o.verifyingKey,
    onnxSha256: o.onnxSha256,
    circuitSha256: o.circuitSha256,
    window: o.window ?? REFERENCE_MODEL_SHAPE.window,
    classes: o.classes ?? REFERENCE_MODEL_SHAPE.classes,
  });

  const deviceTreeShape = o.deviceTree ?? DEVICE_TREE_SHAPE;
  const recordTreeShape = o.recordTree ?? RECORD_TREE_SHAPE;
  const shards = o.shards ?? 1;
  if (!Number.isInteger(shards) || shards < 1)
    throw new RangeError(`shards must be a positive integer, not ${shards}`);
  const deviceTrees: PublicKey[] = [];
  const recordTrees: PublicKey[] = [];
  for (let i = 0; i < shards; i++) {
    deviceTrees.push(
      await createTree(program, {
        authority: o.authority,
        network,
        kind: TREE_KIND_DEVICE,
        shape: deviceTreeShape,
      }),
    );
    recordTrees.push(
      await createTree(program, {
        authority: o.authority,
        network,
        kind: TREE_KIND_RECORD,
        shape: recordTreeShape,
      }),
    );
  }
  const deviceTree = deviceTrees[0]!;
  const recordTree = recordTrees[0]!;
  return {
    network,
    maker: makerPda(network, makerAuthority, ids),
    makerKey,
    model: modelPda(network, modelId, ids),
    modelId,
    deviceTree,
    recordTree,
    deviceTrees,
    recordTrees,
    deviceTreeShape,
    recordTreeShape,
  };
}

/**
 * Creates page `page` of a maker's approval bitmap. The maker's authority signs and pays the
 * rent (`payer` first sends it that much, and pays the fee).
 */
export async function createApprovalPage(
  program: Program<DeviceRegistry>,
  o: { payer: Keypair; makerKey: DeviceEd25519Key; maker: PublicKey; page: number },
): Promise<void> {
  const makerSigner = Keypair.fromSeed(o.makerKey.seed);
  const rent = await program.provider.connection.getMinimumBalanceForRentExemption(
    APPROVAL_PAGE_ACCOUNT_BYTES,
  );
  const tx = new Transaction().add(
    SystemProgram.transfer({
      fromPubkey: o.payer.publicKey,
      toPubkey: makerSigner.publicKey,
      lamports: rent,
    }),
    await initApprovalPageInstruction(program, {
      makerAuthority: makerSigner.publicKey,
      maker: o.maker,
      page: o.page,
    }),
  );
  tx.feePayer = o.payer.publicKey;
  try {
    await program.provider.sendAndConfirm!(tx, [o.payer, makerSigner]);
  } catch (e) {
    throw translateError(e, parseIdlErrors(program.idl));
  }
}

/** Size of an `ApprovalPage` account (generated: idls/constants.ts `APPROVAL_PAGE_SIZE`). */
export const APPROVAL_PAGE_ACCOUNT_BYTES = APPROVAL_PAGE_SIZE;
