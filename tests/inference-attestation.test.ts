/**
 * inference_attestation end to end in LiteSVM through @coral-xyz/anchor: a network set up
 * with device_registry instructions (device tree depth 20 / canopy 10), the device of
 * tests/vectors/attestation.json and that vector's real Groth16 proof (model 1, seq 1,
 * INSECURE development key). Every check of submit_attestation has a failing case here,
 * asserted by error name and by the program that raised it.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import BN from 'bn.js';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keypair, PublicKey, Transaction, TransactionInstruction } from '@solana/web3.js';
import { ConcurrentMerkleTreeAccount } from '@solana/spl-account-compression';
import {
  BN254_R,
  DEVICE_REGISTRY_PROGRAM_ID,
  DEVICE_STATUS_REVOKED,
  DeviceEd25519Key,
  INFERENCE_ATTESTATION_PROGRAM_ID,
  MerkleReplica,
  TREE_KIND_DEVICE,
  TREE_KIND_RECORD,
  attestationAuthorityPda,
  attributeProgramError,
  bigIntToBytesBE,
  createTree,
  inferenceAttestationProgram,
  isChainError,
  modelPda,
  parseProgramEvents,
  proofAccounts,
  recordLeafHash,
  type AttributedProgramError,
  type DeviceLeaf,
  type TxResult,
} from '@zkpin/sdk';
import { REPO_ROOT } from '@zkpin/sdk/testing';
import {
  ATTESTATION_CU_CEILINGS,
  AttestedNetwork,
  MAX_TX_BYTES,
  createLookupTable,
  isolatedVerifyUnits,
  legacyTxBytes,
  negateG1Y,
  registryCpiUnits,
  v0Tx,
} from '../bench/attestation-scenario.ts';
import { fixtureVerifyingKey } from './helpers.ts';

let n: AttestedNetwork;

beforeEach(async () => {
  n = await AttestedNetwork.create();
});

/** Runs `send` (which must fail) and names the error by the program that raised it. */
async function failure(send: () => unknown): Promise<AttributedProgramError & { error: Error }> {
  let error: unknown;
  try {
    await send();
  } catch (e) {
    error = e;
  }
  if (!error) throw new Error('expected the transaction to fail, it succeeded');
  const logs = (error as { logs?: string[] }).logs ?? [];
  const attributed = attributeProgramError(logs);
  if (!attributed)
    throw error instanceof Error ? error : new Error('the transaction failed without an Error');
  return { ...attributed, error: error as Error };
}

const attestationError = (name: string, code: number) => ({
  program: 'inference_attestation',
  name,
  code,
});
const registryError = (name: string, code: number) => ({ program: 'device_registry', name, code });

/** This program's events (it emits none since `RecordAttested`; older builds emitted `AttestationSubmitted`). */
function attestationEvents(result: Pick<TxResult, 'innerInstructions'>) {
  return parseProgramEvents(
    result.innerInstructions,
    INFERENCE_ATTESTATION_PROGRAM_ID,
    n.attestation.coder,
  );
}

/** device_registry's events, emitted inside the advance_device CPI: self-CPIs, never log lines. */
function registryEvents(result: Pick<TxResult, 'innerInstructions'>) {
  return parseProgramEvents(result.innerInstructions, DEVICE_REGISTRY_PROGRAM_ID, n.registry.coder);
}

interface RecordAttestedEvent {
  network: PublicKey;
  deviceTree: PublicKey;
  deviceLeafIndex: number;
  deviceTreeSeq: BN;
  leaf: DeviceLeaf;
  recordTree: PublicKey;
  recordIndex: number;
  recordTreeSeq: BN;
  record: {
    device: PublicKey;
    modelId: number;
    seq: BN;
    timestamp: BN;
    inputCommitment: number[];
    class: number;
    score: BN;
    publicInput: number[];
  };
  submitter: PublicKey;
}

/** The attestation's one event (device_registry's `RecordAttested`); fails on anything else. */
function attested(result: Pick<TxResult, 'innerInstructions'>): RecordAttestedEvent {
  const ev = registryEvents(result);
  expect(ev.map((e) => e.name)).toEqual(['recordAttested']);
  expect(attestationEvents(result)).toEqual([]);
  return ev[0]!.data as RecordAttestedEvent;
}

