/**
 * Writes tests/vectors/groth16.json: a real Groth16 proof (snarkjs, INSECURE dev ceremony)
 * for the one-public-input circuit circuits/test/public_input_test.circom, with the byte
 * encodings the programs read. Shared golden vectors: the Rust verifier crate and sdk/ tests
 * both check them. Proofs are randomized, so this only rewrites the file with `--force`.
 *
 *   npx tsx scripts/gen-vectors.ts [--force]
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as snarkjs from 'snarkjs';
import {
  encodeProof,
  encodePublicSignal,
  encodeVerifyingKey,
  verifyingKeyHash,
  keyToFields,
  publicInput,
  poseidon,
  readingMessageHashOf,
  networkPda,
  signedToField,
  toHex,
  BN254_Q,
  bigIntToBytesBE,
  bjjKeyHashBytes,
  signReading,
  encodeReadingMessage,
} from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import { buildCircuit } from '@zkpin/circuits/build';
import { buildReferenceArtifacts } from '@zkpin/circuits/build-circuits';
import { Keypair } from '@solana/web3.js';
import { devProverArtifacts, Prover } from '@zkpin/oracle/prover';
import { REPO_ROOT } from '@zkpin/circuits/compile';

const OUT = join(REPO_ROOT, 'tests', 'vectors', 'groth16.json');
const OUT_ATTESTATION = join(REPO_ROOT, 'tests', 'vectors', 'attestation.json');

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  if (!existsSync(OUT_ATTESTATION) || force) await attestationVector();
  if (existsSync(OUT) && !force) {
    console.log(`${OUT} exists (use --force to regenerate)`);
    return;
  }
  const built = await buildCircuit('circuits/test/public_input_test.circom', {
    log: { info: (m) => console.error(m) },
  });
  const fields = {
    network: Uint8Array.from({ length: 32 }, (_, i) => 0xf0 - i), // top bit set: hi ≥ 2^127
    device: Uint8Array.from({ length: 32 }, (_, i) => i + 1),
    bjjKeyHash: poseidon([11n, 22n]),
    modelId: 1,
    seq: 42n,
    timestamp: 1_767_225_600n,
    inputCommitment: poseidon([0x0102030405060708090a0b0c0d0e0f10n, 12345n]),
    class: 2,
    score: -5n,
  };
  const [networkHi, networkLo] = keyToFields(fields.network);
  const [deviceHi, deviceLo] = keyToFields(fields.device);
  const input = {
    network_hi: networkHi.toString(),
    network_lo: networkLo.toString(),
    device_hi: deviceHi.toString(),
    device_lo: deviceLo.toString(),
    bjj_key_hash: fields.bjjKeyHash.toString(),
    model_id: String(fields.modelId),
    seq: fields.seq.toString(),
    timestamp: signedToField(fields.timestamp).toString(),
    input_commitment: fields.inputCommitment.toString(),
    class: String(fields.class),
    score: signedToField(fields.score).toString(),
  };
  const { proof, publicSignals } = await snarkjs.groth16.fullProve(input, built.wasm, built.zkey);
  const vk = built.vk;
  if (!(await snarkjs.groth16.verify(vk, publicSignals, proof)))
    throw new Error('fresh proof does not verify');
  if (publicSignals.length !== 1 || publicSignals[0] !== publicInput(fields).toString()) {
    throw new Error('circuit P differs from the TypeScript P');
  }
  const proofBytes = encodeProof(proof);
  const vkBytes = encodeVerifyingKey(vk);
  const ay = BigInt(proof.pi_a[1]!);
  const aNeg = new Uint8Array(64);
  aNeg.set(proofBytes.subarray(0, 32), 0);
  aNeg.set(bigIntToBytesBE((BN254_Q - ay) % BN254_Q, 32), 32);
  const doc = {
    description:
      'Groth16 (BN254) golden vector: snarkjs proof with exactly one public input P. ' +
      'INSECURE development ceremony (fixed public beacons) — never use this key in production.',
    generator: 'npx tsx scripts/gen-vectors.ts --force',
    circuit: 'circuits/test/public_input_test.circom',
    conventions: {
      proof_bytes:
        'A(64) || B(128) || C(64), big-endian, G2 as x.c1,x.c0,y.c1,y.c0 (EIP-197); A NOT negated',
      vk_bytes:
        'alpha G1(64) || beta G2(128) || gamma G2(128) || delta G2(128) || IC0 G1(64) || IC1 G1(64)',
      public_input:
        'P = Poseidon(k0, k1, k2, bjj_key_hash, input_commitment), 32 bytes big-endian; k0 || k1 || k2 = the 93-byte header network || device || model_id u32 || seq u64 || timestamp + 2^63 u64 || class u8 || score + 2^63 u64 (big-endian) in 31-byte chunks',
    },
    public_input_fields: {
      network_hex: toHex(fields.network),
      device_hex: toHex(fields.device),
      bjj_key_hash: fields.bjjKeyHash.toString(),
      bjj_key_hash_hex: toHex(bigIntToBytesBE(fields.bjjKeyHash)),
      model_id: fields.modelId,
      seq: fields.seq.toString(),
      timestamp: fields.timestamp.toString(),
      input_commitment: fields.inputCommitment.toString(),
      input_commitment_hex: toHex(bigIntToBytesBE(fields.inputCommitment)),
      class: fields.class,
      score: fields.score.toString(),
    },
    vk,
    vk_bytes_hex: toHex(vkBytes),
    vk_sha256: verifyingKeyHash(vkBytes),
    proof,
    proof_bytes_hex: toHex(proofBytes),
    proof_a_negated_hex: toHex(aNeg),
    public_signals: publicSignals,
    public_inputs_hex: publicSignals.map((s) => toHex(encodePublicSignal(s))),
  };
  mkdirSync(join(REPO_ROOT, 'tests', 'vectors'), { recursive: true });
  writeFileSync(OUT, JSON.stringify(doc, null, 2) + '\n');
  console.log(`wrote ${OUT}`);
}

/**
 * The attestation vector's network authority: bench/attestation-scenario.ts sets its network
 * up with this key by default, so the vector's proof (which binds the network address) is
 * valid there.
 */
