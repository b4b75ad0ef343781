/**
 * The device checks at the start of a prove or relay job, in one place and one order:
 * unknown device → already at or past the job's seq (recorded, or stale) → revoked → proceed.
 * Only the wording of two reasons differs between the stages.
 */
import { DEVICE_STATUS_ACTIVE, type DeviceDirectory } from '@zkpin/sdk';

type DeviceEntry = NonNullable<ReturnType<DeviceDirectory['device']>>;

/** The directory a verdict reads: a NetworkFollower, or any directory of device leaves. */
export interface VerdictDirectory<S extends DeviceEntry> {
  device(deviceHex: string): S | undefined;
  isRecorded?(deviceHex: string, seq: bigint): boolean | undefined;
}

export type DeviceVerdict<S extends DeviceEntry = DeviceEntry> =
  /** The device is active and below the job's seq: prove or record the reading. */
  | { kind: 'proceed'; state: S; leafSeq: bigint }
  /** The reading is on-chain; `known: false` when it predates the replica's recent window. */
  | { kind: 'recorded'; leafSeq: bigint; known: boolean }
  /** A dead letter with this code and message. */
  | { kind: 'reject'; code: 'UNKNOWN_DEVICE' | 'STALE_SEQ' | 'DEVICE_REVOKED'; message: string };

/** A verdict that ends the job (already recorded, or a dead letter). */
export type FinalVerdict = Exclude<DeviceVerdict<never>, { kind: 'proceed' }>;

export type JobStage = 'prove' | 'relay';

export function deviceVerdict<S extends DeviceEntry>(
  directory: VerdictDirectory<S>,
  deviceHex: string,
  seq: bigint,
  stage: JobStage,
): DeviceVerdict<S> {
  const state = directory.device(deviceHex);
  if (!state) {
    return {
      kind: 'reject',
      code: 'UNKNOWN_DEVICE',
      message:
        stage === 'prove'
          ? `device ${deviceHex} is not registered in this network (register it, then retry the job)`
          : `device ${deviceHex} is not in this network's device trees`,
    };
  }
  const leafSeq = BigInt(state.leaf.seq.toString());
  if (leafSeq >= seq) return seqVerdict(directory, deviceHex, leafSeq, seq);
  if (state.leaf.status !== DEVICE_STATUS_ACTIVE) {
    return {
      kind: 'reject',
      code: 'DEVICE_REVOKED',
      message:
        stage === 'prove'
          ? `device ${deviceHex} is revoked; its readings are no longer attested`
          : `device ${deviceHex} was revoked at seq ${leafSeq}; seq ${seq} cannot be recorded`,
    };
  }
  return { kind: 'proceed', state, leafSeq };
}

/**
 * The device is at or past the job's seq: the reading was recorded (a retry after a lost
 * confirmation, a replay), or a later reading was recorded first and this one never can be.
 */
export function seqVerdict(
  directory: Pick<VerdictDirectory<DeviceEntry>, 'isRecorded'>,
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