function onChainTree(tree: PublicKey) {
  return ConcurrentMerkleTreeAccount.fromBuffer(n.chain.getAccountInfo(tree)!.data);
}

/** The device leaf after a successful attestation of the vector (seq = the vector's). */
function advanced(leaf: DeviceLeaf, seq: bigint = n.vector.seq): DeviceLeaf {
  return { ...leaf, seq: new BN(seq.toString()) };
}

/** The vector's record leaf (seq n, the vector's P). */
function vectorRecord() {
  const v = n.vector;
  return {
    device: n.leaf.device,
    modelId: v.modelId,
    seq: v.seq,
    timestamp: v.timestamp,
    inputCommitment: v.inputCommitment,
    class: v.class,
    score: v.score,
    publicInput: v.publicInput,
  };
}

describe('submit_attestation with a real proof', () => {
  it('verifies, advances the device seq, appends the record, emits the event, within the CU ceiling', async () => {
    const ix = await n.instruction();
    // Through the Anchor client (`.rpc()`), the oracle paying and signing, as a relayer does.
    const p = n.params();
    const oracleProvider = n.chain.provider(n.oracle);
    await inferenceAttestationProgram(oracleProvider)
      .methods.submitAttestation({
        proof: Array.from(p.proof),
        current: { leaf: p.leaf, leafIndex: p.leafIndex, root: Array.from(p.root) },
        seq: new BN(p.seq.toString()),
        timestamp: new BN(p.timestamp.toString()),
        inputCommitment: Array.from(p.inputCommitment),
        class: p.class,
        score: new BN(p.score.toString()),
      })
      .accountsPartial({
        submitter: n.oracle.publicKey,
        network: n.setup.network,
        model: n.setup.model,
        deviceTree: n.setup.deviceTree,
        recordTree: n.setup.recordTree,
      })
      .remainingAccounts(proofAccounts(p.proofNodes))
      .rpc();
    const result = oracleProvider.lastResult!;
    // The client helper builds the same instruction (the PDA and registry resolved from the IDL).
    expect(ix.keys.map((k) => k.pubkey.toBase58())).toEqual(
      [
        n.oracle.publicKey,
        n.setup.network,
        n.setup.model,
        n.setup.deviceTree,
        n.setup.recordTree,
        attestationAuthorityPda(),
        DEVICE_REGISTRY_PROGRAM_ID,
        INFERENCE_ATTESTATION_PROGRAM_ID, // its own account: events are self-CPIs
        ...p.proofNodes.map((x) => new PublicKey(x)),
      ].map((k) => k.toBase58()),
    );
    expect(attestationAuthorityPda().toBase58()).toBe(
      'HwTA59Tf23bZWDpP5cYf5mzwy2KzzXuHeGVDHf2BWZDz',
    );

    expect(result.computeUnits).toBeLessThanOrEqual(ATTESTATION_CU_CEILINGS.submit_attestation_cu);
    expect(registryCpiUnits(result.logs)).toBeGreaterThan(0);
    expect(registryCpiUnits(result.logs)).toBeLessThanOrEqual(
      ATTESTATION_CU_CEILINGS.submit_attestation_registry_cpi_cu,
    );

    // One event, device_registry's RecordAttested (no return data, nothing in the logs): the
    // new device leaf, the record leaf, both trees' positions, and the submitter.
    expect(result.logs.some((l) => l.startsWith('Program data:'))).toBe(false);
    expect(result.logs.some((l) => l.startsWith('Program return:'))).toBe(false);
    const data = attested(result);
    expect(data.network.equals(n.setup.network)).toBe(true);
    expect(data.deviceTree.equals(n.setup.deviceTree)).toBe(true);
    expect(data.deviceLeafIndex).toBe(0);
    expect(data.deviceTreeSeq.toNumber()).toBe(2); // registration, then this advance
    const seqAsText = (l: DeviceLeaf) => ({ ...l, seq: l.seq.toString() });
    expect(seqAsText(data.leaf)).toEqual(seqAsText(advanced(n.leaf)));
    expect(data.recordTree.equals(n.setup.recordTree)).toBe(true);
    expect(data.recordIndex).toBe(0);
    expect(data.recordTreeSeq.toNumber()).toBe(1);
    const v = vectorRecord();
    expect(data.record.device.equals(n.leaf.device)).toBe(true);
    expect(data.record.modelId).toBe(1);
    expect(data.record.seq.toString()).toBe(v.seq.toString());
    expect(data.record.timestamp.toString()).toBe(v.timestamp.toString());
    expect(Buffer.from(data.record.inputCommitment).equals(Buffer.from(v.inputCommitment))).toBe(
      true,
    );
    expect(data.record.class).toBe(v.class);
    expect(data.record.score.toString()).toBe(v.score.toString());
    expect(Buffer.from(data.record.publicInput).equals(Buffer.from(v.publicInput))).toBe(true);
    expect(data.submitter.equals(n.oracle.publicKey)).toBe(true);

    // Trees: the device leaf now has seq 1; the record leaf is the vector's.
    n.track(advanced(n.leaf));
    expect(
      Buffer.from(onChainTree(n.setup.deviceTree).getCurrentRoot()).equals(
        Buffer.from(n.replica.root),
      ),
    ).toBe(true);
    const records = new MerkleReplica(n.setup.recordTreeShape.maxDepth);
    records.append(recordLeafHash(vectorRecord()));
    expect(
      Buffer.from(onChainTree(n.setup.recordTree).getCurrentRoot()).equals(
        Buffer.from(records.root),
      ),
    ).toBe(true);
    // The network account is read-only in an attestation: the record tree counts records.
    const network = await n.registry.account.network.fetch(n.setup.network);
    expect(network.retiredRecords.toNumber()).toBe(0);
    expect(onChainTree(n.setup.recordTree).tree.rightMostPath.index).toBe(1);
  });

  it('fits one legacy transaction at device tree depth 20 / canopy 10; a v0 transaction with a lookup table also works', async () => {
    const ix = await n.instruction();
    expect(ix.keys).toHaveLength(8 + 10); // 10 proof nodes below the canopy
    const size = legacyTxBytes(n.chain, ix, n.oracle);
    expect(size).toBeLessThanOrEqual(MAX_TX_BYTES);

    const table = createLookupTable(n.chain, n.authority, n);
    const tx = v0Tx(n.chain, ix, n.oracle, [table]);
    expect(tx.serialize().length).toBeLessThan(size);
    const result = n.chain.send(tx);
    expect(attested(result).submitter.equals(n.oracle.publicKey)).toBe(true);
  });

  it('the verifier alone (crates/sbf-smoke) stays within 5% of the 78.2k syscall floor', (ctx) => {
    const cu = isolatedVerifyUnits(true);
    if (cu === undefined) ctx.skip(); // no SBF toolchain on this machine
    expect(cu).toBeGreaterThanOrEqual(78_226);
    expect(cu).toBeLessThanOrEqual(ATTESTATION_CU_CEILINGS.submit_attestation_verify_cu);
  }, 600_000);
});