const VECTOR_NETWORK_AUTHORITY_SEED = new Uint8Array(32).fill(7);

/**
 * tests/vectors/attestation.json: one complete attestation of the reference model with the
 * deterministic dev key — signed reading, device keys, public fields, P, proof bytes and the
 * 576-byte verifying key — for end-to-end program tests without a prover.
 */
async function attestationVector(): Promise<void> {
  const art = await buildReferenceArtifacts({ log: { info: (m) => console.error(m) } });
  const keys = await generateDeviceKeys({
    ed25519: new Uint8Array(32).fill(0x5e),
    babyJub: new Uint8Array(32).fill(0xb1),
  });
  const reading = signReading(keys, {
    network: networkPda(Keypair.fromSeed(VECTOR_NETWORK_AUTHORITY_SEED).publicKey).toBytes(),
    seq: 1n,
    timestamp: 1_767_225_600n,
    modelId: 1,
    readings: [3, 5, 2, 4, 6, 3, 5, 4, 3, 2, 4, 5, 3, 4, 70, 3],
    salt: new Uint8Array(32).fill(0x5a),
  });
  const prover = await Prover.create(await devProverArtifacts(1));
  const a = await prover.prove(reading);
  // The device's next reading (seq 2), so a test can record two readings of one device.
  const nextReading = signReading(keys, {
    network: reading.network,
    seq: 2n,
    timestamp: reading.timestamp + 60n,
    modelId: 1,
    readings: [4, 5, 3, 4, 5, 3, 4, 4, 3, 3, 4, 5, 3, 4, 5, 3],
    salt: new Uint8Array(32).fill(0x5b),
  });
  const next = await prover.prove(nextReading);
  const doc = {
    description:
      'One attestation of circuits/model/zkpin_anomaly_v1.onnx (model_id 1) proven with the INSECURE development key. ' +
      'The program recomputes P from public_input_fields and verifies proof_bytes_hex against vk_bytes_hex. ' +
      'P binds the network and the device: the network is the device_registry PDA ["network", authority] of the ' +
      'authority Keypair.fromSeed(network_authority_seed_hex), the device the ed25519 key of ed25519_seed_hex.',
    generator: 'npx tsx scripts/gen-vectors.ts --force',
    circuit_hash: art.circuit.hash,
    vk_bytes_hex: toHex(art.circuit.vkBytes),
    vk_sha256: art.circuit.vkSha256,
    network_authority_seed_hex: toHex(VECTOR_NETWORK_AUTHORITY_SEED),
    device: {
      ed25519_seed_hex: toHex(keys.ed25519.seed),
      ed25519_public_key_hex: toHex(keys.ed25519.publicKey),
      bjj_private_key_hex: toHex(keys.babyJub.privateKey),
      bjj_ax: keys.babyJub.publicKey.ax.toString(),
      bjj_ay: keys.babyJub.publicKey.ay.toString(),
      bjj_key_hash_hex: toHex(bjjKeyHashBytes(keys.babyJub.publicKey)),
    },
    reading: {
      network_hex: toHex(reading.network),
      seq: reading.seq.toString(),
      timestamp: reading.timestamp.toString(),
      model_id: reading.modelId,
      readings: reading.readings,
      salt_hex: toHex(reading.salt),
      message_hex: toHex(encodeReadingMessage(reading)),
      ed25519_signature_hex: toHex(reading.ed25519Signature),
      bjj_message: readingMessageHashOf(reading).toString(),
      bjj_signature: {
        r8x: reading.bjjSignature.r8x.toString(),
        r8y: reading.bjjSignature.r8y.toString(),
        s: reading.bjjSignature.s.toString(),
      },
    },
    logits: a.logits,
    public_input_fields: {
      network_hex: toHex(a.fields.network),
      device_hex: toHex(a.fields.device),
      bjj_key_hash_hex: toHex(bigIntToBytesBE(a.fields.bjjKeyHash)),
      model_id: a.fields.modelId,
      seq: a.fields.seq.toString(),
      timestamp: a.fields.timestamp.toString(),
      input_commitment_hex: toHex(bigIntToBytesBE(a.fields.inputCommitment)),
      class: a.fields.class,
      score: a.fields.score.toString(),
    },
    public_input_hex: toHex(a.publicInput),
    proof: a.proof,
    proof_bytes_hex: toHex(a.proofBytes),
    next: {
      description: 'The same device, seq 2, timestamp + 60 s: its own reading and proof.',
      seq: next.fields.seq.toString(),
      timestamp: next.fields.timestamp.toString(),
      input_commitment_hex: toHex(bigIntToBytesBE(next.fields.inputCommitment)),
      class: next.fields.class,
      score: next.fields.score.toString(),
      public_input_hex: toHex(next.publicInput),
      proof_bytes_hex: toHex(next.proofBytes),
    },
  };
  mkdirSync(dirname(OUT_ATTESTATION), { recursive: true });
  writeFileSync(OUT_ATTESTATION, JSON.stringify(doc, null, 2) + '\n');
  console.log(`wrote ${OUT_ATTESTATION}`);
}

await main();
process.exit(0);
