/** Sending a relay job's transaction and accounting for a confirmed one. */
import type { Keypair, Transaction, VersionedTransaction } from '@solana/web3.js';
import type { Job } from 'bullmq';
import type { Chain, RelayJob } from '@zkpin/sdk';
import type { OracleMetrics } from '../metrics.ts';

export interface RelayResult {
  outcome: 'recorded' | 'already_recorded';
  signature?: string;
  computeUnits?: number;
  relayMs?: number;
}

/** Sends and confirms `tx`; a failure is thrown as the chain reported it (see classify.ts). */
export async function sendAttestation(
  chain: Chain,
  tx: Transaction | VersionedTransaction,
  submitter: Keypair,
  job: Job,
  r: RelayJob,
  metrics: OracleMetrics,
): Promise<RelayResult> {
  const started = performance.now();
  const res = await chain.send(tx, [submitter]);
  const relayMs = performance.now() - started;
  metrics.relaySeconds.observe(relayMs / 1000);
  metrics.computeUnits.observe(res.computeUnits);
  metrics.endToEndSeconds.observe((Date.now() - r.acceptedAt) / 1000);
  metrics.relayed.inc({ outcome: 'recorded' });
  await job.log(`recorded: ${res.signature} (${res.computeUnits} CU, ${relayMs.toFixed(0)} ms)`);
  return {
    outcome: 'recorded',
    signature: res.signature,
    computeUnits: res.computeUnits,
    relayMs: Math.round(relayMs),
  };
}