describe('who may submit', () => {
  it('refuses a submitter outside the oracle set (named by the Anchor client too)', async () => {
    const stranger = n.chain.fundedKeypair();
    expect(await failure(() => n.submit({}, stranger))).toMatchObject(
      attestationError('NotAnOracle', 6000),
    );
    // `.rpc()` decodes the same error through the IDL.
    const p = n.params({ submitter: stranger.publicKey });
    const err = await failure(() =>
      inferenceAttestationProgram(n.chain.provider(stranger))
        .methods.submitAttestation({
          proof: Array.from(p.proof),
          current: { leaf: p.leaf, leafIndex: p.leafIndex, root: Array.from(p.root) },
          seq: new BN(p.seq.toString()),
          timestamp: new BN(p.timestamp.toString()),
          inputCommitment: Array.from(p.inputCommitment),
          class: p.class,
          score: new BN(p.score.toString()),
        })
        .accountsPartial({
          submitter: stranger.publicKey,
          network: n.setup.network,
          model: n.setup.model,
          deviceTree: n.setup.deviceTree,
          recordTree: n.setup.recordTree,
        })
        .remainingAccounts(proofAccounts(p.proofNodes))
        .rpc(),
    );
    expect((err.error as { code?: number }).code).toBe(6000);
    expect(String(err.error)).toContain("not in the network's oracle set");
  });

  it('accepts anyone on a permissionless network', async () => {
    const stranger = n.chain.fundedKeypair();
    await n.registry.methods
      .setOracles({ oracles: [], permissionless: true })
      .accounts({ network: n.setup.network })
      .rpc();
    const result = await n.submit({}, stranger);
    expect(attested(result).submitter.equals(stranger.publicKey)).toBe(true);
  });

  it('needs the submitter to sign', async () => {
    const ix = await n.instruction();
    ix.keys[0]!.isSigner = false;
    const payer = n.chain.fundedKeypair();
    expect(() => n.chain.send(new Transaction().add(ix), [payer])).toThrow(
      /MissingRequiredSignature/,
    );
  });
});

