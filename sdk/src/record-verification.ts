/**
 * Checks an attested record without trusting whoever served it (the indexer): what an owner's
 * browser runs behind "Verify". Each step says what it compared and how long it took:
 *
 * 1. `record`: the record leaf recomputed from the record's fields is the proof's leaf, and the
 *    attestation names the same device, seq and public fields.
 * 2. `merkle`: the path leads from that leaf to the root the record tree account holds, read
 *    from the Solana RPC (`reader`), not from the indexer: the changelog's root for the
 *    proof's `rootSeq`, or the current root.
 * 3. `publicInput`: `P` recomputed from the record's public fields, the network and the
 *    device's BabyJubJub key hash is the `P` the record leaf holds (which the program
 *    computed the same way when it appended the leaf).
 * 4. `groth16`: the attestation's Groth16 proof verifies for that `P` under the verifying key
 *    read from the model's account on the chain (groth16-verify.ts: plain JavaScript).
 *
 * A step that fails stops the checks after it (they would check nothing). A served value that
 * lies can only make a step fail: every value a step trusts is bound by the one before it (the
 * fields by the leaf, the leaf by the on-chain root, `P` by the leaf).
 */
import { PublicKey } from '@solana/web3.js';
import { Buffer } from 'buffer';
import { fromHex, toHex } from './field.ts';
import { verifyGroth16 } from './groth16-verify.ts';
import {
  indexedRecordLeafHash,
  rootFromPath,
  type IndexedAttestation,
  type IndexedRecord,
  type MerkleProofValue,
  type TreeAccountReader,
} from './indexer-api.ts';
import { publicInput } from './poseidon.ts';
import { LOCALNET_PROGRAM_IDS, type ProgramIds } from './program-ids.ts';
import { verifyingKeyHash } from './proof-encoding.ts';
import { DEVICE_REGISTRY_TYPES, modelPda } from './registry-client.ts';
import { treeAccountRoot, treeAccountRootAt, treeAccountSequenceNumber } from './tree-account.ts';

export type RecordCheck = 'record' | 'merkle' | 'publicInput' | 'groth16';

export interface RecordCheckResult {
  check: RecordCheck;
  /** null: not run (a step before it failed). */
  ok: boolean | null;
  /** What was compared, in words; why it failed. */
  detail: string;
  ms: number;
}

export interface RecordVerification {
  valid: boolean;
  /** The first failed check, if any. */
  failed: RecordCheck | null;
  checks: RecordCheckResult[];
  ms: number;
}

export interface RecordVerificationInput {
  /** The network the record belongs to (the deployment's). */
  network: PublicKey;
  programIds?: ProgramIds;
  record: IndexedRecord;
  proof: MerkleProofValue;
  attestation: IndexedAttestation;
  /** The device's BabyJubJub key hash (its leaf's `bjjKeyHash`, hex). */
  bjjKeyHash: string;
  /** Reads accounts from the chain (a web3.js `Connection` will do). */
  reader: TreeAccountReader;
}

const ORDER: RecordCheck[] = ['record', 'merkle', 'publicInput', 'groth16'];

class CheckFailed extends Error {}

function fail(why: string): never {
  throw new CheckFailed(why);
}

export async function verifyRecord(i: RecordVerificationInput): Promise<RecordVerification> {
  const t0 = performance.now();
  const checks: RecordCheckResult[] = [];
  const steps: Record<RecordCheck, () => Promise<string>> = {
    record: () => Promise.resolve(checkRecord(i)),
    merkle: () => checkMerkle(i),
    publicInput: () => Promise.resolve(checkPublicInput(i)),
    groth16: () => checkGroth16(i),
  };
  let failed: RecordCheck | null = null;
  for (const check of ORDER) {
    if (failed) {
      checks.push({ check, ok: null, detail: `not checked: ${failed} failed`, ms: 0 });
      continue;
    }
    const s = performance.now();
    try {
      const detail = await steps[check]();
      checks.push({ check, ok: true, detail, ms: performance.now() - s });
    } catch (e) {
      failed = check;
      const detail = e instanceof CheckFailed ? e.message : `could not check: ${String(e)}`;
      checks.push({ check, ok: false, detail, ms: performance.now() - s });
    }
  }
  return { valid: failed === null, failed, checks, ms: performance.now() - t0 };
}

