/**
 * The whole attestation path with fresh proofs: a device signs consecutive readings, the
 * oracle prover (onnxruntime + snarkjs, INSECURE development ceremony from
 * `npm run build:circuits`) proves each, and submit_attestation records them in order, the
 * device leaf's seq following. Also: a reading proven for the wrong seq is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import BN from 'bn.js';
import { PublicKey, Transaction } from '@solana/web3.js';
import {
  DEVICE_TREE_SHAPE,
  MerkleReplica,
  attributeProgramError,
  bigIntToBytesBE,
  deviceLeafHash,
  encodeVerifyingKey,
  inferenceAttestationProgram,
  parseProgramEvents,
  recordLeafHash,
  signReading,
  submitAttestationInstruction,
  type DeviceKeys,
  type SignedReading,
} from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import { ConcurrentMerkleTreeAccount } from '@solana/spl-account-compression';
import { Prover, devProverArtifacts, type Attestation } from '@zkpin/oracle/prover';
import { localNetwork } from '@zkpin/sdk/testing';
import { ATTESTATION_CU_CEILINGS } from '../bench/attestation-scenario.ts';

let prover: Prover;
let keys: DeviceKeys;

beforeAll(async () => {
  prover = await Prover.create(await devProverArtifacts(1));
  keys = await generateDeviceKeys();
}, 1_200_000);

afterAll(() => prover?.close());

describe('submit_attestation with proofs from the oracle prover', () => {
  it('records consecutive readings of one device in order', async () => {
    const net = await localNetwork({
      model: {
        id: prover.artifacts.modelId,
        verifyingKey: encodeVerifyingKey(prover.artifacts.vk),
      },
    });
    const { chain, oracle, setup } = net;
    let { leaf } = await net.registerDevice({ keys });
    const devices = new MerkleReplica(DEVICE_TREE_SHAPE.maxDepth);
    devices.set(0, deviceLeafHash(setup.network, leaf));
    const records = new MerkleReplica(setup.recordTreeShape.maxDepth);

    const attestation = inferenceAttestationProgram(chain.provider(oracle));
    const reading = (seq: bigint, readings: number[]): SignedReading =>
      signReading(keys, {
        network: setup.network.toBytes(),
        seq,
        timestamp: BigInt(Math.floor(Date.now() / 1000)) - 600n + seq * 60n,
        modelId: setup.modelId,
        readings,
        salt: new Uint8Array(32).fill(Number(seq)),
      });
    const submit = async (a: Attestation, seq = a.fields.seq) => {
      const ix = await submitAttestationInstruction(attestation, {
        submitter: oracle.publicKey,
        network: setup.network,
        model: setup.model,
        deviceTree: setup.deviceTree,
        recordTree: setup.recordTree,
        leaf,
        leafIndex: 0,
        seq,
        root: devices.root,
        proofNodes: devices.proofWithoutCanopy(0, DEVICE_TREE_SHAPE.canopyDepth),
        proof: a.proofBytes,
        timestamp: a.fields.timestamp,
        inputCommitment: bigIntToBytesBE(a.fields.inputCommitment, 32),
        class: a.fields.class,
        score: a.fields.score,
      });
      return chain.send(new Transaction().add(ix), [oracle]);
    };

    const inputs = [
      [3, 5, 2, 4, 6, 3, 5, 4, 3, 2, 4, 5, 3, 4, 70, 3],
      new Array<number>(16).fill(127),
      [-20, -18, -25, -22, -19, -21, -24, -20, -23, -18, -22, -19, -21, -20, -24, -22],
    ];
    for (const [i, values] of inputs.entries()) {
      const seq = BigInt(i + 1);
      const a = await prover.prove(reading(seq, values));
      const result = await submit(a);
      expect(result.computeUnits).toBeLessThanOrEqual(
        ATTESTATION_CU_CEILINGS.submit_attestation_cu,
      );
      // The attestation's one event is device_registry's RecordAttested.
      const ev = parseProgramEvents(
        result.innerInstructions,
        net.registry.programId,
        net.registry.coder,
      );
      expect(ev.map((e) => e.name)).toEqual(['recordAttested']);
      expect(ev[0]!.data).toMatchObject({ recordIndex: i });
      leaf = { ...leaf, seq: new BN(i + 1) };
      devices.set(0, deviceLeafHash(setup.network, leaf));
      records.append(
        recordLeafHash({
          device: leaf.device,
          modelId: setup.modelId,
          seq,
          timestamp: a.fields.timestamp,
          inputCommitment: bigIntToBytesBE(a.fields.inputCommitment, 32),
          class: a.fields.class,
          score: a.fields.score,
          publicInput: a.publicInput,
        }),
      );
    }
    const root = (t: PublicKey) =>
      Buffer.from(
        ConcurrentMerkleTreeAccount.fromBuffer(chain.getAccountInfo(t)!.data).getCurrentRoot(),
      );
    expect(root(setup.deviceTree).equals(Buffer.from(devices.root))).toBe(true);
    expect(root(setup.recordTree).equals(Buffer.from(records.root))).toBe(true);

    // A valid proof of seq 7 submitted as another seq: P binds the seq.
    const later = await prover.prove(reading(7n, inputs[0]!));
    let logs: string[] = [];
    try {
      await submit(later, 8n);
    } catch (e) {
      logs = (e as { logs?: string[] }).logs ?? [];
    }
    expect(attributeProgramError(logs)).toMatchObject({
      program: 'inference_attestation',
      name: 'InvalidProof',
    });
    // As itself it records, after the gap (seqs 4 to 6 never came).
    await submit(later);
  }, 600_000);
});
