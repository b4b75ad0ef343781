/**
 * Sending a relay job's transaction and accounting for a confirmed one. The version the chain
 * signs is kept in the job's progress (`inFlight`) before it is broadcast, so that the next
 * attempt (or another relayer taking the job over) follows that version to its end instead of
 * signing a second live one (`SendOptions` in @zkpin/sdk).
 */
import type { Keypair, Transaction, VersionedTransaction } from '@solana/web3.js';
import type { Job } from 'bullmq';
import { z } from 'zod';
import type { Chain, DeliveryReport, InFlightTransaction, RelayJob } from '@zkpin/sdk';
import { isLastAttempt } from '../errors.ts';
import type { OracleMetrics } from '../metrics.ts';

export interface RelayResult {
  outcome: 'recorded' | 'already_recorded';
  signature?: string;
  computeUnits?: number;
  relayMs?: number;
  /** Broadcasts, fresh blockhashes and retried RPC faults of the send (RPC chains). */
  delivery?: DeliveryReport;
}

const inFlightSchema = z.object({
  signature: z.string().min(64).max(88),
  transaction: z.string().min(1),
  lastValidBlockHeight: z.number().int().nonnegative(),
});

/** The version of the job's transaction that an earlier attempt signed, if any. */
export function inFlightOf(job: Job): InFlightTransaction | undefined {
  const progress = job.progress as { inFlight?: unknown } | null | undefined;
  const parsed = inFlightSchema.safeParse(
    typeof progress === 'object' && progress ? progress.inFlight : undefined,
  );
  return parsed.success ? parsed.data : undefined;
}

/** Adds a send's broadcasts, fresh blockhashes and retried faults to the metrics. */
export function countDelivery(metrics: OracleMetrics, d: DeliveryReport | undefined): void {
  if (!d) return;
  metrics.broadcasts.inc(d.broadcasts);
  metrics.resigns.inc(Math.max(0, d.versions - 1));
  metrics.rpcRetries.inc(d.rpcRetries);
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
  const res = await chain.send(tx, [submitter], {
    inFlight: inFlightOf(job),
    // The last attempt follows its transaction to its end (confirmed or expired) while the
    // node answers, so that a dead letter never leaves a version that could still land.
    untilSettled: isLastAttempt(job),
    onSigned: (version) => job.updateProgress({ inFlight: version }),
  });
  const relayMs = performance.now() - started;
  metrics.relaySeconds.observe(relayMs / 1000);
  metrics.computeUnits.observe(res.computeUnits);
  metrics.endToEndSeconds.observe((Date.now() - r.acceptedAt) / 1000);
  metrics.relayed.inc({ outcome: 'recorded' });
  const d = res.delivery;
  countDelivery(metrics, d);
  const how = d
    ? `; ${d.versions} version(s), ${d.broadcasts} broadcast(s), ${d.rpcRetries} RPC retr${d.rpcRetries === 1 ? 'y' : 'ies'}${d.resumed ? ', followed the version of an earlier attempt' : ''}`
    : '';
  await job.log(
    `recorded: ${res.signature} (${res.computeUnits} CU, ${relayMs.toFixed(0)} ms${how})`,
  );
  return {
    outcome: 'recorded',
    signature: res.signature,
    computeUnits: res.computeUnits,
    relayMs: Math.round(relayMs),
    delivery: d,
  };
}
