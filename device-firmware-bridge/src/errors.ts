/**
 * Why the bridge turns a message away. Every code is stable: responses, logs and the
 * `zkpin_bridge_rejected_total{reason}` metric key on it.
 */
import type { DeviceGateCode } from '@zkpin/sdk';

export const REJECT_REASONS = {
  TOO_LARGE: { status: 413, message: 'the message is larger than the bridge accepts' },
  MALFORMED_JSON: { status: 400, message: 'the body is not valid JSON' },
  SCHEMA_INVALID: {
    status: 400,
    message: 'the reading does not match the SignedReadingJson schema',
  },
  UNSIGNED: { status: 401, message: 'the reading carries no ed25519Signature' },
  TOPIC_MISMATCH: {
    status: 400,
    message: "the MQTT topic's device differs from the payload's device",
  },
  WRONG_NETWORK: { status: 400, message: 'the reading is for another network' },
  UNKNOWN_DEVICE: { status: 404, message: 'the device is not registered in this network' },
  BAD_SIGNATURE: {
    status: 401,
    message: 'the ed25519 signature does not verify over the canonical reading bytes',
  },
  DEVICE_REVOKED: { status: 403, message: 'the device is revoked' },
  MODEL_MISMATCH: {
    status: 422,
    message: "the reading's model id differs from the device's registered model",
  },
  WINDOW_MISMATCH: {
    status: 422,
    message: "the reading's window does not have its model's number of readings",
  },
  TIMESTAMP_OUT_OF_RANGE: {
    status: 422,
    message:
      "the reading's timestamp is too far in the past or the future; check the device's clock",
  },
  BJJ_KEY_MISMATCH: {
    status: 401,
    message: "Poseidon(bjjPublicKey) is not the device's registered bjj_key_hash",
  },
  SEQ_CONFLICT: {
    status: 409,
    message: 'another reading with this seq was already accepted for the device',
  },
  REPLAYED_SEQ: {
    status: 409,
    message: "seq is below the device's last accepted seq, or not above its on-chain seq",
  },
  RATE_LIMITED: { status: 429, message: 'the device sends faster than its rate limit' },
  BACKPRESSURE: { status: 503, message: 'the prove queue is full; retry later' },
  UNAVAILABLE: {
    status: 503,
    message: 'the bridge cannot reach Redis or is shutting down; retry later',
  },
} as const;

export type RejectReason = keyof typeof REJECT_REASONS;

// Every reason of the sdk's device gate is a bridge reason (with its HTTP status).
REJECT_REASONS satisfies Record<DeviceGateCode, { status: number; message: string }>;
export const REJECT_REASON_CODES = Object.keys(REJECT_REASONS) as RejectReason[];

/**
 * Outcomes that say nothing about the message: the same message may be accepted later. HTTP
 * answers them with `retry-after`; MQTT keeps the message unacknowledged and retries it.
 */
export function isTransient(reason: RejectReason): boolean {
  return reason === 'BACKPRESSURE' || reason === 'UNAVAILABLE';
}

export class BridgeRejection extends Error {
  override name = 'BridgeRejection';
  constructor(
    readonly code: RejectReason,
    message: string = REJECT_REASONS[code].message,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
  }
  get status(): number {
    return REJECT_REASONS[this.code].status;
  }
}

export function isBridgeRejection(e: unknown, code?: RejectReason): e is BridgeRejection {
  return e instanceof BridgeRejection && (code === undefined || e.code === code);
}

/** A configuration or start-up failure of the bridge itself. */
export class BridgeError extends Error {
  override name = 'BridgeError';
  constructor(
    readonly code:
      'CONFIG_INVALID' | 'REDIS_UNREACHABLE' | 'MQTT_UNREACHABLE' | 'HTTP_LISTEN_FAILED',
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(`${code}: ${message}`);
  }
}

export function isBridgeError(e: unknown): e is BridgeError {
  return e instanceof BridgeError;
}
