/**
 * The workers' reading of the sdk's device gate: go on, or "already recorded" (the seq is
 * on-chain: nothing to do, the job succeeds), or a dead letter with the gate's reason
 * (`STALE_SEQ` when a later reading was recorded first, so this seq never can be).
 */
import type { DeviceGate, GateReading } from '@zkpin/sdk';
import { deadLetter } from './errors.ts';

export type DeviceVerdict = { go: true } | { go: false; leafSeq: bigint };

export function deviceVerdict(gate: DeviceGate, r: GateReading): DeviceVerdict {
  const rejected = gate.check(r);
  if (!rejected) return { go: true };
  if (rejected.code !== 'REPLAYED_SEQ') throw deadLetter(rejected.code, rejected.message);
  const leafSeq = rejected.leafSeq!;
  if (gate.directory.isRecorded?.(r.deviceHex, r.seq) === false) {
    throw deadLetter(
      'STALE_SEQ',
      `device ${r.deviceHex} is at seq ${leafSeq} and seq ${r.seq} was never recorded (a later reading was recorded first)`,
    );
  }
  return { go: false, leafSeq };
}
