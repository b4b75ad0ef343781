/**
 * A replica of one network's compressed state, kept current from device_registry's events:
 * every device leaf (by device key) and a sparse Merkle replica of every device and record
 * tree. The bridge
 * uses it to know devices and their status; the relayer to build device proofs, which it
 * checks against the on-chain root before sending.
 */
import { type Provider } from '@coral-xyz/anchor';
import { PublicKey } from '@solana/web3.js';
import { ConcurrentMerkleTreeAccount } from '@solana/spl-account-compression';
import { parseProgramEvents, recordLeafHash } from './attestation.ts';
import type { Chain } from './chain.ts';
import { MerkleReplica } from './merkle-replica.ts';
import { DEVICE_REGISTRY_PROGRAM_ID } from './program-ids.ts';
import { deviceRegistryProgram } from './programs.ts';
import {
  DEVICE_STATUS_ACTIVE,
  TREE_KIND_DEVICE,
  deviceLeafHash,
  type DeviceLeaf,
} from './registry-client.ts';

export interface DeviceState {
  tree: PublicKey;
  leafIndex: number;
  leaf: DeviceLeaf;
}

export interface TreeState {
  address: PublicKey;
  kind: number;
  canopyDepth: number;
  replica: MerkleReplica;
}

export interface DeviceProof {
  state: DeviceState;
  root: Uint8Array;
  /** Proof nodes without the canopy's part, bottom-up. */
  nodes: Uint8Array[];
}

const coder = deviceRegistryProgram({} as Provider).coder;

interface DeviceEventData {
  network: PublicKey;
  tree: PublicKey;
  leafIndex: number;
  leaf: DeviceLeaf;
}

export class NetworkFollower {
  readonly devices = new Map<string, DeviceState>();
  readonly trees = new Map<string, TreeState>();
  records = 0;
  private readonly listeners = new Set<(d: DeviceState) => void>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    readonly chain: Chain,
    readonly network: PublicKey,
  ) {}

  start(): this {
    this.unsubscribe = this.chain.onLogs(DEVICE_REGISTRY_PROGRAM_ID, (logs) =>
      this.applyLogs(logs),
    );
    return this;
  }

  stop(): void {
    this.unsubscribe?.();
  }

  /** Called on every device registration or change. */
  onDevice(fn: (d: DeviceState) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  device(deviceHex: string): DeviceState | undefined {
    return this.devices.get(deviceHex);
  }

  isActive(deviceHex: string): boolean {
    return this.devices.get(deviceHex)?.leaf.status === DEVICE_STATUS_ACTIVE;
  }

  /** Applies the events in one transaction's logs (in order). */
  applyLogs(logs: readonly string[]): void {
    for (const ev of parseProgramEvents(logs, DEVICE_REGISTRY_PROGRAM_ID, coder)) {
      const d = ev.data as Record<string, unknown>;
      if ((d['network'] as PublicKey | undefined)?.equals(this.network) !== true) continue;
      switch (ev.name) {
        case 'treeInitialized': {
          const tree = d['tree'] as PublicKey;
          this.trees.set(tree.toBase58(), {
            address: tree,
            kind: d['kind'] as number,
            canopyDepth: d['canopyDepth'] as number,
            replica: new MerkleReplica(d['maxDepth'] as number),
          });
          break;
        }
        case 'deviceRegistered':
        case 'deviceUpdated': {
          const e = d as unknown as DeviceEventData;
          const tree = this.trees.get(e.tree.toBase58());
          if (!tree)
            throw new Error(
              `event for unknown tree ${e.tree.toBase58()}: follow the network from its start`,
            );
          tree.replica.set(e.leafIndex, deviceLeafHash(this.network, e.leaf));
          const state = { tree: e.tree, leafIndex: e.leafIndex, leaf: e.leaf };
          this.devices.set(e.leaf.device.toBuffer().toString('hex'), state);
          for (const fn of this.listeners) fn(state);
          break;
        }
        case 'recordAppended': {
          const tree = this.trees.get((d['tree'] as PublicKey).toBase58());
          const r = d['record'] as {
            device: PublicKey;
            modelId: number;
            seq: { toString(): string };
            timestamp: { toString(): string };
            inputCommitment: number[];
            class: number;
            score: { toString(): string };
            publicInput: number[];
          };
          tree?.replica.set(
            d['leafIndex'] as number,
            recordLeafHash({
              device: r.device,
              modelId: r.modelId,
              seq: BigInt(r.seq.toString()),
              timestamp: BigInt(r.timestamp.toString()),
              inputCommitment: Uint8Array.from(r.inputCommitment),
              class: r.class,
              score: BigInt(r.score.toString()),
              publicInput: Uint8Array.from(r.publicInput),
            }),
          );
          this.records += 1;
          break;
        }
        default:
          break;
      }
    }
  }

  /** The device's current leaf and proof from the replica. */
  proof(deviceHex: string): DeviceProof | undefined {
    const state = this.devices.get(deviceHex);
    if (!state) return undefined;
    const tree = this.trees.get(state.tree.toBase58());
    if (!tree || tree.kind !== TREE_KIND_DEVICE) return undefined;
    return {
      state,
      root: tree.replica.root,
      nodes: tree.replica.proofWithoutCanopy(state.leafIndex, tree.canopyDepth),
    };
  }

  /** Whether the replica's root of `tree` equals the on-chain root. */
  async rootMatchesChain(tree: PublicKey): Promise<boolean> {
    const info = await this.chain.getAccountInfo(tree);
    const t = this.trees.get(tree.toBase58());
    if (!info || !t) return false;
    const onChain = ConcurrentMerkleTreeAccount.fromBuffer(info.data).getCurrentRoot();
    return Buffer.from(onChain).equals(Buffer.from(t.replica.root));
  }
}
