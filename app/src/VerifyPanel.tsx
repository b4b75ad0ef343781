/**
 * "Verify": the record's Merkle proof against the root read from the record tree account over
 * the Solana RPC (not from the indexer), and its Groth16 proof against the verifying key read
 * from the model account, with `P` recomputed from the record's public fields
 * (`verifyRecord` in @zkpin/sdk). Shows each step, its result and time.
 */
import { useEffect, useState } from 'react';
import { useConnection } from '@solana/wallet-adapter-react';
import {
  verifyRecord,
  type IndexedDevice,
  type IndexedRecord,
  type RecordVerification,
} from '@zkpin/sdk';
import { useApp } from './context.ts';
import { message } from './format.ts';

const NAMES: Record<string, string> = {
  record: 'Record matches its leaf and attestation',
  merkle: 'Leaf is in the on-chain record tree',
  publicInput: 'Public input P follows from the record',
  groth16: 'Zero-knowledge proof verifies under the model key',
};

export function VerifyPanel({ record, device }: { record: IndexedRecord; device: IndexedDevice }) {
  const { indexer, config } = useApp();
  const { connection } = useConnection();
  const [result, setResult] = useState<RecordVerification | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    (async () => {
      // The answers as served (`call`: schema-checked only): every check is verifyRecord's,
      // so a wrong answer is shown at the step that catches it.
      const [proof, attestation] = await Promise.all([
        indexer.call('getRecordProof', { device: record.device, seq: record.seq }),
        indexer.call('getAttestation', { device: record.device, seq: record.seq }),
      ]);
      return verifyRecord({
        network: config.network,
        programIds: config.programIds,
        record: proof.value.record,
        proof: proof.value.proof,
        attestation: attestation.value,
        bjjKeyHash: device.bjjKeyHash,
        reader: connection,
      });
    })().then(
      (v) => live && setResult(v),
      (e: unknown) => live && setError(message(e)),
    );
    return () => {
      live = false;
    };
    // Keyed by what it reads, not by the objects: the page re-reads the device and its
    // records every few seconds, and an open verdict must not reset (and verify again) then.
  }, [record.device, record.seq, device.bjjKeyHash, indexer, config, connection]);
  if (error)
    return (
      <p role="alert" className="error">
        Could not verify: {error}
      </p>
    );
  if (!result)
    return (
      <p className="muted" aria-live="polite">
        Verifying in this browser…
      </p>
    );
  return (
    <div className="verify" aria-live="polite">
      <p className={result.valid ? 'verdict valid' : 'verdict invalid'}>
        {result.valid ? 'Valid' : `Invalid: ${NAMES[result.failed!] ?? result.failed} — failed`}{' '}
        <span className="muted">({result.ms.toFixed(0)} ms)</span>
      </p>
      <ol className="checks">
        {result.checks.map((c) => (
          <li key={c.check} className={c.ok === null ? 'skipped' : c.ok ? 'ok' : 'failed'}>
            <strong>
              {c.ok === null ? '–' : c.ok ? '✓' : '✗'} {NAMES[c.check]}
            </strong>{' '}
            <span className="muted">{c.ms.toFixed(0)} ms</span>
            <div className="detail">{c.detail}</div>
          </li>
        ))}
      </ol>
    </div>
  );
}
