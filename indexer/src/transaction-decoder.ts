/**
 * One chain transaction as the changes the indexer stores: device_registry's events (network,
 * makers, models, trees, device leaves, record leaves) and, per attestation, its
 * `RecordAttested` event (a device update, a record append and the attestation: submitter and
 * `P` from the event), each attestation paired with the `submit_attestation` instruction that
 * carried its Groth16 proof. Transactions of programs built before `RecordAttested` carry the
 * same changes as `DeviceUpdated` + `RecordAppended` + inference_attestation's
 * `AttestationSubmitted`, decoded the same way. Events are read from the self-CPI inner
 * instructions (`parseProgramEvents`), never from logs; only events of the indexed network
 * are kept.
 */
import { BorshInstructionCoder, type Provider } from '@coral-xyz/anchor';
import type { PublicKey } from '@solana/web3.js';
import {
  deviceLeafHash,
  deviceRegistryProgram,
  inferenceAttestationProgram,
  parseProgramEvents,
  recordLeafHash,
  EVENT_IX_TAG,
  type ChainInstruction,
  type ChainTransaction,
  type DeviceLeaf,
  type ProgramIds,
} from '@zkpin/sdk';
import { IndexerError } from './errors.ts';

type Num = { toString(): string };

export interface TreeChangeBase {
  tree: string;
  leafIndex: number;
  treeSeq: bigint;
  /** The leaf hash written at `leafIndex`. */
  leaf: Uint8Array;
}

export interface DeviceChange extends TreeChangeBase {
  kind: 'device';
  event: 'registered' | 'updated';
  device: string;
  owner: string;
  maker: string;
  bjjKeyHash: Uint8Array;
  modelId: number;
  seq: bigint;
  status: number;
}

export interface RecordChange extends TreeChangeBase {
  kind: 'record';
  device: string;
  modelId: number;
  seq: bigint;
  timestamp: bigint;
  class: number;
  score: bigint;
  inputCommitment: Uint8Array;
  publicInput: Uint8Array;
}

export interface AttestationChange {
  kind: 'attestation';
  recordTree: string;
  recordIndex: number;
  device: string;
  modelId: number;
  seq: bigint;
  submitter: string;
  publicInput: Uint8Array;
  /** From the submit_attestation instruction's data. */
  proof: Uint8Array;
  timestamp: bigint;
  inputCommitment: Uint8Array;
  class: number;
  score: bigint;
  deviceLeafIndex: number;
  deviceRoot: Uint8Array;
}

export type Change =
  | {
      kind: 'network';
      authority?: string;
      oracles: string[];
      permissionless: boolean;
    }
  | { kind: 'maker'; address: string; authority: string; name: string }
  | { kind: 'makerActive'; address: string; active: boolean }
  | {
      kind: 'model';
      address: string;
      modelId: number;
      version: number;
      onnxSha256: Uint8Array;
      circuitSha256: Uint8Array;
      /** Readings per inference. */
      window: number;
      classes: number;
    }
  | { kind: 'modelActive'; address: string; active: boolean }
  | {
      kind: 'tree';
      address: string;
      treeKind: number;
      number: number;
      maxDepth: number;
      maxBufferSize: number;
      canopyDepth: number;
    }
  | DeviceChange
  | RecordChange
  | AttestationChange;

export type TreeChange = DeviceChange | RecordChange;

export function isTreeChange(c: Change): c is TreeChange {
  return c.kind === 'device' || c.kind === 'record';
}

const SUBMIT_ATTESTATION = Uint8Array.from([238, 220, 255, 105, 183, 211, 40, 83]);

export class TransactionDecoder {
  private readonly registryCoder;
  private readonly attestationCoder;
  private readonly attestationInstructions: BorshInstructionCoder;

  constructor(
    readonly network: PublicKey,
    readonly programIds: ProgramIds,
  ) {
    this.registryCoder = deviceRegistryProgram({} as Provider, programIds).coder;
    const attestation = inferenceAttestationProgram({} as Provider, programIds);
    this.attestationCoder = attestation.coder;
    this.attestationInstructions = new BorshInstructionCoder(attestation.idl);
  }

