/**
 * The bridge's synchronous checks on one message, cheapest first: size, JSON, the one
 * reading parser (`signedReadingSchema`), topic, network, timestamp window, device known;
 * then, after the ed25519 signature (verified by the caller, off the event loop), the sdk's
 * device gate (seq above the on-chain seq, device active, model, BabyJubJub key). Stateful
 * checks (seq order, duplicates, rate, backpressure) happen in Redis (admission.ts).
 */
import {
  DeviceGate,
  describeIssue,
  encodeReadingMessage,
  signedReadingSchema,
  type DeviceDirectory,
  type SignedReading,
  type SignedReadingJson,
} from '@zkpin/sdk';
import { BridgeRejection } from './errors.ts';

export type { DeviceDirectory } from '@zkpin/sdk';

/** A message that passed the checks before its signature. */
export interface CheckedReading {
  /** The reading as the device sent it (valid: it is what the prove job carries). */
  json: SignedReadingJson;
  reading: SignedReading;
  deviceHex: string;
  /** Canonical decimal seq. */
  seq: string;
  /** The 294 + n signed bytes. */
  message: Uint8Array;
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

export class ReadingValidator {
  private readonly gate: DeviceGate;

  constructor(
    readonly networkHex: string,
    readonly directory: DeviceDirectory,
    readonly maxMessageBytes: number,
    readonly window: TimestampWindow,
    modelWindows?: ReadonlyMap<number, number>,
  ) {
    this.gate = new DeviceGate(directory, undefined, modelWindows);
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
    const parsed = signedReadingSchema.safeParse(json);
    if (!parsed.success) {
      if (typeof json === 'object' && json !== null && !('ed25519Signature' in json)) {
        throw new BridgeRejection('UNSIGNED');
      }
      throw new BridgeRejection(
        'SCHEMA_INVALID',
        `the reading does not match the SignedReadingJson schema: ${describeIssue(parsed.error)}`,
      );
    }
    // The schema is strict and admits one encoding per value: `json` is the reading as parsed.
    const valid = json as SignedReadingJson;
    const reading = parsed.data;
    const deviceHex = valid.device;
    const seq = valid.seq;
    const ctx = { device: deviceHex, seq };
    if (topicDevice !== undefined && topicDevice !== deviceHex) {
      throw new BridgeRejection(
        'TOPIC_MISMATCH',
        `topic device ${topicDevice} differs from payload device ${deviceHex}`,
        ctx,
      );
    }
    if (valid.network !== this.networkHex) {
      throw new BridgeRejection(
        'WRONG_NETWORK',
        `the reading is for network ${valid.network}, this bridge serves ${this.networkHex}`,
        ctx,
      );
    }
    this.checkTimestamp(reading.timestamp, ctx);
    // The gate's first rule, before a signature is spent on a device nobody registered.
    if (!this.directory.device(deviceHex)) {
      throw new BridgeRejection(
        'UNKNOWN_DEVICE',
        `device ${deviceHex} is not registered in this network`,
        ctx,
      );
    }
    return { json: valid, reading, deviceHex, seq, message: encodeReadingMessage(reading) };
  }

  /** The checks after a good signature: the device gate. */
  finish(c: CheckedReading): ValidReading {
    const { reading, deviceHex, seq } = c;
    const rejected = this.gate.check({
      deviceHex,
      seq: reading.seq,
      modelId: reading.modelId,
      windowLength: reading.readings.length,
      bjjPublicKey: reading.bjjPublicKey,
    });
    if (rejected)
      throw new BridgeRejection(rejected.code, rejected.message, { device: deviceHex, seq });
    return { reading: c.json, deviceHex, seq };
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
}
