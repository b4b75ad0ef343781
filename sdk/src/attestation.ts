/**
 * Client helpers for inference_attestation: the typed Anchor client, the PDA that signs
 * `advance_device`, the `submit_attestation` instruction (with the device tree proof as
 * remaining accounts), record leaves, and decoding errors raised either by this program or,
 * through its CPI, by device_registry.
 */
import { Program, type Coder, type Provider } from '@coral-xyz/anchor';
import BN from 'bn.js';
import { Buffer } from 'buffer';
import { PublicKey, type TransactionInstruction } from '@solana/web3.js';
import { keccak_256 } from '@noble/hashes/sha3';
import type { InferenceAttestation } from '../../idls/inference_attestation.ts';
import inferenceAttestationIdl from '../../idls/inference_attestation.json' with { type: 'json' };
import deviceRegistryIdl from '../../idls/device_registry.json' with { type: 'json' };
import {
  INFERENCE_ATTESTATION_PROGRAM_ID,
  LOCALNET_PROGRAM_IDS,
  type ProgramIds,
} from './program-ids.ts';
import { idlForDeployment } from './programs.ts';
import { ATTESTATION_SEED, RECORD_LEAF_V0_SIZE } from '../../idls/constants.ts';
import type { ChainInstruction } from './chain.ts';
import { DEVICE_REGISTRY_TYPES, proofAccounts, type DeviceLeaf } from './registry-client.ts';

export type { InferenceAttestation };
export const INFERENCE_ATTESTATION_IDL = inferenceAttestationIdl as InferenceAttestation;

/** inference_attestation's client for a deployment's program ids (default: the localnet build's). */
export function inferenceAttestationProgram(
  provider: Provider,
  ids: ProgramIds = LOCALNET_PROGRAM_IDS,
): Program<InferenceAttestation> {
  return new Program<InferenceAttestation>(
    idlForDeployment(INFERENCE_ATTESTATION_IDL, ids),
    provider,
  );
}

/** `ATTESTATION_SEED` of the IDL's `constants` as text. */
export const ATTESTATION_AUTHORITY_SEED: string = new TextDecoder().decode(ATTESTATION_SEED);

/** `["attestation"]` of inference_attestation: the only signer device_registry accepts for `advance_device`. */
export function attestationAuthorityPda(
  programId: PublicKey = INFERENCE_ATTESTATION_PROGRAM_ID,
): PublicKey {
  return PublicKey.findProgramAddressSync([ATTESTATION_SEED], programId)[0];
}

/** A Groth16 proof's public fields (everything `P` is computed from, besides the device leaf). */
export interface AttestationFields {
  timestamp: bigint | number;
  /** 32 bytes big-endian, < r. */
  inputCommitment: Uint8Array;
  class: number;
  score: bigint | number;
}

export interface SubmitAttestationParams extends AttestationFields {
  submitter: PublicKey;
  network: PublicKey;
  /** The device's `Model` account (PDA `["model", network, model_id LE]` of device_registry). */
  model: PublicKey;
  /** The device's device tree (any of the network's). */
  deviceTree: PublicKey;
  /** Any record tree of the network (the relayer spreads writes: `RecordTreePool`). */
  recordTree: PublicKey;
  /** The device leaf as it is in the tree now. */
  leaf: DeviceLeaf;
  /** The reading's seq: above `leaf.seq` (gaps allowed). */
  seq: bigint | number;
  leafIndex: number;
  /** The device tree root `proofNodes` lead to (a recent one: the changelog fast-forwards it). */
  root: Uint8Array;
  /** Sibling nodes from the leaf upwards, without the canopy's levels. */
  proofNodes: Uint8Array[];
  /** 256 bytes (`encodeProof`: A as snarkjs produced it; the program negates it). */
  proof: Uint8Array;
}

/** The `submit_attestation` instruction (accounts resolved, proof nodes appended). */
export async function submitAttestationInstruction(
  program: Program<InferenceAttestation>,
  p: SubmitAttestationParams,
): Promise<TransactionInstruction> {
  if (p.proof.length !== 256)
    throw new RangeError(`proof must be 256 bytes, got ${p.proof.length}`);
  if (p.inputCommitment.length !== 32) throw new RangeError('inputCommitment must be 32 bytes');
  if (p.root.length !== 32) throw new RangeError('root must be 32 bytes');
  return program.methods
    .submitAttestation({
      proof: Array.from(p.proof),
      current: { leaf: p.leaf, leafIndex: p.leafIndex, root: Array.from(p.root) },
      seq: new BN(p.seq.toString()),
      timestamp: new BN(p.timestamp.toString()),
      inputCommitment: Array.from(p.inputCommitment),
      class: p.class,
      score: new BN(p.score.toString()),
    })
    .accountsPartial({
      submitter: p.submitter,
      network: p.network,
      model: p.model,
      deviceTree: p.deviceTree,
      recordTree: p.recordTree,
    })
    .remainingAccounts(proofAccounts(p.proofNodes))
    .instruction();
}