  /** The changes of `tx` to the indexed network, in the order the programs emitted them. */
  decode(tx: ChainTransaction): Change[] {
    const out: Change[] = [];
    const inner = tx.innerInstructions;
    // Every attestation event in execution order, of any network: the i-th is paired with the
    // i-th submit_attestation call (each call that succeeded emitted exactly one).
    const attested: Record<string, unknown>[] = [];
    for (const ev of parseProgramEvents(
      inner,
      this.programIds.deviceRegistry,
      this.registryCoder,
    )) {
      const d = ev.data as Record<string, unknown>;
      if (ev.name === 'recordAttested') {
        attested.push(d);
        if (this.ours(d)) out.push(...this.recordAttested(d));
        continue;
      }
      const c = this.registryChange(ev.name, d);
      if (c) out.push(c);
    }
    // Legacy: inference_attestation's own event, from programs built before `RecordAttested`.
    const submitted = parseProgramEvents(
      inner,
      this.programIds.inferenceAttestation,
      this.attestationCoder,
    )
      .filter((e) => e.name === 'attestationSubmitted')
      .map((e) => e.data as Record<string, unknown>);
    if (attested.length > 0 || submitted.length > 0) {
      const calls = this.submitCalls(tx);
      const pair = (i: number, name: string) => {
        const call = calls[i];
        if (!call)
          throw new IndexerError(
            'INDEXER_DECODE',
            `transaction ${tx.signature} has a ${name} event without its submit_attestation instruction`,
            { signature: tx.signature },
          );
        return call;
      };
      attested.forEach((d, i) => {
        if (this.ours(d)) out.push(attestation(d, pair(i, 'RecordAttested')));
      });
      submitted.forEach((d, i) => {
        if (this.ours(d)) out.push(legacyAttestation(d, pair(i, 'AttestationSubmitted')));
      });
    }
    return out;
  }

  /** Whether an event's `network` is the indexed network. */
  private ours(d: Record<string, unknown>): boolean {
    return (d['network'] as PublicKey | undefined)?.equals(this.network) === true;
  }

  /** The submit_attestation instructions of `tx` (top level or via CPI), in execution order. */
  private submitCalls(tx: ChainTransaction): Record<string, unknown>[] {
    const id = this.programIds.inferenceAttestation;
    const all: ChainInstruction[] = [
      ...(tx.instructions ?? []),
      ...tx.innerInstructions.filter((ix) => !EVENT_IX_TAG.every((b, i) => ix.data[i] === b)),
    ]
      .filter(
        (ix) => ix.programId.equals(id) && SUBMIT_ATTESTATION.every((b, i) => ix.data[i] === b),
      )
      .sort((a, b) => a.topLevelIndex - b.topLevelIndex || a.stackHeight - b.stackHeight);
    return all.map((ix) => {
      const decoded = this.attestationInstructions.decode(Buffer.from(ix.data));
      if (!decoded)
        throw new IndexerError(
          'INDEXER_DECODE',
          `undecodable submit_attestation in ${tx.signature}`,
          {
            signature: tx.signature,
          },
        );
      return (decoded.data as { args: Record<string, unknown> }).args;
    });
  }

  private registryChange(name: string, d: Record<string, unknown>): Change | undefined {
    if (!this.ours(d)) return undefined;
    const key = (k: string) => (d[k] as PublicKey).toBase58();
    switch (name) {
      case 'networkInitialized':
        return {
          kind: 'network',
          authority: key('authority'),
          oracles: (d['oracles'] as PublicKey[]).map((k) => k.toBase58()),
          permissionless: d['permissionless'] as boolean,
        };
      case 'oraclesSet':
        return {
          kind: 'network',
          oracles: (d['oracles'] as PublicKey[]).map((k) => k.toBase58()),
          permissionless: d['permissionless'] as boolean,
        };
      case 'makerAdded':
        return {
          kind: 'maker',
          address: key('maker'),
          authority: key('authority'),
          name: d['name'] as string,
        };
      case 'makerActiveSet':
        return { kind: 'makerActive', address: key('maker'), active: d['active'] as boolean };
      case 'modelRegistered':
        return {
          kind: 'model',
          address: key('model'),
          modelId: d['modelId'] as number,
          version: d['version'] as number,
          onnxSha256: Uint8Array.from(d['onnxSha256'] as number[]),
          circuitSha256: Uint8Array.from(d['circuitSha256'] as number[]),
          window: d['window'] as number,
          classes: d['classes'] as number,
        };
      case 'modelActiveSet':
        return { kind: 'modelActive', address: key('model'), active: d['active'] as boolean };
      case 'treeInitialized':
        return {
          kind: 'tree',
          address: key('tree'),
          treeKind: d['kind'] as number,
          number: d['number'] as number,
          maxDepth: d['maxDepth'] as number,
          maxBufferSize: d['maxBufferSize'] as number,
          canopyDepth: d['canopyDepth'] as number,
        };
      case 'deviceRegistered':
      case 'deviceUpdated':
        return this.deviceChange(
          name === 'deviceRegistered' ? 'registered' : 'updated',
          d['tree'] as PublicKey,
          d['leafIndex'],
          d['treeSeq'],
          d['leaf'],
        );
      case 'recordAppended':
        return this.recordChange(d['tree'] as PublicKey, d['leafIndex'], d['treeSeq'], d['record']);
      default:
        return undefined;
    }
  }