describe('model and device checks', () => {
  it('refuses another model of the network, an inactive model, and a model of another network', async () => {
    // Model 2 exists (another key) but the device runs model 1.
    await n.registry.methods
      .registerModel({
        modelId: 2,
        version: 1,
        onnxSha256: new Array<number>(32).fill(0),
        circuitSha256: new Array<number>(32).fill(0),
        vk: Array.from(fixtureVerifyingKey()),
        window: 48,
        classes: 3,
      })
      .accountsPartial({ network: n.setup.network, model: modelPda(n.setup.network, 2) })
      .rpc();
    expect(await failure(() => n.submit({ model: modelPda(n.setup.network, 2) }))).toMatchObject(
      attestationError('ModelMismatch', 6005),
    );

    // Model 1 of a second network.
    const other = await AttestedNetwork.create({
      chain: n.chain,
      authority: Keypair.fromSeed(new Uint8Array(32).fill(21)),
    });
    expect(await failure(() => n.submit({ model: other.setup.model }))).toMatchObject(
      attestationError('WrongNetwork', 6003),
    );

    await n.registry.methods
      .setModelActive(false)
      .accountsPartial({ network: n.setup.network, model: n.setup.model })
      .rpc();
    expect(await failure(() => n.submit())).toMatchObject(attestationError('ModelInactive', 6004));
    await n.registry.methods
      .setModelActive(true)
      .accountsPartial({ network: n.setup.network, model: n.setup.model })
      .rpc();
    await n.submit();
  });

  it("refuses a class that is not below the model's number of classes, before the pairing", async () => {
    const model = await n.registry.account.model.fetch(n.setup.model);
    expect(model.classes).toBe(4);
    expect(n.vector.class).toBeLessThan(4);
    for (const cls of [4, 5, 255])
      expect(await failure(() => n.submit({ class: cls }))).toMatchObject(
        attestationError('ClassOutOfRange', 6021),
      );
    // A class in range passes the check and reaches the pairing, which fails for another class.
    expect(await failure(() => n.submit({ class: (n.vector.class + 1) % 4 }))).toMatchObject(
      attestationError('InvalidProof', 6008),
    );
    await n.submit();
  });

  it('refuses a revoked device', async () => {
    await n.registry.methods
      .revokeDevice({ leaf: n.leaf, leafIndex: n.leafIndex, root: Array.from(n.replica.root) })
      .accountsPartial({
        signer: n.owner.publicKey,
        network: n.setup.network,
        deviceTree: n.setup.deviceTree,
      })
      .remainingAccounts(
        proofAccounts(n.replica.proofWithoutCanopy(0, n.setup.deviceTreeShape.canopyDepth)),
      )
      .signers([n.owner])
      .rpc();
    const active = n.leaf;
    n.track({ ...n.leaf, status: DEVICE_STATUS_REVOKED });
    expect(await failure(() => n.submit())).toMatchObject(attestationError('DeviceRevoked', 6006));
    // Claiming the old, active leaf does not help: the tree holds the revoked one.
    expect(await failure(() => n.submit({ leaf: active }))).toMatchObject(
      registryError('InvalidDeviceProof', 6024),
    );
  });

  it('records a reading once: a replay fails and exactly one record exists', async () => {
    const stale = n.params();
    await n.submit(stale);
    // The same transaction again: the tree no longer holds the seq-0 leaf.
    expect(await failure(() => n.submit(stale))).toMatchObject(
      registryError('InvalidDeviceProof', 6024),
    );
    // Against the current (seq 1) leaf the same reading is not above the device's seq.
    n.track(advanced(n.leaf));
    expect(await failure(() => n.submit())).toMatchObject(attestationError('StaleSeq', 6018));
    // Nor does claiming another seq for the same proof help: P binds the seq.
    expect(await failure(() => n.submit({ seq: 5n }))).toMatchObject(
      attestationError('InvalidProof', 6008),
    );

    const records = onChainTree(n.setup.recordTree);
    expect(records.tree.rightMostPath.index).toBe(1);
    expect(records.tree.rightMostPath.index).toBe(1);
    expect(
      Buffer.from(onChainTree(n.setup.deviceTree).getCurrentRoot()).equals(
        Buffer.from(n.replica.root),
      ),
    ).toBe(true);
  });

  it('a reading that was never recorded leaves a gap, not a block: a later seq records, the earlier one is stale', async () => {
    // seq 1 never made it (say its proof failed); seq 2 records right after seq 0.
    const r = await n.submit(n.nextParams());
    expect(attested(r).leaf.seq.toString()).toBe(n.vector.next.seq.toString());
    n.track(advanced(n.leaf, n.vector.next.seq));
    // seq 1 arriving late is refused before any proof work.
    expect(await failure(() => n.submit())).toMatchObject(attestationError('StaleSeq', 6018));
    // advance_device itself refuses a seq that does not move up (InvalidDeviceProof first if
    // the leaf is wrong, SeqMismatch if the leaf is right): send the old leaf as if current.
    expect(await failure(() => n.submit({ seq: 0n }))).toMatchObject(
      attestationError('StaleSeq', 6018),
    );
    expect(onChainTree(n.setup.recordTree).tree.rightMostPath.index).toBe(1);
  });

  it('refuses a seq at or below the device seq, up to u64::MAX', async () => {
    const max = new BN('18446744073709551615');
    expect(await failure(() => n.submit({ leaf: { ...n.leaf, seq: max } }))).toMatchObject(
      attestationError('StaleSeq', 6018),
    );
  });
});

