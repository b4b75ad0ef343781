/**
 * The transaction decoder on real attestations (the committed vector's proofs, LiteSVM): one
 * `RecordAttested` becomes a device change, a record change and the attestation (submitter and
 * P from the event, the proof and the device root from the submit_attestation instruction);
 * the same transaction as programs built before `RecordAttested` wrote it (`DeviceUpdated`,
 * `RecordAppended`, inference_attestation's `AttestationSubmitted`) decodes to the very same
 * changes, so history written by older programs still indexes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import BN from 'bn.js';
import { LOCALNET_PROGRAM_IDS, type ChainTransaction } from '@zkpin/sdk';
import { withLegacyAttestationEvents } from '@zkpin/sdk/testing';
import { AttestedNetwork } from '../../../bench/attestation-scenario.ts';
import { TransactionDecoder } from '../../src/transaction-decoder.ts';

describe('TransactionDecoder: RecordAttested and the legacy attestation events', () => {
  let n: AttestedNetwork;
  /** The two attestations as the chain's history holds them (top-level instructions included). */
  let txs: ChainTransaction[];
  let decoder: TransactionDecoder;

  beforeAll(async () => {
    n = await AttestedNetwork.create();
    decoder = new TransactionDecoder(n.setup.network, LOCALNET_PROGRAM_IDS);
    const first = await n.submit();
    n.track({ ...n.leaf, seq: new BN(n.vector.seq.toString()) });
    const sent = [first, await n.submit(n.nextParams())].map((r) => r.signature);
    txs = n.chain.history(n.setup.network).filter((tx) => sent.includes(tx.signature));
    expect(txs).toHaveLength(2);
  }, 120_000);

  afterAll(async () => {
    await n?.net.close();
  });

  it('decodes one RecordAttested as a device change, a record change and the attestation', () => {
    const [device, record, attestation, ...rest] = decoder.decode(txs[1]!);
    expect(rest).toEqual([]);
    const v = n.vector.next;
    expect(device).toMatchObject({
      kind: 'device',
      event: 'updated',
      tree: n.setup.deviceTree.toBase58(),
      leafIndex: 0,
      treeSeq: 3n, // registration, then two attestations
      device: n.leaf.device.toBase58(),
      seq: v.seq,
    });
    expect(record).toMatchObject({
      kind: 'record',
      tree: n.setup.recordTree.toBase58(),
      leafIndex: 1,
      treeSeq: 2n,
      device: n.leaf.device.toBase58(),
      seq: v.seq,
      score: v.score,
      publicInput: v.publicInput,
    });
    expect(attestation).toMatchObject({
      kind: 'attestation',
      recordTree: n.setup.recordTree.toBase58(),
      recordIndex: 1,
      device: n.leaf.device.toBase58(),
      seq: v.seq,
      submitter: n.oracle.publicKey.toBase58(),
      publicInput: v.publicInput,
      proof: v.proof,
      deviceLeafIndex: 0,
    });
  });

  it('decodes the legacy DeviceUpdated + RecordAppended + AttestationSubmitted to the same changes', () => {
    for (const tx of txs) {
      const legacy = withLegacyAttestationEvents(tx, n.net);
      expect(legacy.innerInstructions.length).toBe(tx.innerInstructions.length + 2);
      expect(decoder.decode(legacy)).toEqual(decoder.decode(tx));
    }
  });

  it('ignores another network’s attestation', () => {
    const other = new TransactionDecoder(n.setup.deviceTree, LOCALNET_PROGRAM_IDS);
    for (const tx of txs) {
      expect(other.decode(tx)).toEqual([]);
      expect(other.decode(withLegacyAttestationEvents(tx, n.net))).toEqual([]);
    }
  });
});
