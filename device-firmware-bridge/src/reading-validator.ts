/**
 * The bridge's synchronous checks on one message, cheapest first: size, JSON, schema,
 * topic, network, timestamp window, device known, ed25519 over the canonical bytes
 * (node:crypto, the device's public key cached as a KeyObject), device active, model id,
 * BabyJubJub key = the leaf's, seq above the on-chain seq. Stateful checks (seq order,
 * duplicates, rate, backpressure) happen in Redis (admission.ts).
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import {
  DEVICE_STATUS_ACTIVE,
  encodeReadingMessage,
  signedReadingJsonSchema,
  type DeviceDirectory,
  type SignedReadingJson,
} from '@zkpin/sdk';
import { BjjKeyCheck } from './bjj-key-check.ts';
import { BridgeRejection } from './errors.ts';

export type { DeviceDirectory } from '@zkpin/sdk';

/** A message that passed the checks before its signature. */
export interface CheckedReading {
  reading: SignedReadingJson;
  deviceHex: string;
  seq: string;
  device: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
  entry: NonNullable<ReturnType<DeviceDirectory['device']>>;
}

export interface ValidReading {
  reading: SignedReadingJson;
  deviceHex: string;
  /** Canonical decimal seq (no leading zeros). */
  seq: string;
}

/** The accepted window for a reading's timestamp around the bridge's clock (spec §8). */
export interface TimestampWindow {
  /** Oldest accepted reading, in seconds before now. */
  maxReadingAgeS: number;
  /** Furthest accepted reading, in seconds after now (device clocks run ahead). */
  maxClockSkewS: number;
}

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * The BabyJubJub key and signature as `encodeReadingMessage` takes them from reading
 * message v2 on (spec §2), where the ed25519 signature covers them too.
 */
function bjjFields(r: SignedReadingJson) {
  return {
    bjjPublicKey: { ax: BigInt(r.bjjPublicKey.ax), ay: BigInt(r.bjjPublicKey.ay) },
    bjjSignature: {
      r8x: BigInt(r.bjjSignature.r8x),
      r8y: BigInt(r.bjjSignature.r8y),
      s: BigInt(r.bjjSignature.s),
    },
  };
}

export class ReadingValidator {
  private readonly keys = new Map<string, KeyObject>();
  private readonly bjjKeys = new BjjKeyCheck();

  constructor(
    readonly networkHex: string,
    readonly directory: DeviceDirectory,
    readonly maxMessageBytes: number,
    readonly window: TimestampWindow,
  ) {}

  /** All checks, inline (tests and simple embedding); throws BridgeRejection with the reason. */
  validate(payload: Buffer | string, topicDevice?: string): ValidReading {
    const c = this.check(payload, topicDevice);
    if (!verify(null, c.message, this.publicKey(c.deviceHex), c.signature)) {
      throw new BridgeRejection('BAD_SIGNATURE', undefined, { device: c.deviceHex, seq: c.seq });
    }
    return this.finish(c);
  }