describe('F-1: a proof is bound to one network and one device', () => {
  it('the same device on another network: the proof made for network A does not verify on B', async () => {
    // Network B registers the very same device keys (same ed25519 key, same BabyJubJub key).
    const b = await AttestedNetwork.create({
      chain: n.chain,
      authority: Keypair.fromSeed(new Uint8Array(32).fill(22)),
    });
    expect(b.leaf.device.equals(n.leaf.device)).toBe(true);
    expect(await failure(() => b.submit())).toMatchObject(attestationError('InvalidProof', 6008));
    // On network A it records.
    await n.submit();
  });

  it("a second device registered with a victim's BabyJubJub key cannot record the victim's readings", async () => {
    // A maker onboards a device of its own with the victim's bjj_key_hash.
    n.current = await n.addDevice(new DeviceEd25519Key(new Uint8Array(32).fill(13)));
    expect(await failure(() => n.submit())).toMatchObject(attestationError('InvalidProof', 6008));
    // The victim (leaf 0) still records its own reading.
    n.current = 0;
    await n.submit();
  });
});

describe('L-2: the timestamp is checked against the cluster clock', () => {
  it('refuses a reading more than 300 s ahead of the clock or more than 7 days behind it', async () => {
    const ts = n.vector.timestamp;
    n.chain.setUnixTimestamp(ts - 301n);
    expect(await failure(() => n.submit())).toMatchObject(
      attestationError('TimestampOutOfRange', 6019),
    );
    n.chain.setUnixTimestamp(ts + 7n * 24n * 3600n + 1n);
    expect(await failure(() => n.submit())).toMatchObject(
      attestationError('TimestampOutOfRange', 6019),
    );
    n.chain.setUnixTimestamp(ts + 7n * 24n * 3600n);
    await n.submit();
  });
});

