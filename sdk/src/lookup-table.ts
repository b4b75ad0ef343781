/**
 * The relayer's address lookup table: the per-network accounts of every submit_attestation
 * (model, trees, the attestation PDA, device_registry, the compute-budget program; not the
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
}

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
  const addresses = [
    modelPda(n.network, n.modelId, ids.deviceRegistry),
    n.deviceTree,
    n.recordTree,
    attestationAuthorityPda(ids.inferenceAttestation),
    ids.deviceRegistry,
    ComputeBudgetProgram.programId,
  ];
  const extend = AddressLookupTableProgram.extendLookupTable({
    lookupTable: table,
    authority: payer.publicKey,
    payer: payer.publicKey,
    addresses,
  });
  await chain.send(new Transaction().add(create, extend), [payer]);
  // Addresses added in slot s are usable from slot s + 1.
  await chain.waitPastSlot((await chain.slot()) + 1n);
  const info = await chain.getAccountInfo(table);
  if (!info) throw new Error(`lookup table ${table.toBase58()} was not created`);
  return new AddressLookupTableAccount({
    key: table,
    state: AddressLookupTableAccount.deserialize(info.data),
  });
}
