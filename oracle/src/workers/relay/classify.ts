/**
 * What a failed send means for the relay job: a program error is a dead letter (its name and
 * code through the IDL), except the few that a rebuilt transaction can fix; network and
 * blockhash errors are transient, and RPC faults that outlast every attempt end as
 * `RPC_UNAVAILABLE`.
 */
import {
  attributeProgramError,
  isRpcUnavailable,
  isTransientChainError,
  type DeadLetterReason,
  type ProgramIds,
} from '@zkpin/sdk';
import { errorMessage, type ExhaustedReason } from '../errors.ts';

export type SendFailure = {
  /** What the job log says: `<program>: <Error> (<code>)`, or the error's message. */
  summary: string;
} & (
  | { kind: 'dead_letter'; code: DeadLetterReason; message: string }
  | {
      kind: 'transient';
      message: string;
      /** The record tree used is full or not the network's: set it aside, read the list again. */
      refreshRecordTree?: boolean;
      /** The dead-letter reason when no attempt is left (default RETRIES_EXHAUSTED). */
      exhausted?: ExhaustedReason;
    }
);

/** Classifies the error of sending reading `seq` of `deviceHex`. */
export function classifySendError(
  e: unknown,
  deviceHex: string,
  seq: bigint,
  ids?: ProgramIds,
): SendFailure {
  const msg = errorMessage(e);
  const logs = (e as { logs?: unknown } | undefined)?.logs;
  const attributed = Array.isArray(logs) ? attributeProgramError(logs as string[], ids) : undefined;
  if (attributed) {
    const summary = `${attributed.program}: ${attributed.name ?? '?'} (${attributed.code})`;
    const name = `${attributed.program}: ${attributed.name ?? 'unknown error'} (${attributed.code})`;
    switch (attributed.name) {
      case 'DeviceRevoked':
        return {
          summary,
          kind: 'dead_letter',
          code: 'DEVICE_REVOKED',
          message: `${name}: device ${deviceHex} is revoked`,
        };
      case 'StaleSeq':
      case 'SeqMismatch':
        return {
          summary,
          kind: 'dead_letter',
          code: 'STALE_SEQ',
          message: `${name}: device ${deviceHex} already has a seq at or above ${seq} (a later reading was recorded first)`,
        };
      case 'InvalidDeviceProof':
        // The leaf changed under us (another relayer, a transfer): rebuild from the replica.
        return {
          summary,
          kind: 'transient',
          message: `${name}: the device leaf changed since the proof was built`,
        };
      case 'WrongRecordTree':
        return {
          summary,
          kind: 'transient',
          message: `${name}: the record tree is not one of the network's`,
          refreshRecordTree: true,
        };
      case 'RecordTreeFull':
        return {
          summary,
          kind: 'transient',
          message: `${name}: the record tree is full; the next attempt takes another of the network's record trees`,
          refreshRecordTree: true,
        };
      default:
        return {
          summary,
          kind: 'dead_letter',
          code: 'PROGRAM_REJECTED',
          message: `${name}${attributed.msg ? `: ${attributed.msg}` : ''}`,
        };
    }
  }
  if (/too large/i.test(msg))
    return {
      summary: msg,
      kind: 'dead_letter',
      code: 'PROGRAM_REJECTED',
      message: `${msg} (use a lookup table: createRelayerLookupTable)`,
    };
  if (isTransientChainError(e))
    return {
      summary: msg,
      kind: 'transient',
      message: `chain: ${msg}`,
      exhausted: isRpcUnavailable(e) ? 'RPC_UNAVAILABLE' : undefined,
    };
  return { summary: msg, kind: 'dead_letter', code: 'PROGRAM_REJECTED', message: msg };
}
