/**
 * Toolchain probes: each instruction of programs/toolchain-probe checks one fact the zkpin
 * programs rely on, run from the built .so in LiteSVM and compared with an independent
 * TypeScript implementation (@noble/hashes, @noble/curves, poseidon-lite).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Keypair,
  PublicKey,
  SYSVAR_INSTRUCTIONS_PUBKEY,
  Transaction,
  TransactionInstruction,
} from '@solana/web3.js';
import { keccak_256 } from '@noble/hashes/sha3';
import { bn254 } from '@noble/curves/bn254';
import { poseidon3 } from 'poseidon-lite';
import { randomBytes } from 'node:crypto';
import { ed25519MultiSigInstruction, DeviceEd25519Key, isChainError } from '@zkpin/sdk';
import {
  LocalChain,
  PROBE_CALLEE_PROGRAM_ID,
  TOOLCHAIN_PROBE_PROGRAM_ID,
  programPath,
} from '@zkpin/sdk/testing';

const P_FIELD = bn254.fields.Fp.ORDER; // base field: point coordinates
const R_FIELD = bn254.fields.Fr.ORDER; // scalar field: Poseidon inputs, public inputs
const be32 = (v: bigint) => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
const g1Bytes = (p: InstanceType<typeof bn254.G1.ProjectivePoint>) => {
  const a = p.toAffine();
  return Buffer.concat([be32(a.x), be32(a.y)]);
};

let chain: LocalChain;
let payer: Keypair;

function probe(
  tag: number,
  rest: Uint8Array,
  keys: TransactionInstruction['keys'] = [],
  pre: TransactionInstruction[] = [],
) {
  const ix = new TransactionInstruction({
    programId: TOOLCHAIN_PROBE_PROGRAM_ID,
    keys,
    data: Buffer.concat([Buffer.from([tag]), rest]),
  });
  return chain.send(new Transaction().add(...pre, ix), [payer]);
}

beforeAll(() => {
  chain = new LocalChain();
  chain.deploy(TOOLCHAIN_PROBE_PROGRAM_ID, programPath('toolchain_probe'));
  chain.deploy(PROBE_CALLEE_PROGRAM_ID, programPath('probe_callee'));
  payer = chain.fundedKeypair();
});

describe('toolchain probe (SBPF v0 built by sbpf-linker, run in LiteSVM)', () => {
  it('logs text, u64s and sol_log_data', () => {
    const r = probe(0, Buffer.from('abc'));
    expect(r.logs).toContain('Program log: zkpin probe: log');
    expect(r.logs).toContain('Program log: 0x1, 0x2, 0x3, 0x4, 0x3');
    const dataLine = `Program data: ${Buffer.from('zkpin').toString('base64')} ${Buffer.from('abc').toString('base64')}`;
    expect(r.logs).toContain(dataLine);
    expect(r.logs.some((l) => /consumption: \d+ units remaining/.test(l))).toBe(true);
  });

  it('keccak256 over a slice list matches @noble/hashes', () => {
    for (const len of [0, 1, 64, 173, 500]) {
      const input = randomBytes(len);
      expect(probe(1, input).returnData.toString('hex')).toBe(
        Buffer.from(keccak_256(input)).toString('hex'),
      );
    }
  });

  it('poseidon (BN254 x5, big-endian) matches poseidon-lite', () => {
    const inputs = [1n, 2n, R_FIELD - 5n];
    const r = probe(2, Buffer.concat(inputs.map(be32)));
    expect(BigInt('0x' + r.returnData.toString('hex'))).toBe(poseidon3(inputs));
  });

  it('poseidon rejects an input >= the field modulus', () => {
    expect(() => probe(2, Buffer.concat([be32(1n), be32(R_FIELD)]))).toThrow(
      /custom program error/,
    );
  });

  it('alt_bn128 G1 add and mul match @noble/curves', () => {
    const G = bn254.G1.ProjectivePoint.BASE;
    const a = G.multiply(7n);
    const b = G.multiply(11n);
    const add = probe(3, Buffer.concat([Buffer.from([0]), g1Bytes(a), g1Bytes(b)]));
    expect(add.returnData.equals(g1Bytes(a.add(b)))).toBe(true);
    const k = 0x1234567890abcdef1234567890abcdefn;
    const mul = probe(3, Buffer.concat([Buffer.from([2]), g1Bytes(a), be32(k)]));
    expect(mul.returnData.equals(g1Bytes(a.multiply(k)))).toBe(true);
  });

  it('alt_bn128 pairing returns 1 for e(P,Q)·e(-P,Q) and 0 otherwise', () => {
    const P = bn254.G1.ProjectivePoint.BASE.multiply(5n);
    const Q = bn254.G2.ProjectivePoint.BASE.multiply(3n);
    const q = Q.toAffine();
    const g2 = Buffer.concat([be32(q.x.c1), be32(q.x.c0), be32(q.y.c1), be32(q.y.c0)]);
    const ok = probe(3, Buffer.concat([Buffer.from([3]), g1Bytes(P), g2, g1Bytes(P.negate()), g2]));
    expect(BigInt('0x' + ok.returnData.toString('hex'))).toBe(1n);
    const bad = probe(3, Buffer.concat([Buffer.from([3]), g1Bytes(P), g2, g1Bytes(P), g2]));
    expect(BigInt('0x' + bad.returnData.toString('hex'))).toBe(0n);
  });

  it('alt_bn128 G1 and G2 decompression', () => {
    const P = bn254.G1.ProjectivePoint.BASE.multiply(123456789n).toAffine();
    // Compressed: x big-endian, top bit of the first byte set when y is the larger root.
    const gx = be32(P.x);
    if (P.y > P_FIELD - P.y) gx[0]! |= 0x80;
    const g1 = probe(4, Buffer.concat([Buffer.from([1]), gx]));
    expect(g1.returnData.equals(Buffer.concat([be32(P.x), be32(P.y)]))).toBe(true);

    const Q = bn254.G2.ProjectivePoint.BASE.multiply(987654321n).toAffine();
    const negY = { c0: (P_FIELD - Q.y.c0) % P_FIELD, c1: (P_FIELD - Q.y.c1) % P_FIELD };
    const larger = Q.y.c1 !== negY.c1 ? Q.y.c1 > negY.c1 : Q.y.c0 > negY.c0;
    const qx = Buffer.concat([be32(Q.x.c1), be32(Q.x.c0)]);
    if (larger) qx[0]! |= 0x80;
    const g2 = probe(4, Buffer.concat([Buffer.from([3]), qx]));
    expect(
      g2.returnData.equals(Buffer.concat([be32(Q.x.c1), be32(Q.x.c0), be32(Q.y.c1), be32(Q.y.c0)])),
    ).toBe(true);
  });

  it('CPI into probe-callee with a PDA signer', () => {
    const [pda] = PublicKey.findProgramAddressSync(
      [Buffer.from('probe-signer')],
      TOOLCHAIN_PROBE_PROGRAM_ID,
    );
    const r = probe(5, Buffer.from('ping'), [
      { pubkey: pda, isSigner: false, isWritable: false },
      { pubkey: PROBE_CALLEE_PROGRAM_ID, isSigner: false, isWritable: false },
    ]);
    // The callee returns the signer it saw, then the payload.
    expect(r.returnData.subarray(0, 32).equals(pda.toBuffer())).toBe(true);
    expect(r.returnData.subarray(32).toString()).toBe('ping');
    expect(
      r.logs.some((l) => l.startsWith(`Program ${PROBE_CALLEE_PROGRAM_ID.toBase58()} invoke [2]`)),
    ).toBe(true);
  });

  it('CPI with a PDA the program cannot sign for is rejected', () => {
    const wrong = Keypair.generate().publicKey;
    expect(() =>
      probe(5, Buffer.from('ping'), [
        { pubkey: wrong, isSigner: false, isWritable: false },
        { pubkey: PROBE_CALLEE_PROGRAM_ID, isSigner: false, isWritable: false },
      ]),
    ).toThrow(/InvalidSeeds|Transaction failed/);
  });

  it('reads a two-signature Ed25519 precompile instruction through the instructions sysvar', () => {
    const message = randomBytes(180);
    const keys = [randomBytes(32), randomBytes(32)];
    const entries = keys.map((seed) => {
      const key = new DeviceEd25519Key(seed);
      return { publicKey: key.publicKey, signature: key.sign(message) };
    });
    const pre = [ed25519MultiSigInstruction(entries, message)];
    const r = probe(
      6,
      Buffer.from([0]),
      [{ pubkey: SYSVAR_INSTRUCTIONS_PUBKEY, isSigner: false, isWritable: false }],
      pre,
    );
    expect(r.returnData[0]).toBe(2);
    expect(r.returnData.subarray(1, 33).equals(Buffer.from(entries[0]!.publicKey))).toBe(true);
    expect(r.returnData.readUInt16LE(33)).toBe(180);
    expect(r.returnData.subarray(35, 67).equals(Buffer.from(entries[1]!.publicKey))).toBe(true);
  });

  it('the Ed25519 precompile rejects a wrong signature before any program runs', () => {
    const message = randomBytes(32);
    const key = new DeviceEd25519Key();
    const sig = key.sign(message);
    sig[0]! ^= 1;
    const pre = [
      ed25519MultiSigInstruction([{ publicKey: key.publicKey, signature: sig }], message),
    ];
    expect(() =>
      probe(
        6,
        Buffer.from([0]),
        [{ pubkey: SYSVAR_INSTRUCTIONS_PUBKEY, isSigner: false, isWritable: false }],
        pre,
      ),
    ).toThrow();
  });

  it('trait objects, heap, core::fmt with &str, jump tables, 64-bit division', () => {
    const r = probe(7, Buffer.from([3, 2]));
    expect(r.returnData.toString()).toBe('n=3 total=21 sum=33 word=two overflow=true q=5250015');
    expect(r.logs).toContain('Program log: n=3 total=21 sum=33 word=two overflow=true q=5250015');
  });

  it('a failed chain call reports a typed error', () => {
    try {
      probe(99, Buffer.alloc(0));
      expect.unreachable();
    } catch (e) {
      expect(isChainError(e)).toBe(true);
    }
  });
});
