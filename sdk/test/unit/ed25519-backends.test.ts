/**
 * The two ed25519 backends of `Ed25519Verifier` (the native addon and node:crypto) give the
 * same answer for every input: valid signatures, every kind of corruption, non-canonical S,
 * small-order and non-canonical keys (with signatures crafted to pass the cofactorless check),
 * random bytes and wrong lengths. The addon is built by scripts/setup.sh.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
} from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519';
import { describe, expect, it } from 'vitest';
import {
  Ed25519Verifier,
  NATIVE_ED25519_PATH,
  ed25519BackendFromEnv,
  resolveEd25519Backend,
} from '../../src/node/ed25519-verifier.ts';

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const le32 = (x: bigint): Uint8Array => {
  const b = new Uint8Array(32);
  for (let i = 0; i < 32; i++, x >>= 8n) b[i] = Number(x & 0xffn);
  return b;
};
const fromLe = (b: Uint8Array): bigint => b.reduceRight((a, x) => (a << 8n) | BigInt(x), 0n);
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

describe('ed25519 backends', () => {
  it('the native addon is built and chosen by default', () => {
    expect(
      resolveEd25519Backend('native'),
      `the addon ${NATIVE_ED25519_PATH} is missing: run bash scripts/setup.sh`,
    ).toBe('native');
    expect(new Ed25519Verifier(10, 'auto').backend).toBe('native');
    expect(new Ed25519Verifier(10, 'node').backend).toBe('node');
    expect(ed25519BackendFromEnv({})).toBe('auto');
    expect(ed25519BackendFromEnv({ ZKPIN_ED25519_BACKEND: 'node' })).toBe('node');
    expect(() => ed25519BackendFromEnv({ ZKPIN_ED25519_BACKEND: 'fast' })).toThrow(
      /auto, native or node/,
    );
  });

  const native = new Ed25519Verifier(1000, 'native');
  const node = new Ed25519Verifier(1000, 'node');
  /** Both answers; they must agree. */
  const both = (pk: Uint8Array, m: Uint8Array, s: Uint8Array): boolean => {
    const a = native.verify(pk, m, s);
    const b = node.verify(pk, m, s);
    if (a !== b)
      throw new Error(
        `backends disagree (native ${a}, node ${b}) on key ${Buffer.from(pk).toString('hex')} sig ${Buffer.from(s).toString('hex')}`,
      );
    return a;
  };

  it('RFC 8032 test vectors 1 and 2', () => {
    const pk1 = hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
    const sig1 = hex(
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
    );
    expect(both(pk1, new Uint8Array(0), sig1)).toBe(true);
    // Test 2's secret: node:crypto derives the RFC's public key and signs; both verify.
    const seed = hex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
    const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
    const sk = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
    const pk2 = new Uint8Array(
      createPublicKey(sk).export({ format: 'der', type: 'spki' }).subarray(12),
    );
    expect(Buffer.from(pk2).toString('hex')).toBe(
      '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    );
    const sig2 = new Uint8Array(sign(null, hex('72'), sk));
    expect(both(pk2, hex('72'), sig2)).toBe(true);
    expect(both(pk2, hex('73'), sig2)).toBe(false);
  });

  it('valid signatures verify and every corruption is refused, alike', () => {
    let checks = 0;
    for (let k = 0; k < 30; k++) {
      const kp = generateKeyPairSync('ed25519');
      const pk = new Uint8Array(kp.publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
      const m = new Uint8Array(randomBytes(k * 37));
      const s = new Uint8Array(sign(null, m, kp.privateKey));
      expect(both(pk, m, s)).toBe(true);
      for (let bit = k % 3; bit < 512; bit += 3) {
        const t = s.slice();
        t[bit >> 3]! ^= 1 << (bit & 7);
        expect(both(pk, m, t)).toBe(false);
        checks++;
      }
      for (let bit = k % 5; bit < 256; bit += 5) {
        const t = pk.slice();
        t[bit >> 3]! ^= 1 << (bit & 7);
        expect(both(t, m, s)).toBe(false);
        checks++;
      }
      if (m.length > 0) {
        const t = m.slice();
        t[k % m.length]! ^= 0x80;
        expect(both(pk, t, s)).toBe(false);
        expect(both(pk, m.subarray(1), s)).toBe(false);
      }
      // S + L is the same scalar, not canonical: refused (RFC 8032 5.1.7), as S = L.
      const sPlusL = s.slice();
      sPlusL.set(le32(fromLe(s.subarray(32)) + L), 32);
      expect(both(pk, m, sPlusL)).toBe(false);
      const sIsL = s.slice();
      sIsL.set(le32(L), 32);
      expect(both(pk, m, sIsL)).toBe(false);
    }
    expect(checks).toBeGreaterThan(5000);
  });

  it('small-order and non-canonical keys get the same answer from both', () => {
    // The eight small-order points, and y = p, p + 1 (non-canonical) and x = 0 with the sign bit.
    const keys = [
      '0100000000000000000000000000000000000000000000000000000000000000',
      'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      '0000000000000000000000000000000000000000000000000000000000000080',
      '0000000000000000000000000000000000000000000000000000000000000000',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
      '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
      '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
      'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
      '0100000000000000000000000000000000000000000000000000000000000080',
    ].map(hex);
    let accepted = 0;
    for (const pk of keys)
      for (let i = 0; i < 16; i++) {
        // R = [s]B passes the cofactorless equation whenever [h]A is the identity.
        const s = (fromLe(new Uint8Array(randomBytes(32))) % (L - 1n)) + 1n;
        const sig = new Uint8Array(64);
        sig.set(ed25519.ExtendedPoint.BASE.multiply(s).toRawBytes());
        sig.set(le32(s), 32);
        if (both(pk, new Uint8Array(randomBytes(i)), sig)) accepted++;
        const zero = new Uint8Array(64); // R = identity, S = 0
        zero.set(keys[0]!);
        if (both(pk, new Uint8Array(randomBytes(i)), zero)) accepted++;
      }
    // The identity key accepts such signatures on both (cofactorless RFC 8032, as OpenSSL).
    expect(accepted).toBeGreaterThanOrEqual(32);
  });

  it('random bytes and wrong lengths: the same answer, never a throw', () => {
    for (let i = 0; i < 1000; i++)
      both(
        new Uint8Array(randomBytes(32)),
        new Uint8Array(randomBytes(i % 50)),
        new Uint8Array(randomBytes(64)),
      );
    const kp = generateKeyPairSync('ed25519');
    const pk = new Uint8Array(kp.publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
    const s = new Uint8Array(sign(null, new Uint8Array(0), kp.privateKey));
    for (const [k, sig] of [
      [pk.subarray(0, 31), s],
      [new Uint8Array(33), s],
      [pk, s.subarray(0, 63)],
      [pk, new Uint8Array(65)],
      [new Uint8Array(0), new Uint8Array(0)],
    ] as const)
      expect(both(k, new Uint8Array(0), sig)).toBe(false);
  });

  it('a key cache that fills up is emptied and keeps answering', () => {
    const small = new Ed25519Verifier(4, 'node');
    const kps = Array.from({ length: 10 }, () => generateKeyPairSync('ed25519'));
    for (let round = 0; round < 2; round++)
      for (const kp of kps) {
        const pk = new Uint8Array(
          kp.publicKey.export({ format: 'der', type: 'spki' }).subarray(12),
        );
        const m = new Uint8Array(randomBytes(8));
        const s = new Uint8Array(sign(null, m, kp.privateKey));
        expect(small.verify(pk, m, s)).toBe(true);
        expect(native.verify(pk, m, s)).toBe(true);
      }
  });
});