describe('proof and public input checks', () => {
  it('rejects forged proofs: flipped bytes, a negated A, a proof of another circuit', async () => {
    const flip = (offset: number) => {
      const p = new Uint8Array(n.vector.proof);
      p[offset]! ^= 1;
      return p;
    };
    for (const [what, offset] of [
      ['A', 40],
      ['B', 100],
      ['C', 230],
    ] as const) {
      expect(await failure(() => n.submit({ proof: flip(offset) })), what).toMatchObject(
        attestationError('MalformedProof', 6009),
      );
    }
    const negA = new Uint8Array(n.vector.proof);
    negateG1Y(negA);
    expect(await failure(() => n.submit({ proof: negA }))).toMatchObject(
      attestationError('InvalidProof', 6008),
    );
    // A valid proof, but of the fixture circuit under another key.
    const fixture = JSON.parse(
      readFileSync(join(REPO_ROOT, 'tests/vectors/groth16.json'), 'utf8'),
    ) as { proof_bytes_hex: string };
    const foreign = new Uint8Array(Buffer.from(fixture.proof_bytes_hex, 'hex'));
    expect(await failure(() => n.submit({ proof: foreign }))).toMatchObject(
      attestationError('InvalidProof', 6008),
    );
    // Nothing was recorded.
    expect(onChainTree(n.setup.recordTree).tree.rightMostPath.index).toBe(0);
  });

  it('rejects the proof for any other public field (P differs)', async () => {
    const ic = new Uint8Array(n.vector.inputCommitment);
    ic[31]! ^= 1;
    const cases = {
      score: { score: n.vector.score + 1n },
      negativeScore: { score: -n.vector.score },
      class: { class: (n.vector.class + 1) % 4 },
      timestamp: { timestamp: n.vector.timestamp + 1n },
      inputCommitment: { inputCommitment: ic },
    };
    for (const [what, over] of Object.entries(cases)) {
      expect(await failure(() => n.submit(over)), what).toMatchObject(
        attestationError('InvalidProof', 6008),
      );
    }
  });

  it('refuses an input commitment that is not a field element (>= r)', async () => {
    for (const v of [BN254_R, BN254_R + 1n, 2n ** 256n - 1n]) {
      expect(
        await failure(() => n.submit({ inputCommitment: bigIntToBytesBE(v, 32) })),
      ).toMatchObject(attestationError('InvalidFieldElement', 6007));
    }
  });

  it('refuses malformed arguments', async () => {
    const ix = await n.instruction();
    const short = new TransactionInstruction({
      programId: ix.programId,
      keys: ix.keys,
      data: ix.data.subarray(0, ix.data.length - 1),
    });
    expect(
      await failure(() => n.chain.send(new Transaction().add(short), [n.oracle])),
    ).toMatchObject(attestationError('InvalidArguments', 6010));
  });
});