function checkRecord({ record: r, proof, attestation: a }: RecordVerificationInput): string {
  let leaf: Uint8Array;
  try {
    leaf = indexedRecordLeafHash(r);
  } catch (e) {
    fail(`the record's fields do not encode: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (toHex(leaf) !== proof.leaf) fail("the record's fields do not hash to the proof's leaf");
  if (proof.treeId !== r.tree || proof.leafIndex !== r.leafIndex)
    fail('the proof is for another tree or leaf than the record');
  const same: [string, unknown, unknown][] = [
    ['device', a.device, r.device],
    ['seq', a.seq, r.seq],
    ['model', a.modelId, r.modelId],
    ['timestamp', a.timestamp, r.timestamp],
    ['class', a.class, r.class],
    ['score', a.score, r.score],
    ['input commitment', a.inputCommitment, r.inputCommitment],
    ['public input', a.publicInput, r.publicInput],
    ['record tree', a.recordTree, r.tree],
    ['leaf index', a.recordIndex, r.leafIndex],
  ];
  for (const [what, x, y] of same)
    if (x !== y)
      fail(`the attestation's ${what} (${String(x)}) is not the record's (${String(y)})`);
  return `leaf ${proof.leaf.slice(0, 16)}… is the hash of the record's fields`;
}

async function checkMerkle({ record, proof, reader }: RecordVerificationInput): Promise<string> {
  const root = rootFromPath(fromHex(proof.leaf), proof.leafIndex, proof.proof.map(fromHex));
  const info = await reader.getAccountInfo(new PublicKey(record.tree));
  if (!info) fail(`the record tree ${record.tree} is not on the chain`);
  const data = Uint8Array.from(info.data);
  const atSeq = treeAccountRootAt(data, BigInt(proof.rootSeq));
  const current = treeAccountRoot(data);
  const onChain = atSeq ?? current;
  if (toHex(root) !== toHex(onChain))
    fail(
      atSeq
        ? `the path leads to ${toHex(root).slice(0, 16)}…, the tree's root after change ${proof.rootSeq} is ${toHex(atSeq).slice(0, 16)}…`
        : `the path leads to ${toHex(root).slice(0, 16)}…, not to the tree's current root (change ${treeAccountSequenceNumber(data)}); the proof may be older than the changelog: fetch a fresh one`,
    );
  return `the path leads to the on-chain root ${toHex(onChain).slice(0, 16)}… (tree ${record.tree.slice(0, 8)}…, change ${atSeq ? proof.rootSeq : treeAccountSequenceNumber(data).toString()})`;
}

function checkPublicInput({ network, record: r, bjjKeyHash }: RecordVerificationInput): string {
  const p = publicInput({
    network: network.toBytes(),
    device: new PublicKey(r.device).toBytes(),
    bjjKeyHash: BigInt(`0x${bjjKeyHash}`),
    modelId: r.modelId,
    seq: BigInt(r.seq),
    timestamp: BigInt(r.timestamp),
    inputCommitment: BigInt(`0x${r.inputCommitment}`),
    class: r.class,
    score: BigInt(r.score),
  });
  const hex = p.toString(16).padStart(64, '0');
  if (hex !== r.publicInput)
    fail(
      `P recomputed from the public fields is ${hex.slice(0, 16)}…, the record holds ${r.publicInput.slice(0, 16)}…`,
    );
  return `P = ${hex.slice(0, 16)}… recomputed from the network, device, key, model, seq, time, commitment, class and score`;
}

async function checkGroth16(i: RecordVerificationInput): Promise<string> {
  const ids = i.programIds ?? LOCALNET_PROGRAM_IDS;
  const model = modelPda(i.network, i.record.modelId, ids.deviceRegistry);
  const info = await i.reader.getAccountInfo(model);
  if (!info) fail(`model ${i.record.modelId} (${model.toBase58()}) is not on the chain`);
  const decoded = DEVICE_REGISTRY_TYPES.decode<{ vk: number[] }>(
    'Model',
    Buffer.from(Uint8Array.from(info.data).subarray(8)),
  );
  const vk = Uint8Array.from(decoded.vk);
  const ok = verifyGroth16(vk, fromHex(i.attestation.proof), BigInt(`0x${i.record.publicInput}`));
  const hash = verifyingKeyHash(vk);
  if (!ok)
    fail(
      `the Groth16 proof does not verify under model ${i.record.modelId}'s key (sha256 ${hash.slice(0, 16)}…)`,
    );
  return `the Groth16 proof verifies under model ${i.record.modelId}'s key read from its account (sha256 ${hash.slice(0, 16)}…)`;
}
