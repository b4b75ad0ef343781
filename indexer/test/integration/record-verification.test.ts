/**
 * `verifyRecord` (sdk/src/record-verification.ts), what the owner app's "Verify" runs, on real
 * attestations (the committed vector's Groth16 proofs) indexed from a local network: valid as
 * served; each kind of lie an indexer could tell (a changed score, a proof path from another
 * leaf, a record whose P does not follow from its fields, a Groth16 proof of another record,
 * the wrong device key) is found by the step that owns it, and the steps after it are not run.
 * Roots and verifying keys are read from the chain, never from the indexer. The second
 * attestation is submitted with the indexer's device proof (submit_attestation accepts it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import BN from 'bn.js';
import {
  fromHex,
  indexedRecordLeafHash,
  toHex,
  verifyRecord,
  type IndexedAttestation,
  type IndexedRecord,
  type MerkleProofValue,
  type RecordVerificationInput,
} from '@zkpin/sdk';
import { AttestedNetwork } from '../../../bench/attestation-scenario.ts';
import type { IndexerStore } from '../../src/store.ts';
import { startIndexer, type TestIndexer } from '../support/indexer.ts';
import { testDatabase, type TestDatabase } from '../support/stores.ts';

describe('verifyRecord on indexed attestations', () => {
  let n: AttestedNetwork;
  let tdb: TestDatabase;
  let store: IndexerStore;
  let indexer: TestIndexer;
  let served: RecordVerificationInput;
  let second: { record: IndexedRecord; proof: MerkleProofValue; attestation: IndexedAttestation };

  beforeAll(async () => {
    n = await AttestedNetwork.create();
    tdb = await testDatabase('pglite');
    store = await tdb.open();
    indexer = await startIndexer(n.net.embedded, store, n.setup.network);
    const c = indexer.client;
    const device = n.leaf.device.toBase58();
    await n.submit();
    n.track({ ...n.leaf, seq: new BN(n.vector.seq.toString()) });
    await indexer.ingest.idle();
    // The second attestation is submitted with the indexer's device proof: the program takes it.
    const dp = (await c.getDeviceProof({ device })).value.proof;
    await n.submit(
      n.nextParams({ root: fromHex(dp.root), proofNodes: dp.proofWithoutCanopy.map(fromHex) }),
    );
    await indexer.ingest.idle();
    const read = async (seq: string) => {
      const proof = await c.getRecordProof({ device, seq });
      const attestation = await c.getAttestation({ device, seq });
      return { ...proof.value, attestation: attestation.value };
    };
    const first = await read(n.vector.seq.toString());
    second = await read(n.vector.next.seq.toString());
    const dev = await c.getDevice({ device });
    served = {
      network: n.setup.network,
      ...first,
      bjjKeyHash: dev.value.bjjKeyHash,
      reader: n.net.embedded,
    };
  }, 120_000);

  afterAll(async () => {
    await indexer?.stop();
    await store?.close();
    await tdb?.drop();
    await n?.net.close();
  });

  it('a served record is valid: every check passes, each timed', async () => {
    const v = await verifyRecord(served);
    expect(v.checks.map((c) => [c.check, c.ok])).toEqual([
      ['record', true],
      ['merkle', true],
      ['publicInput', true],
      ['groth16', true],
    ]);
    expect(v).toMatchObject({ valid: true, failed: null });
    expect(v.checks.every((c) => c.ms >= 0)).toBe(true);
    expect((await verifyRecord({ ...served, ...second })).valid).toBe(true);
  });

  it('each lie is caught by the check that owns it, and nothing after it runs', async () => {
    const failedAt = async (input: RecordVerificationInput) => {
      const v = await verifyRecord(input);
      expect(v.valid).toBe(false);
      const at = v.checks.findIndex((c) => c.ok === false);
      expect(v.checks.slice(at + 1).every((c) => c.ok === null)).toBe(true);
      return [v.failed, v.checks[at]!.detail];
    };
    // A better score than the chain recorded: the fields no longer hash to the leaf.
    const score = (BigInt(served.record.score) + 1n).toString();
    expect(
      await failedAt({
        ...served,
        record: { ...served.record, score },
        attestation: { ...served.attestation, score },
      }),
    ).toEqual(['record', "the record's fields do not hash to the proof's leaf"]);
    // A consistent made-up record (leaf recomputed): no path leads from it to the chain's root.
    const fake = { ...served.record, score };
    const fakeLeaf = toHex(indexedRecordLeafHash(fake));
    const [failed, detail] = await failedAt({
      ...served,
      record: { ...fake, leafHash: fakeLeaf },
      proof: { ...served.proof, leaf: fakeLeaf },
      attestation: { ...served.attestation, score },
    });
    expect(failed).toBe('merkle');
    expect(detail).toMatch(/the path leads to .*the tree's root after change/);
    // The second record's proof path under the first record's leaf.
    expect(
      (
        await failedAt({
          ...served,
          proof: { ...second.proof, leaf: served.proof.leaf, leafIndex: 0 },
        })
      )[0],
    ).toBe('merkle');
    // Another device key than the one the record was attested for.
    expect(
      await failedAt({
        ...served,
        bjjKeyHash: served.bjjKeyHash.replace(/.$/, (d) => (d === '0' ? '1' : '0')),
      }),
    ).toEqual(['publicInput', expect.stringMatching(/P recomputed from the public fields is/)]);
    // The Groth16 proof of the other record (valid bytes, another P).
    expect(
      await failedAt({
        ...served,
        attestation: { ...served.attestation, proof: second.attestation.proof },
      }),
    ).toEqual(['groth16', expect.stringMatching(/does not verify under model 1's key/)]);
    // Bytes that are not curve points.
    const garbage = 'ff'.repeat(256);
    const [g, why] = await failedAt({
      ...served,
      attestation: { ...served.attestation, proof: garbage },
    });
    expect(g).toBe('groth16');
    expect(why).toMatch(/could not check: .*not below the field modulus/);
  });
});
