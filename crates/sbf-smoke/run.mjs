/* global console, process, Buffer, URL */
// Runs the SBF smoke program (src/program.rs) in LiteSVM and checks it against JavaScript
// references: a naive keccak Merkle tree (@noble/hashes) and the snarkjs fixture
// tests/vectors/groth16.json. Build first (docs/crates.md), then:
//   node crates/sbf-smoke/run.mjs [path/to/libzkpin_sbf_smoke.so]
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { LiteSVM, FailedTransactionMetadata } from 'litesvm';
import { address, getTransactionDecoder, lamports } from '@solana/kit';
import { Keypair, Transaction, TransactionInstruction } from '@solana/web3.js';
import { keccak_256 } from '@noble/hashes/sha3';

const root = fileURLToPath(new URL('../..', import.meta.url));
const so = process.argv[2] ?? `${root}target/bpfel-unknown-none/release/libzkpin_sbf_smoke.so`;
const svm = new LiteSVM();
const programId = Keypair.generate().publicKey;
svm.addProgramFromFile(address(programId.toBase58()), so);
const payer = Keypair.generate();
svm.airdrop(address(payer.publicKey.toBase58()), lamports(10_000_000_000n));
const decoder = getTransactionDecoder();

// A device-sized tree: depth 20, buffer 64, canopy 10 (109,752 bytes). Only the first
// 32 leaves are used, so the naive tree is 32 leaves under empty subtrees.
const D = 20;
const B = 64;
const C = 10;
const N = 32;
const size = 56 + 24 + (B + 1) * (40 + 32 * D) + ((1 << (C + 1)) - 2) * 32;
const tree = Keypair.generate().publicKey;
svm.setAccount({
  address: address(tree.toBase58()),
  data: new Uint8Array(size),
  executable: false,
  lamports: lamports(1_000_000_000n),
  programAddress: address(programId.toBase58()),
  space: BigInt(size),
});

function send(data, withTree = true) {
  const keys = withTree ? [{ pubkey: tree, isSigner: false, isWritable: true }] : [];
  const tx = new Transaction().add(
    new TransactionInstruction({ programId, keys, data: Buffer.from(data) }),
  );
  tx.recentBlockhash = svm.latestBlockhash();
  tx.feePayer = payer.publicKey;
  tx.sign(payer);
  const r = svm.sendTransaction(decoder.decode(tx.serialize()));
  svm.expireBlockhash();
  if (r instanceof FailedTransactionMetadata) {
    return { err: r.err().toString(), cu: Number(r.meta().computeUnitsConsumed()) };
  }
  return {
    ret: Buffer.from(r.returnData().data()).toString('hex'),
    cu: Number(r.computeUnitsConsumed()),
  };
}

const hash = (a, b) => Buffer.from(keccak_256(Buffer.concat([a, b])));
const leaves = Array.from({ length: N }, () => Buffer.alloc(32));
const empty = [Buffer.alloc(32)];
for (let l = 0; l < D; l++) empty.push(hash(empty[l], empty[l]));
function layers() {
  const all = [leaves.slice()];
  while (all.at(-1).length > 1) {
    const prev = all.at(-1);
    const next = [];
    for (let i = 0; i < prev.length; i += 2) next.push(hash(prev[i], prev[i + 1]));
    all.push(next);
  }
  return all;
}
const naiveRoot = () => {
  let node = layers().at(-1)[0];
  for (let l = Math.log2(N); l < D; l++) node = hash(node, empty[l]);
  return node.toString('hex');
};
const naiveProof = (i) => {
  const all = layers();
  return Array.from({ length: D }, (_, l) =>
    l < all.length - 1 ? all[l][(i >> l) ^ 1] : empty[l],
  );
};
const u32 = (v) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const i64 = (v) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt(v));
  return b;
};

let failures = 0;
function check(name, pass, detail = '') {
  if (!pass) failures += 1;
  console.log(`${pass ? 'ok  ' : 'FAIL'} ${name} ${detail}`);
}

let r = send(Buffer.concat([Buffer.from([0, D]), u32(B)]));
check('tree init', r.ret === naiveRoot(), `${r.cu} CU`);
for (let i = 0; i < 13; i++) {
  leaves[i] = randomBytes(32);
  r = send(Buffer.concat([Buffer.from([1]), leaves[i]]));
  check(`append ${i}`, r.ret === naiveRoot(), `${r.cu} CU`);
}
const oldRoot = Buffer.from(naiveRoot(), 'hex');
const proof4 = naiveProof(4);
const proof7 = naiveProof(7);
const prev4 = leaves[4];
const prev7 = leaves[7];
leaves[4] = randomBytes(32);
r = send(Buffer.concat([Buffer.from([2]), oldRoot, prev4, leaves[4], u32(4), ...proof4]));
check('replace with a full proof', r.ret === naiveRoot(), `${r.cu} CU`);
leaves[7] = randomBytes(32);
r = send(
  Buffer.concat([Buffer.from([2]), oldRoot, prev7, leaves[7], u32(7), ...proof7.slice(0, D - C)]),
);
check(
  'replace from a stale root, proof shortened by the canopy',
  r.ret === naiveRoot(),
  `${r.cu} CU`,
);
r = send(
  Buffer.concat([
    Buffer.from([2]),
    Buffer.from(naiveRoot(), 'hex'),
    randomBytes(32),
    leaves[9],
    u32(9),
    ...naiveProof(9),
  ]),
);
check('wrong previous leaf rejected (InvalidProof = 112)', /112/.test(r.err ?? ''), r.err ?? '');

const g = JSON.parse(readFileSync(`${root}tests/vectors/groth16.json`, 'utf8'));
const vk = Buffer.from(g.vk_bytes_hex, 'hex');
const proof = Buffer.from(g.proof_bytes_hex, 'hex');
const input = Buffer.from(g.public_inputs_hex[0], 'hex');
r = send(Buffer.concat([Buffer.from([5]), vk, proof, input]), false);
const baseline = r.cu;
r = send(Buffer.concat([Buffer.from([3]), vk, proof, input]), false);
check(
  'groth16 accepts the snarkjs proof',
  !r.err,
  `${r.cu} CU (empty instruction: ${baseline} CU)`,
);
const badB = Buffer.from(proof);
badB[100] ^= 1;
r = send(Buffer.concat([Buffer.from([3]), vk, badB, input]), false);
check('groth16 rejects a mutated B (202)', /202/.test(r.err ?? ''), r.err ?? '');
const badInput = Buffer.from(input);
badInput[31] ^= 1;
r = send(Buffer.concat([Buffer.from([3]), vk, proof, badInput]), false);
check('groth16 rejects a wrong input (205)', /205/.test(r.err ?? ''), r.err ?? '');
const f = g.public_input_fields;
r = send(
  Buffer.concat([
    Buffer.from([4]),
    Buffer.from(f.network_hex, 'hex'),
    Buffer.from(f.device_hex, 'hex'),
    Buffer.from(f.bjj_key_hash_hex, 'hex'),
    u32(f.model_id),
    i64(f.seq),
    i64(f.timestamp),
    Buffer.from(f.input_commitment_hex, 'hex'),
    Buffer.from([f.class]),
    i64(f.score),
  ]),
  false,
);
check('public input P matches the fixture', r.ret === g.public_inputs_hex[0], `${r.cu} CU`);

console.log(
  failures === 0 ? 'sbf-smoke: all checks passed' : `sbf-smoke: ${failures} check(s) failed`,
);
process.exit(failures === 0 ? 0 : 1);