  /** The checks before the signature: size, JSON, schema, topic, network, time, device known. */
  check(payload: Buffer | string, topicDevice?: string): CheckedReading {
    const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
    if (size > this.maxMessageBytes) {
      throw new BridgeRejection(
        'TOO_LARGE',
        `the message is ${size} bytes; the limit is ${this.maxMessageBytes}`,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
    } catch (e) {
      throw new BridgeRejection(
        'MALFORMED_JSON',
        `the body is not valid JSON: ${(e as Error).message}`,
      );
    }
    const parsed = signedReadingJsonSchema.safeParse(json);
    if (!parsed.success) {
      if (typeof json === 'object' && json !== null && !('ed25519Signature' in json)) {
        throw new BridgeRejection('UNSIGNED');
      }
      const issue = parsed.error.issues[0];
      throw new BridgeRejection(
        'SCHEMA_INVALID',
        `the reading does not match the SignedReadingJson schema: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`,
      );
    }
    const reading = parsed.data;
    const deviceHex = reading.device;
    // The schema admits only canonical decimals in u64 / i64 range.
    const seqN = BigInt(reading.seq);
    const ts = BigInt(reading.timestamp);
    const seq = reading.seq;
    const ctx = { device: deviceHex, seq };
    if (topicDevice !== undefined && topicDevice !== deviceHex) {
      throw new BridgeRejection(
        'TOPIC_MISMATCH',
        `topic device ${topicDevice} differs from payload device ${deviceHex}`,
        ctx,
      );
    }
    if (reading.network !== this.networkHex) {
      throw new BridgeRejection(
        'WRONG_NETWORK',
        `the reading is for network ${reading.network}, this bridge serves ${this.networkHex}`,
        ctx,
      );
    }
    this.checkTimestamp(ts, ctx);
    const entry = this.directory.device(deviceHex);
    if (!entry)
      throw new BridgeRejection(
        'UNKNOWN_DEVICE',
        `device ${deviceHex} is not registered in this network`,
        ctx,
      );

    const device = Buffer.from(deviceHex, 'hex');
    const message = encodeReadingMessage({
      network: Buffer.from(reading.network, 'hex'),
      device,
      seq: seqN,
      timestamp: ts,
      modelId: reading.modelId,
      readings: reading.readings,
      salt: Buffer.from(reading.salt, 'hex'),
      // Signed from reading message v2 on; the v1 encoder ignores them.
      ...bjjFields(reading),
    });
    return {
      reading,
      deviceHex,
      seq,
      device,
      message,
      signature: Buffer.from(reading.ed25519Signature, 'hex'),
      entry,
    };
  }

  /**
   * The checks after a good signature: device active, model id, BabyJubJub key, seq above
   * the on-chain seq.
   */
  finish(c: CheckedReading): ValidReading {
    const { reading, deviceHex, seq, entry } = c;
    const ctx = { device: deviceHex, seq };
    if (entry.leaf.status !== DEVICE_STATUS_ACTIVE) {
      throw new BridgeRejection(
        'DEVICE_REVOKED',
        `device ${deviceHex} is not active (status ${entry.leaf.status})`,
        ctx,
      );
    }
    if (entry.leaf.modelId !== reading.modelId) {
      throw new BridgeRejection(
        'MODEL_MISMATCH',
        `the reading is for model ${reading.modelId}; the device is registered with model ${entry.leaf.modelId}`,
        ctx,
      );
    }
    let sameKey: boolean;
    try {
      sameKey = this.bjjKeys.matches(deviceHex, reading.bjjPublicKey, entry.leaf.bjjKeyHash);
    } catch (e) {
      throw new BridgeRejection(
        'SCHEMA_INVALID',
        `bjjPublicKey is not a BN254 field element pair: ${(e as Error).message}`,
        ctx,
      );
    }
    if (!sameKey) {
      throw new BridgeRejection(
        'BJJ_KEY_MISMATCH',
        `the reading's BabyJubJub key does not hash to device ${deviceHex}'s registered bjj_key_hash`,
        ctx,
      );
    }
    if (BigInt(seq) <= BigInt(entry.leaf.seq.toString())) {
      throw new BridgeRejection(
        'REPLAYED_SEQ',
        `seq ${seq} is not above the device's on-chain seq ${entry.leaf.seq.toString()}`,
        ctx,
      );
    }
    return { reading, deviceHex, seq };
  }

  private checkTimestamp(ts: bigint, ctx: { device: string; seq: string }): void {
    const now = BigInt(Math.floor(Date.now() / 1000));
    const oldest = now - BigInt(this.window.maxReadingAgeS);
    const newest = now + BigInt(this.window.maxClockSkewS);
    if (ts < oldest || ts > newest) {
      throw new BridgeRejection(
        'TIMESTAMP_OUT_OF_RANGE',
        `timestamp ${ts} is outside [now - ${this.window.maxReadingAgeS} s, now + ${this.window.maxClockSkewS} s] = [${oldest}, ${newest}] (bridge clock ${now}); check the device's clock`,
        ctx,
      );
    }
  }

  private publicKey(deviceHex: string): KeyObject {
    let key = this.keys.get(deviceHex);
    if (!key) {
      key = createPublicKey({
        key: Buffer.concat([SPKI_PREFIX, Buffer.from(deviceHex, 'hex')]),
        format: 'der',
        type: 'spki',
      });
      this.keys.set(deviceHex, key);
    }
    return key;
  }
}