describe('account checks', () => {
  const OTHER_PROGRAM = new PublicKey('FvJDxQExXH4AvNiVuQm3oChWonvoiWWGQJBHM1x4vq9C');

  /** A zeroed account of record-tree size owned by device_registry (anyone can create one). */
  function uninitializedTree(): PublicKey {
    const raw = Keypair.generate().publicKey;
    n.chain.setAccount(raw, {
      data: new Uint8Array(n.chain.getAccountInfo(n.setup.recordTree)!.data.length),
      owner: n.registry.programId,
    });
    return raw;
  }

  /** A byte-for-byte copy of `real` at a new address, owned by `owner`. */
  function forge(real: PublicKey, owner: PublicKey): PublicKey {
    const fake = Keypair.generate().publicKey;
    n.chain.setAccount(fake, { data: n.chain.getAccountInfo(real)!.data, owner });
    return fake;
  }

  it('refuses network and model accounts of another program or of another type', async () => {
    expect(
      await failure(() => n.submit({ network: forge(n.setup.network, OTHER_PROGRAM) })),
    ).toMatchObject(attestationError('InvalidAccountOwner', 6001));
    expect(
      await failure(() => n.submit({ model: forge(n.setup.model, OTHER_PROGRAM) })),
    ).toMatchObject(attestationError('InvalidAccountOwner', 6001));
    // Registry accounts, but not a Network / not a Model.
    expect(await failure(() => n.submit({ network: n.setup.maker }))).toMatchObject(
      attestationError('InvalidAccountData', 6002),
    );
    expect(await failure(() => n.submit({ model: n.setup.network }))).toMatchObject(
      attestationError('InvalidAccountData', 6002),
    );
  });

  it('refuses a wrong device tree, a wrong record tree and a wrong root or proof', async () => {
    // The record tree is no device tree; another network's device tree is not this one's.
    expect(await failure(() => n.submit({ deviceTree: n.setup.recordTree }))).toMatchObject(
      attestationError('WrongDeviceTree', 6014),
    );
    const other = await AttestedNetwork.create({
      chain: n.chain,
      authority: Keypair.fromSeed(new Uint8Array(32).fill(22)),
    });
    expect(await failure(() => n.submit({ deviceTree: other.setup.deviceTree }))).toMatchObject(
      attestationError('WrongDeviceTree', 6014),
    );
    expect(
      await failure(() => n.submit({ deviceTree: forge(n.setup.deviceTree, OTHER_PROGRAM) })),
    ).toMatchObject(attestationError('InvalidAccountOwner', 6001));

    // Any record tree of the network is accepted (shards); every other account is refused:
    // a device tree, another network's record tree, a registry-owned account init_tree never
    // initialized, a copy of a record tree owned by another program.
    expect(await failure(() => n.submit({ recordTree: n.setup.deviceTree }))).toMatchObject(
      attestationError('WrongRecordTree', 6015),
    );
    expect(await failure(() => n.submit({ recordTree: other.setup.recordTree }))).toMatchObject(
      attestationError('WrongRecordTree', 6015),
    );
    expect(await failure(() => n.submit({ recordTree: uninitializedTree() }))).toMatchObject(
      attestationError('WrongRecordTree', 6015),
    );
    expect(await failure(() => n.submit({ deviceTree: uninitializedTree() }))).toMatchObject(
      attestationError('WrongDeviceTree', 6014),
    );
    expect(
      await failure(() => n.submit({ recordTree: forge(n.setup.recordTree, OTHER_PROGRAM) })),
    ).toMatchObject(attestationError('InvalidAccountOwner', 6001));
    const newRecords = await createTree(n.registry, {
      authority: n.authority,
      network: n.setup.network,
      kind: TREE_KIND_RECORD,
      shape: n.setup.recordTreeShape,
    });

    // A proof that does not lead to the device tree's root (device_registry checks it).
    const badNode = n
      .params()
      .proofNodes.map((x, i) => (i === 3 ? new Uint8Array(randomBytes(32)) : x));
    expect(
      await failure(() =>
        n.submit({
          recordTree: newRecords,
          proofNodes: badNode,
          root: new Uint8Array(randomBytes(32)),
        }),
      ),
    ).toMatchObject(registryError('InvalidDeviceProof', 6024));
    expect(
      await failure(() =>
        n.submit({ recordTree: newRecords, proofNodes: n.params().proofNodes.slice(1) }),
      ),
    ).toMatchObject(registryError('InvalidDeviceProof', 6024));
    // A leaf index that is not the device's.
    expect(await failure(() => n.submit({ recordTree: newRecords, leafIndex: 1 }))).toMatchObject(
      registryError('InvalidDeviceProof', 6024),
    );

    // A device tree rotation leaves old device trees usable (the device still lives there).
    await createTree(n.registry, {
      authority: n.authority,
      network: n.setup.network,
      kind: TREE_KIND_DEVICE,
      shape: n.setup.deviceTreeShape,
    });
    const result = await n.submit({ recordTree: newRecords });
    expect(attested(result).recordTree.equals(newRecords)).toBe(true);
    // The first record tree still takes records after another was added.
    n.track({ ...n.leaf, seq: new BN(n.vector.seq.toString()) });
    const again = await n.submit(n.nextParams({ recordTree: n.setup.recordTree }));
    expect(attested(again).recordTree.equals(n.setup.recordTree)).toBe(true);
  });

  it('refuses a wrong attestation authority, registry program or program account', async () => {
    const ix = await n.instruction();
    const withKey = (index: number, pubkey: PublicKey) => {
      const keys = ix.keys.map((k, i) => (i === index ? { ...k, pubkey } : k));
      return () =>
        n.chain.send(
          new Transaction().add(
            new TransactionInstruction({ programId: ix.programId, keys, data: ix.data }),
          ),
          [n.oracle],
        );
    };
    expect(await failure(withKey(5, Keypair.generate().publicKey))).toMatchObject(
      attestationError('InvalidAttestationAuthority', 6013),
    );
    expect(await failure(withKey(6, OTHER_PROGRAM))).toMatchObject(
      attestationError('WrongRegistryProgram', 6012),
    );
    // The program account (no event of its own any more) must still be this program, as
    // the IDL declares.
    await expect(Promise.resolve().then(withKey(7, OTHER_PROGRAM))).rejects.toThrow(
      /IncorrectProgramId/,
    );
  });

  it('device_registry.advance_device refuses anyone but this program (NotAttestationAuthority)', async () => {
    const args = {
      current: { leaf: n.leaf, leafIndex: 0, root: Array.from(n.replica.root) },
      record: {
        device: n.leaf.device,
        modelId: 1,
        seq: new BN(1),
        timestamp: new BN(0),
        inputCommitment: new Array<number>(32).fill(0),
        class: 0,
        score: new BN(0),
        publicInput: new Array<number>(32).fill(0),
      },
      // A RecordAttested naming anyone as submitter: only this program may pass it.
      submitter: n.oracle.publicKey,
    };
    const proof = proofAccounts(n.params().proofNodes);
    const accounts = {
      network: n.setup.network,
      deviceTree: n.setup.deviceTree,
      recordTree: n.setup.recordTree,
    };
    // A key of its own, signing.
    const fake = n.chain.fundedKeypair();
    expect(
      await failure(() =>
        n.registry.methods
          .advanceDevice(args)
          .accountsPartial({ attestationAuthority: fake.publicKey, ...accounts })
          .remainingAccounts(proof)
          .signers([fake])
          .rpc(),
      ),
    ).toMatchObject(registryError('NotAttestationAuthority', 6025));
    // The real PDA, which nobody outside this program can sign for.
    const ix = await n.registry.methods
      .advanceDevice(args)
      .accountsPartial({ attestationAuthority: attestationAuthorityPda(), ...accounts })
      .remainingAccounts(proof)
      .instruction();
    ix.keys[0]!.isSigner = false;
    expect(await failure(() => n.chain.send(new Transaction().add(ix), [n.oracle]))).toMatchObject(
      registryError('NotAttestationAuthority', 6025),
    );
  });
});

