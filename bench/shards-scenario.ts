/**
 * Shards in LiteSVM: a network with K device trees and K record trees. Devices registered
 * through the sdk spread over the device trees (`deviceTreeFor`); the relayer's
 * `RecordTreePool` gives attestations in flight at the same time different record trees; the
 * transactions of K attestations on K devices in K device trees write-lock pairwise disjoint
 * accounts (the network is read-only). Also the network ceiling computed from measured compute
 * units and Solana's limits (`networkCeiling`; docs/programs.md, "Shards").
 */
import BN from 'bn.js';
import {
  DeviceEd25519Key,
  LOCAL_NETWORK_SHARDS,
  SOLANA_COST_LIMITS,
  submitAttestationInstruction,
  toHex,
  type NetworkFollower,
} from '@zkpin/sdk';
import { RecordTreePool } from '@zkpin/oracle/workers';
import { AttestedNetwork } from './attestation-scenario.ts';

/** Solana's cost-model limits (defined once in the sdk). */
export const SOLANA_LIMITS = SOLANA_COST_LIMITS;

/** Writable accounts of one submit_attestation: fee payer, device tree, record tree. */
export const ATTESTATION_WRITE_LOCKS = 3;

/**
 * What one attestation counts against the block and account limits: executed CU plus one
 * signature and three write locks (instruction-data bytes, about 120 CU, are left out).
 */
export function attestationCost(executedUnits: number): number {
  return (
    executedUnits +
    SOLANA_LIMITS.signatureUnits +
    ATTESTATION_WRITE_LOCKS * SOLANA_LIMITS.writeLockUnits
  );
}

export interface NetworkCeiling {
  perBlock: number;
  perSecond: number;
  /** Which limit binds: the per-account limit of the trees, or the block's (at equality). */
  binding: 'account' | 'block';
}

/**
 * Attestations per block and per second of one network with `shards` device trees and
 * `shards` record trees, evenly loaded, and at least `shards` fee payers (the payer is
 * write-locked too): `min(shards × 12M, block limit) / cost`, whole attestations, times
 * 1000 / 400 ms.
 */
export function networkCeiling(executedUnits: number, shards: number): NetworkCeiling {
  const cost = attestationCost(executedUnits);
  const account = shards * SOLANA_LIMITS.accountUnits;
  const units = Math.min(account, SOLANA_LIMITS.blockUnits);
  const perBlock = Math.floor(units / cost);
  return {
    perBlock,
    perSecond: Math.round((perBlock * 1000) / SOLANA_LIMITS.slotMs),
    binding: account < SOLANA_LIMITS.blockUnits ? 'account' : 'block',
  };
}

/** The fewest shards at which the block limit, not a tree, binds (the sdk's default). */
export const BLOCK_BOUND_SHARDS = LOCAL_NETWORK_SHARDS;

export interface ShardRun {
  shards: number;
  /** Devices per device tree (base58 → count), registered through `deviceTreeFor`. */
  devicesPerTree: Map<string, number>;
  /** Records per record tree after the two attestations the vector allows. */
  recordsPerTree: Map<string, number>;
  /** Writable accounts (base58) of each of K concurrent attestations (one per device tree). */
  writableSets: string[][];
  /** Read-only accounts of the first of them (the network among them). */
  readonly: string[];
  /** Executed CU of the attestations, in order. */
  units: number[];
}

function countsByTree(follower: NetworkFollower, kind: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of follower.trees.values())
    if (t.kind === kind) m.set(t.address.toBase58(), t.replica.size);
  return m;
}

/**
 * Sets up a network with `shards` trees of each kind, registers `devices` more devices,
 * records the vector's two readings in two record trees leased from the relayer's pool (the
 * first lease still held: concurrent), and builds K attestations for devices in K different
 * device trees with K leases, returning their write-lock sets.
 */
export async function runShards(shards: number, devices = 8 * shards): Promise<ShardRun> {
  const n = await AttestedNetwork.create({ shards });
  const follower = n.net.follower;
  for (let i = 0; i < devices; i++) {
    const seed = new Uint8Array(32);
    seed.set([0x5a, i & 0xff, i >> 8]);
    await n.net.registerDevice({
      deviceKey: new DeviceEd25519Key(seed),
      bjjKeyHash: n.vector.bjjKeyHash,
      modelId: n.vector.modelId,
    });
  }

  const pool = new RecordTreePool(n.net.embedded, n.setup.network, { follower });
  const units: number[] = [];
  // The device proof from the follower, current after the registrations above (the scenario's
  // own replica saw none of them: a proof k changes stale costs about 160 CU more per change,
  // docs/programs.md).
  const current = () => {
    const p = follower.proof(toHex(n.leaf.device.toBytes()))!;
    return { root: p.root, proofNodes: p.nodes };
  };
  const first = await pool.lease();
  units.push((await n.submit({ recordTree: first.tree, ...current() })).computeUnits);
  n.track({ ...n.leaf, seq: new BN(n.vector.seq.toString()) });
  const second = await pool.lease();
  units.push(
    (await n.submit(n.nextParams({ recordTree: second.tree, ...current() }))).computeUnits,
  );
  first.release();
  second.release();

  // K concurrent attestations: one device from each device tree, one lease each.
  const byTree = new Map<string, string>();
  for (const [hex, d] of follower.devices) byTree.set(d.tree.toBase58(), hex);
  const leases = await Promise.all(Array.from({ length: shards }, () => pool.lease()));
  const writableSets: string[][] = [];
  let readonly: string[] = [];
  let i = 0;
  for (const hex of [...byTree.values()].slice(0, shards)) {
    const p = follower.proof(hex)!;
    const ix = await submitAttestationInstruction(n.attestation, {
      ...n.params(),
      deviceTree: p.state.tree,
      recordTree: leases[i++]!.tree,
      leaf: p.state.leaf,
      leafIndex: p.state.leafIndex,
      root: p.root,
      proofNodes: p.nodes,
    });
    // The fee payer (the oracle, a signer) is write-locked too: K relayers use K payers.
    const keys = ix.keys.filter((k) => !k.pubkey.equals(n.oracle.publicKey));
    writableSets.push(keys.filter((k) => k.isWritable).map((k) => k.pubkey.toBase58()));
    if (readonly.length === 0)
      readonly = keys.filter((k) => !k.isWritable).map((k) => k.pubkey.toBase58());
  }
  for (const l of leases) l.release();
  return {
    shards,
    devicesPerTree: countsByTree(follower, 0),
    recordsPerTree: countsByTree(follower, 1),
    writableSets,
    readonly,
    units,
  };
}

/** `bench:programs` metrics: the ceiling for 1 and for `shards` shards from `submitUnits`. */
export function ceilingMetrics(submitUnits: number, shards: number): Record<string, number> {
  const k1 = networkCeiling(submitUnits, 1);
  const kn = networkCeiling(submitUnits, shards);
  return {
    shards,
    attestation_block_cost_cu: attestationCost(submitUnits),
    network_ceiling_attestations_per_block_k1: k1.perBlock,
    network_ceiling_attestations_per_s_k1: k1.perSecond,
    [`network_ceiling_attestations_per_block_k${shards}`]: kn.perBlock,
    [`network_ceiling_attestations_per_s_k${shards}`]: kn.perSecond,
    network_ceiling_attestations_per_s: kn.perSecond,
  };
}