  /** `RecordAttested`: the device leaf's new version and the record leaf appended. */
  private recordAttested(d: Record<string, unknown>): TreeChange[] {
    return [
      this.deviceChange(
        'updated',
        d['deviceTree'] as PublicKey,
        d['deviceLeafIndex'],
        d['deviceTreeSeq'],
        d['leaf'],
      ),
      this.recordChange(
        d['recordTree'] as PublicKey,
        d['recordIndex'],
        d['recordTreeSeq'],
        d['record'],
      ),
    ];
  }

  private deviceChange(
    event: DeviceChange['event'],
    tree: PublicKey,
    leafIndex: unknown,
    treeSeq: unknown,
    leafData: unknown,
  ): DeviceChange {
    const leaf = leafData as DeviceLeaf;
    return {
      kind: 'device',
      event,
      tree: tree.toBase58(),
      leafIndex: leafIndex as number,
      treeSeq: BigInt((treeSeq as Num).toString()),
      leaf: deviceLeafHash(this.network, leaf),
      device: leaf.device.toBase58(),
      owner: leaf.owner.toBase58(),
      maker: leaf.maker.toBase58(),
      bjjKeyHash: Uint8Array.from(leaf.bjjKeyHash),
      modelId: leaf.modelId,
      seq: BigInt(leaf.seq.toString()),
      status: leaf.status,
    };
  }

  private recordChange(
    tree: PublicKey,
    leafIndex: unknown,
    treeSeq: unknown,
    recordData: unknown,
  ): RecordChange {
    const record = recordLeaf(recordData);
    return {
      kind: 'record',
      tree: tree.toBase58(),
      leafIndex: leafIndex as number,
      treeSeq: BigInt((treeSeq as Num).toString()),
      leaf: recordLeafHash(record),
      ...record,
      device: record.device.toBase58(),
    };
  }
}

function recordLeaf(data: unknown) {
  const r = data as Record<string, unknown>;
  return {
    device: r['device'] as PublicKey,
    modelId: r['modelId'] as number,
    seq: BigInt((r['seq'] as Num).toString()),
    timestamp: BigInt((r['timestamp'] as Num).toString()),
    inputCommitment: Uint8Array.from(r['inputCommitment'] as number[]),
    class: r['class'] as number,
    score: BigInt((r['score'] as Num).toString()),
    publicInput: Uint8Array.from(r['publicInput'] as number[]),
  };
}

/** The attestation of a `RecordAttested` event, with its submit_attestation call's arguments. */
function attestation(d: Record<string, unknown>, args: Record<string, unknown>): AttestationChange {
  const record = recordLeaf(d['record']);
  return {
    kind: 'attestation',
    recordTree: (d['recordTree'] as PublicKey).toBase58(),
    recordIndex: d['recordIndex'] as number,
    device: record.device.toBase58(),
    modelId: record.modelId,
    seq: record.seq,
    submitter: (d['submitter'] as PublicKey).toBase58(),
    publicInput: record.publicInput,
    ...fromCall(args),
  };
}

/** The attestation of a legacy `AttestationSubmitted` event, with its call's arguments. */
function legacyAttestation(
  d: Record<string, unknown>,
  args: Record<string, unknown>,
): AttestationChange {
  return {
    kind: 'attestation',
    recordTree: (d['recordTree'] as PublicKey).toBase58(),
    recordIndex: d['recordIndex'] as number,
    device: (d['device'] as PublicKey).toBase58(),
    modelId: d['modelId'] as number,
    seq: BigInt((d['seq'] as Num).toString()),
    submitter: (d['submitter'] as PublicKey).toBase58(),
    publicInput: Uint8Array.from(d['publicInput'] as number[]),
    ...fromCall(args),
  };
}

/** What only the submit_attestation instruction carries: the proof and the device root. */
function fromCall(args: Record<string, unknown>) {
  const current = args['current'] as { leafIndex: number; root: number[] };
  return {
    proof: Uint8Array.from(args['proof'] as number[]),
    timestamp: BigInt((args['timestamp'] as Num).toString()),
    inputCommitment: Uint8Array.from(args['inputCommitment'] as number[]),
    class: args['class'] as number,
    score: BigInt((args['score'] as Num).toString()),
    deviceLeafIndex: current.leafIndex,
    deviceRoot: Uint8Array.from(current.root),
  };
}
