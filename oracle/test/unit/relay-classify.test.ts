import { describe, expect, it } from 'vitest';
import {
  ChainError,
  DEVICE_REGISTRY_PROGRAM_ID,
  INFERENCE_ATTESTATION_PROGRAM_ID,
} from '@zkpin/sdk';
import { classifySendError } from '../../src/workers/relay/classify.ts';

const device = 'ab'.repeat(32);

/** A send error as the chains report a program's custom error: a message and the logs. */
function programError(program: { toBase58(): string }, code: number): Error {
  return Object.assign(new Error(`custom program error: 0x${code.toString(16)}`), {
    logs: [
      `Program ${program.toBase58()} invoke [1]`,
      `Program ${program.toBase58()} failed: custom program error: 0x${code.toString(16)}`,
    ],
  });
}

describe('relay send errors', () => {
  it('dead-letters program errors under their IDL name and code', () => {
    const f = classifySendError(programError(INFERENCE_ATTESTATION_PROGRAM_ID, 6008), device, 5n);
    expect(f).toMatchObject({
      kind: 'dead_letter',
      code: 'PROGRAM_REJECTED',
      summary: 'inference_attestation: InvalidProof (6008)',
    });
    expect(f.kind === 'dead_letter' && f.message).toMatch(
      /^inference_attestation: InvalidProof \(6008\)/,
    );
  });

  it('names revoked devices and stale seqs', () => {
    expect(
      classifySendError(programError(DEVICE_REGISTRY_PROGRAM_ID, 6012), device, 5n),
    ).toMatchObject({ kind: 'dead_letter', code: 'DEVICE_REVOKED' });
    const stale = classifySendError(
      programError(INFERENCE_ATTESTATION_PROGRAM_ID, 6018),
      device,
      5n,
    );
    expect(stale).toMatchObject({ kind: 'dead_letter', code: 'STALE_SEQ' });
    expect(stale.kind === 'dead_letter' && stale.message).toContain('at or above 5');
  });

  it('retries what a rebuilt transaction can fix; a rotated record tree is read again', () => {
    expect(
      classifySendError(programError(DEVICE_REGISTRY_PROGRAM_ID, 6024), device, 5n),
    ).toMatchObject({ kind: 'transient', summary: 'device_registry: InvalidDeviceProof (6024)' });
    const rotated = classifySendError(
      programError(INFERENCE_ATTESTATION_PROGRAM_ID, 6015),
      device,
      5n,
    );
    expect(rotated).toMatchObject({ kind: 'transient', refreshRecordTree: true });
    // A full record tree (device_registry's RecordTreeFull 6019, raised in the CPI): the next
    // attempt takes another of the network's record trees.
    const full = classifySendError(programError(DEVICE_REGISTRY_PROGRAM_ID, 6019), device, 5n);
    expect(full).toMatchObject({
      kind: 'transient',
      refreshRecordTree: true,
      summary: 'device_registry: RecordTreeFull (6019)',
    });
  });

  it('retries network errors, dead-letters oversized transactions', () => {
    expect(classifySendError(new Error('fetch failed: ECONNREFUSED'), device, 5n)).toMatchObject({
      kind: 'transient',
      message: 'chain: fetch failed: ECONNREFUSED',
      exhausted: 'RPC_UNAVAILABLE',
    });
    const big = classifySendError(new Error('Transaction too large: 1300 > 1232'), device, 5n);
    expect(big).toMatchObject({ kind: 'dead_letter', code: 'PROGRAM_REJECTED' });
    expect(big.kind === 'dead_letter' && big.message).toMatch(/createRelayerLookupTable/);
  });

  it("retries the RPC path's own ChainErrors, ending as RPC_UNAVAILABLE; a refusal with logs is the program's", () => {
    for (const code of [
      'CHAIN_RPC_UNAVAILABLE',
      'CHAIN_CONFIRM_TIMEOUT',
      'CHAIN_BLOCKHASH_EXPIRED',
    ] as const) {
      const e = new ChainError(`${code}: JSON-RPC sendTransaction: HTTP 503`, [], {}, code);
      expect(classifySendError(e, device, 5n)).toMatchObject({
        kind: 'transient',
        exhausted: 'RPC_UNAVAILABLE',
      });
    }
    const refused = programError(INFERENCE_ATTESTATION_PROGRAM_ID, 6008);
    const e = new ChainError(refused.message, (refused as Error & { logs: string[] }).logs, {});
    expect(classifySendError(e, device, 5n)).toMatchObject({
      kind: 'dead_letter',
      code: 'PROGRAM_REJECTED',
    });
  });
});
