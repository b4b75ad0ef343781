/**
 * BN254 scalar-field helpers shared by the circuit inputs, the public input `P` and the
 * Solana program (docs/contracts.md, "Field elements").
 */

/** BN254 scalar field modulus r. */
export const BN254_R =
  21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/** BN254 base field modulus q (curve coordinates). */
export const BN254_Q =
  21888242871839275222246405745257275088696311157297823662689037894645226208583n;

/**
 * Order l of BabyJubJub's prime-order subgroup: an EdDSA-Poseidon signature scalar `s` is
 * canonical when `s < l` (circomlib's verifier refuses larger ones).
 */
export const BABYJUB_L =
  2736030358979909402780800718157159386076813972158567259200215660948447373041n;

/** Signed integer → field element: `v` when v ≥ 0, `r - |v|` when v < 0. */
export function signedToField(v: bigint | number): bigint {
  const b = BigInt(v);
  if (b >= BN254_R || -b >= BN254_R)
    throw new RangeError(`integer ${b} does not fit the BN254 scalar field`);
  return b >= 0n ? b : BN254_R + b;
}

/** Inverse of signedToField for values known to be small: elements above r/2 read as negative. */
export function fieldToSigned(f: bigint): bigint {
  if (f < 0n || f >= BN254_R) throw new RangeError('not a canonical field element');
  return f > BN254_R / 2n ? f - BN254_R : f;
}

/** Big-endian unsigned integer of a byte string. */
export function bytesToBigIntBE(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** `v` as `len` bytes big-endian; throws when it does not fit. */
export function bigIntToBytesBE(v: bigint, len = 32): Uint8Array {
  if (v < 0n) throw new RangeError('negative value');
  // One native base-16 conversion and a table-driven hex decode instead of a BigInt shift per
  // byte (on the bridge's per-reading path).
  const hex = v.toString(16);
  if (hex.length > len * 2) throw new RangeError(`value does not fit in ${len} bytes`);
  const out = new Uint8Array(len);
  decodeHexInto(hex.length % 2 === 0 ? hex : '0' + hex, out, len - Math.ceil(hex.length / 2));
  return out;
}

/** A field element as 32 bytes big-endian (the wire form everywhere in zkpin). */
export function fieldToBytes32(f: bigint): Uint8Array {
  if (f < 0n || f >= BN254_R) throw new RangeError('not a canonical field element');
  return bigIntToBytesBE(f, 32);
}

/** 32 big-endian bytes → field element; rejects non-canonical values (≥ r). */
export function bytes32ToField(b: Uint8Array): bigint {
  if (b.length !== 32) throw new RangeError(`expected 32 bytes, got ${b.length}`);
  const v = bytesToBigIntBE(b);
  if (v >= BN254_R) throw new RangeError('not a canonical field element (≥ r)');
  return v;
}

/** Two lower-case hex digits of every byte value. */
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Value of a hex digit by char code (0-9, a-f, A-F), -1 for any other. */
const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_DIGIT['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_DIGIT['0123456789ABCDEF'.charCodeAt(i)] = i;
}

/** Decodes the even-length hex string `hex` into `out` from `offset`; false on a non-hex digit. */
function decodeHexInto(hex: string, out: Uint8Array, offset: number): boolean {
  for (let i = 0, o = offset; i < hex.length; i += 2, o++) {
    const hi = HEX_DIGIT[hex.charCodeAt(i)] ?? -1;
    const lo = HEX_DIGIT[hex.charCodeAt(i + 1)] ?? -1;
    if (hi < 0 || lo < 0) return false;
    out[o] = (hi << 4) | lo;
  }
  return true;
}

/** Lower-case hex without prefix. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += HEX_BYTE[x]!;
  return s;
}

/** Hex (optional 0x) → bytes. */
export function fromHex(h: string): Uint8Array {
  const s = h.startsWith('0x') ? h.slice(2) : h;
  const out = new Uint8Array(s.length >> 1);
  if (s.length % 2 !== 0 || !decodeHexInto(s, out, 0)) throw new RangeError('invalid hex string');
  return out;
}
