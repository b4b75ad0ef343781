/**
 * The workers' reading of the sdk's device gate (`DeviceGate`, one order of checks for every
 * stage): proceed; or "already recorded" (the seq is on-chain: nothing to do, the job
 * succeeds); or a dead letter with the gate's reason, `STALE_SEQ` when a later reading was
 * recorded first and this one never can be.
 */
import type { DeviceDirectory, DeviceGate, GateDeadLetter, GateReading } from '@zkpin/sdk';

export type DeviceVerdict =
  /** The device is active and below the job's seq: prove or record the reading. */
  | { kind: 'proceed'; leafSeq: bigint }
  /** The reading is on-chain; `known: false` when it predates the replica's recent window. */
  | { kind: 'recorded'; leafSeq: bigint; known: boolean }
  /** A dead letter with this code and message. */
  | { kind: 'reject'; code: GateDeadLetter | 'STALE_SEQ'; message: string };

/** A verdict that ends the job (already recorded, or a dead letter). */
export type FinalVerdict = Exclude<DeviceVerdict, { kind: 'proceed' }>;

export function deviceVerdict(gate: DeviceGate, r: GateReading): DeviceVerdict {
  const rejected = gate.check(r);
  if (!rejected) {
    const leaf = gate.directory.device(r.deviceHex)!.leaf;
    return { kind: 'proceed', leafSeq: BigInt(leaf.seq.toString()) };
  }
  if (rejected.code !== 'REPLAYED_SEQ')
    return { kind: 'reject', code: rejected.code, message: rejected.message };
  return seqVerdict(gate.directory, r.deviceHex, rejected.leafSeq!, r.seq);
}

/**
 * The device is at or past the job's seq: the reading was recorded (a retry after a lost
 * confirmation, a replay), or a later reading was recorded first and this one never can be.
 */
export function seqVerdict(
  directory: Pick<DeviceDirectory, 'isRecorded'>,
  deviceHex: string,
  leafSeq: bigint,
  seq: bigint,
): FinalVerdict {
  const recorded = directory.isRecorded?.(deviceHex, seq);
  if (recorded === false) {
    return {
      kind: 'reject',
      code: 'STALE_SEQ',
      message: `device ${deviceHex} is at seq ${leafSeq} and seq ${seq} was never recorded (a later reading was recorded first)`,
    };
  }
  return { kind: 'recorded', leafSeq, known: recorded === true };
}
