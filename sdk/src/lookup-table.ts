/**
 * The relayer's address lookup table: the per-network accounts of every submit_attestation
 * (model, every device tree and record tree of the network, the attestation PDA, device_registry, the compute-budget program; not the
 * network account, which stays a static key: see below).
 * A v0 transaction through it is about 190 bytes smaller than a legacy one, which leaves room
 * for a priority fee with a depth-20 device tree (docs/programs.md).
 */
import {
  AddressLookupTableAccount,
  AddressLookupTableProgram,
  ComputeBudgetProgram,
  PublicKey,
  type Keypair,
  Transaction,
} from '@solana/web3.js';
import { attestationAuthorityPda } from './attestation.ts';
import type { Chain } from './chain.ts';
import { LOCALNET_PROGRAM_IDS, type ProgramIds } from './program-ids.ts';
import { modelPda } from './registry-client.ts';

export interface LookupTableNetwork {
  network: PublicKey;
  modelId: number;
  deviceTree: PublicKey;
  recordTree: PublicKey;
  /** Every device tree (shard) of the network; default `[deviceTree]`. */
  deviceTrees?: readonly PublicKey[];
  /** Every record tree (shard) of the network; default `[recordTree]`. */
  recordTrees?: readonly PublicKey[];
}

/** The table's addresses: per-network accounts of submit_attestation, every tree included. */
export function relayerLookupTableAddresses(
  n: LookupTableNetwork,
  ids: ProgramIds = LOCALNET_PROGRAM_IDS,
): PublicKey[] {
  const trees = [...(n.deviceTrees ?? [n.deviceTree]), ...(n.recordTrees ?? [n.recordTree])];
  const unique = new Map(trees.map((t) => [t.toBase58(), t]));
  return [
    modelPda(n.network, n.modelId, ids.deviceRegistry),
    ...unique.values(),
    attestationAuthorityPda(ids.inferenceAttestation),
    ids.deviceRegistry,
    ComputeBudgetProgram.programId,
  ];
}

/** Addresses per extend instruction (a transaction of 1,232 bytes holds about 25). */
const EXTEND_BATCH = 20;

export async function createRelayerLookupTable(
  chain: Chain,
  payer: Keypair,
  n: LookupTableNetwork,
  ids: ProgramIds = LOCALNET_PROGRAM_IDS,
): Promise<AddressLookupTableAccount> {
  // The table address derives from a slot in the SlotHashes sysvar.
  const recentSlot = await chain.recentSlot();
  const [create, table] = AddressLookupTableProgram.createLookupTable({
    authority: payer.publicKey,
    payer: payer.publicKey,
    recentSlot,
  });
  // The network account stays a static key of every attestation: getSignaturesForAddress
  // (network) must find each one on any RPC node, and some (surfpool 1.3.1, measured) do not
  // index addresses loaded from a lookup table. Followers and indexers read the network's
  // history that way.
  // One extend instruction holds about 20 addresses within a transaction's 1,232 bytes (32
  // bytes each): networks with more trees extend in several transactions.
  const addresses = relayerLookupTableAddresses(n, ids);
  const extend = (batch: PublicKey[]) =>
    AddressLookupTableProgram.extendLookupTable({
      lookupTable: table,
      authority: payer.publicKey,
      payer: payer.publicKey,
      addresses: batch,
    });
  await chain.send(new Transaction().add(create, extend(addresses.slice(0, EXTEND_BATCH))), [
    payer,
  ]);
  for (let i = EXTEND_BATCH; i < addresses.length; i += EXTEND_BATCH)
    await chain.send(new Transaction().add(extend(addresses.slice(i, i + EXTEND_BATCH))), [payer]);
  // Addresses added in slot s are usable from slot s + 1.
  await chain.waitPastSlot((await chain.slot()) + 1n);
  const info = await chain.getAccountInfo(table);
  if (!info) throw new Error(`lookup table ${table.toBase58()} was not created`);
  return new AddressLookupTableAccount({
    key: table,
    state: AddressLookupTableAccount.deserialize(info.data),
  });
}