/** `RecordLeafV0` (docs/contracts.md). */
export interface RecordLeaf extends AttestationFields {
  device: PublicKey;
  modelId: number;
  seq: bigint | number;
  publicInput: Uint8Array;
}

/** The 125 borsh bytes of `RecordLeafV0` (the IDL's `RecordLeaf`). */
export function recordLeafBytes(r: RecordLeaf): Uint8Array {
  const b = DEVICE_REGISTRY_TYPES.encode('RecordLeaf', {
    device: r.device,
    model_id: r.modelId,
    seq: new BN(r.seq.toString()),
    timestamp: new BN(r.timestamp.toString()),
    input_commitment: Array.from(bytes32(r.inputCommitment, 'inputCommitment')),
    class: r.class,
    score: new BN(r.score.toString()),
    public_input: Array.from(bytes32(r.publicInput, 'publicInput')),
  });
  if (b.length !== RECORD_LEAF_V0_SIZE)
    throw new RangeError(`RecordLeaf encodes to ${b.length} bytes, not ${RECORD_LEAF_V0_SIZE}`);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

function bytes32(b: Uint8Array, what: string): Uint8Array {
  if (b.length !== 32) throw new RangeError(`${what} must be 32 bytes, got ${b.length}`);
  return b;
}

/** The record tree leaf: keccak256 of the borsh bytes. */
export function recordLeafHash(r: RecordLeaf): Uint8Array {
  return keccak_256(recordLeafBytes(r));
}

/** A custom program error, attributed to the program that raised it. */
export interface AttributedProgramError {
  program: 'inference_attestation' | 'device_registry' | 'unknown';
  programId: PublicKey;
  code: number;
  name?: string;
  msg?: string;
}

interface IdlErrors {
  errors?: { code: number; name: string; msg?: string }[];
}

const FAILED = /^Program (\w+) failed: custom program error: 0x([0-9a-f]+)$/;

/**
 * The custom error of a failed `submit_attestation`, named with the IDL of the program
 * that raised it. A failure inside the `advance_device` CPI (e.g. device_registry's
 * `InvalidDeviceProof` for a stale or wrong device proof) carries device_registry's number,
 * which this program's IDL would misname; the first `Program … failed` log line is the
 * innermost program, so it decides which IDL applies.
 */
export function attributeProgramError(
  logs: readonly string[],
  ids: ProgramIds = LOCALNET_PROGRAM_IDS,
): AttributedProgramError | undefined {
  for (const line of logs) {
    const m = FAILED.exec(line);
    if (!m) continue;
    const programId = new PublicKey(m[1]!);
    const code = parseInt(m[2]!, 16);
    const [program, idl]: [AttributedProgramError['program'], IdlErrors | undefined] =
      programId.equals(ids.inferenceAttestation)
        ? ['inference_attestation', inferenceAttestationIdl]
        : programId.equals(ids.deviceRegistry)
          ? ['device_registry', deviceRegistryIdl]
          : ['unknown', undefined];
    const e = idl?.errors?.find((x) => x.code === code);
    return { program, programId, code, name: e?.name, msg: e?.msg };
  }
  return undefined;
}

/**
 * Anchor's `EVENT_IX_TAG_LE` (`0x1d9acb512ea545e4` little-endian): the first 8 bytes of an event
 * instruction. Both programs emit every event as a self-CPI with this tag (the `emit_cpi!`
 * format), signed by a PDA only the emitting program can sign for.
 */
export const EVENT_IX_TAG = Uint8Array.from([0xe4, 0x45, 0xa5, 0x2e, 0x51, 0xcb, 0x9a, 0x1d]);

export interface ProgramEvent {
  name: string;
  data: unknown;
}

/**
 * The Anchor events `programId` emitted in one transaction, in order, read from its inner
 * instructions: kept by the chain whatever happens to the transaction's logs (which are
 * truncated past the log limit while the transaction still executes).
 */
export function parseProgramEvents(
  instructions: readonly ChainInstruction[],
  programId: PublicKey,
  coder: Coder,
): ProgramEvent[] {
  const out: ProgramEvent[] = [];
  for (const ix of instructions) {
    if (ix.stackHeight < 2 || !ix.programId.equals(programId) || ix.data.length < 16) continue;
    if (!EVENT_IX_TAG.every((b, i) => ix.data[i] === b)) continue;
    // Anchor's event coder takes base64.
    const event = coder.events.decode(
      Buffer.from(ix.data.buffer, ix.data.byteOffset + 8, ix.data.length - 8).toString('base64'),
    );
    if (event) out.push(event);
  }
  return out;
}
