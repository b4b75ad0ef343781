/**
 * Whether a reading's BabyJubJub public key is the one the device registered:
 * Poseidon(ax, ay) = the leaf's `bjj_key_hash`. Poseidon costs far more than the rest of the
 * checks, so the hash is computed once per device and key and kept (one key per device: a
 * device that rotates its key, or a forger who varies it, costs one hash per change).
 */
import { bjjKeyHash, bytesToBigIntBE } from '@zkpin/sdk';

export interface BjjKey {
  /** Decimal strings, as in `SignedReadingJson.bjjPublicKey`. */
  ax: string;
  ay: string;
}

export class BjjKeyCheck {
  private readonly hashes = new Map<
    string,
    { ax: string; ay: string; hash: bigint; leaf?: ArrayLike<number>; ok?: boolean }
  >();

  /**
   * True when Poseidon(ax, ay) equals `leafHash` (32 big-endian bytes). Throws RangeError when
   * ax or ay is not a canonical field element.
   */
  matches(deviceHex: string, key: BjjKey, leafHash: ArrayLike<number>): boolean {
    let cached = this.hashes.get(deviceHex);
    if (!cached || cached.ax !== key.ax || cached.ay !== key.ay) {
      cached = { ax: key.ax, ay: key.ay, hash: bjjKeyHash(BigInt(key.ax), BigInt(key.ay)) };
      this.hashes.set(deviceHex, cached);
    }
    if (cached.leaf !== leafHash) {
      // The directory hands out the same leaf object until the device's leaf changes.
      cached.leaf = leafHash;
      cached.ok = cached.hash === bytesToBigIntBE(Uint8Array.from(leafHash));
    }
    return cached.ok === true;
  }
}