describe('compute units', () => {
  let first: TxResult;
  let later: TxResult;
  beforeAll(async () => {
    const m = await AttestedNetwork.create();
    first = await m.submit();
    // The device's next reading: the record tree's second leaf.
    m.track({ ...m.leaf, seq: new BN(m.vector.seq.toString()) });
    later = await m.submit(m.nextParams());
  });

  it("submit_attestation stays under its ceiling, for a tree's first record and a later one", () => {
    for (const r of [first, later]) {
      expect(r.computeUnits).toBeLessThanOrEqual(ATTESTATION_CU_CEILINGS.submit_attestation_cu);
      const cpi = registryCpiUnits(r.logs);
      expect(cpi).toBeGreaterThan(10_000);
      expect(cpi).toBeLessThan(r.computeUnits);
    }
    // A record tree's first append is no dearer than the others (one-pass first append).
    expect(first.computeUnits).toBeLessThanOrEqual(later.computeUnits);
    expect(attested(later)).toMatchObject({ recordIndex: 1 });
  });

  it('a chain error is attributed to the program that raised it', () => {
    const logs = [
      `Program ${INFERENCE_ATTESTATION_PROGRAM_ID.toBase58()} invoke [1]`,
      `Program ${DEVICE_REGISTRY_PROGRAM_ID.toBase58()} invoke [2]`,
      `Program ${DEVICE_REGISTRY_PROGRAM_ID.toBase58()} failed: custom program error: 0x1788`,
      `Program ${INFERENCE_ATTESTATION_PROGRAM_ID.toBase58()} failed: custom program error: 0x1788`,
    ];
    expect(attributeProgramError(logs)).toMatchObject(registryError('InvalidDeviceProof', 6024));
    expect(isChainError(new Error('x'))).toBe(false);
  });
});
