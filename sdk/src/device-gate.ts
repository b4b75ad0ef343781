/**
 * The device gate: whether a reading may go on, given the device's leaf as the network
 * replica knows it. The bridge, the prover worker and the relayer all ask this one function,
 * so a bad reading gets the same reason whichever stage sees it first.
 *
 * One order, what already happened on-chain first: the device is known; the reading's seq is
 * above the leaf's (a lower or equal one was recorded, or was overtaken: each stage decides
 * which from `DeviceDirectory.isRecorded`); the device is active; the reading names the
 * device's model and has that model's window; its BabyJubJub key hashes to the leaf's `bjj_key_hash`.
 */
import type { BabyJubPublicKey } from './device-keys.ts';
import { bytesToBigIntBE } from './field.ts';
import type { DeviceDirectory } from './network-follower.ts';
import { bjjKeyHash } from './poseidon.ts';
import { DEVICE_STATUS_ACTIVE } from '../../idls/constants.ts';

/** The gate's reasons, in the order it checks them. */
export const DEVICE_GATE_REJECTIONS = {
  UNKNOWN_DEVICE: 'the device is not registered in this network',
  REPLAYED_SEQ: "the reading's seq is not above the device's on-chain seq",
  DEVICE_REVOKED: 'the device is revoked; its readings are no longer attested',
  MODEL_MISMATCH: 'the reading names another model than the one the device is registered with',
  WINDOW_MISMATCH: "the reading's window does not have its model's number of readings",
  BJJ_KEY_MISMATCH: "the reading's BabyJubJub key does not hash to the device's bjj_key_hash",
} as const;
export type DeviceGateCode = keyof typeof DEVICE_GATE_REJECTIONS;

export interface DeviceGateRejection {
  code: DeviceGateCode;
  /** What was wrong, with the values involved. */
  message: string;
  /** The device leaf's seq (decimal), when the device is known. */
  leafSeq?: bigint;
}

/** What the gate looks at in a reading; model and key are checked only when given. */
export interface GateReading {
  /** The device's ed25519 key, lower-case hex (the directory's key). */
  deviceHex: string;
  seq: bigint;
  modelId?: number;
  /** Number of readings in the window (checked against the model's window when both are known). */
  windowLength?: number;
  bjjPublicKey?: BabyJubPublicKey;
}

interface KeyHash {
  ax: bigint;
  ay: bigint;
  hash: bigint;
  /** The leaf hash it was last compared with (the directory hands out one array per leaf version). */
  leaf?: ArrayLike<number>;
  ok?: boolean;
}

export class DeviceGate {
  /**
   * Poseidon(ax, ay) costs far more than the other checks: it is computed once per device and
   * key and kept (a device that changes its key, or a forger who varies it, costs one hash
   * per change).
   */
  private readonly keyHashes = new Map<string, KeyHash>();

  constructor(
    readonly directory: DeviceDirectory,
    /** Devices whose key hash is kept; the cache is emptied when it would grow past this. */
    readonly maxCachedKeys = 100_000,
    /** Each model's window (model id → readings), from the deployment manifest's models. */
    readonly modelWindows: ReadonlyMap<number, number> = new Map(),
  ) {}

  /** The first rule `r` breaks, or undefined when it may go on. */
  check(r: GateReading): DeviceGateRejection | undefined {
    const entry = this.directory.device(r.deviceHex);
    if (!entry) {
      return {
        code: 'UNKNOWN_DEVICE',
        message: `device ${r.deviceHex} is not registered in this network`,
      };
    }
    const { leaf } = entry;
    const leafSeq = BigInt(leaf.seq.toString());
    if (r.seq <= leafSeq) {
      return {
        code: 'REPLAYED_SEQ',
        message: `seq ${r.seq} is not above device ${r.deviceHex}'s on-chain seq ${leafSeq}`,
        leafSeq,
      };
    }
    if (leaf.status !== DEVICE_STATUS_ACTIVE) {
      return {
        code: 'DEVICE_REVOKED',
        message: `device ${r.deviceHex} is not active (status ${leaf.status}); its readings are no longer attested`,
        leafSeq,
      };
    }
    if (r.modelId !== undefined && r.modelId !== leaf.modelId) {
      return {
        code: 'MODEL_MISMATCH',
        message: `the reading is for model ${r.modelId}; device ${r.deviceHex} is registered with model ${leaf.modelId}`,
        leafSeq,
      };
    }
    const window = this.modelWindows.get(leaf.modelId);
    if (r.windowLength !== undefined && window !== undefined && r.windowLength !== window) {
      return {
        code: 'WINDOW_MISMATCH',
        message: `the reading has ${r.windowLength} readings; model ${leaf.modelId} takes a window of ${window}`,
        leafSeq,
      };
    }
    if (r.bjjPublicKey && !this.sameKey(r.deviceHex, r.bjjPublicKey, leaf.bjjKeyHash)) {
      return {
        code: 'BJJ_KEY_MISMATCH',
        message: `the reading's BabyJubJub key does not hash to device ${r.deviceHex}'s registered bjj_key_hash`,
        leafSeq,
      };
    }
    return undefined;
  }

  private sameKey(deviceHex: string, key: BabyJubPublicKey, leafHash: ArrayLike<number>): boolean {
    let cached = this.keyHashes.get(deviceHex);
    if (!cached || cached.ax !== key.ax || cached.ay !== key.ay) {
      if (!cached && this.keyHashes.size >= this.maxCachedKeys) this.keyHashes.clear();
      cached = { ax: key.ax, ay: key.ay, hash: bjjKeyHash(key.ax, key.ay) };
      this.keyHashes.set(deviceHex, cached);
    }
    if (cached.leaf !== leafHash) {
      cached.leaf = leafHash;
      cached.ok = cached.hash === bytesToBigIntBE(Uint8Array.from(leafHash));
    }
    return cached.ok === true;
  }
}
