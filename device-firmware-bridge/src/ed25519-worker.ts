/**
 * An ed25519 worker thread of `Ed25519Pool`: verifies packed batches (ed25519-batch.ts) with
 * `Ed25519Verifier` on the pool's backend (native addon or node:crypto; keys cached).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Ed25519Verifier } from '@zkpin/sdk/node/ed25519';
import { verifyPacked, type VerifyRequest, type VerifyResponse } from './ed25519-batch.ts';
import type { Ed25519WorkerData } from './ed25519-pool.ts';

if (!parentPort) throw new Error('ed25519-worker.ts runs as a worker thread of Ed25519Pool');
const port = parentPort;
const verifier = new Ed25519Verifier(undefined, (workerData as Ed25519WorkerData).backend);

port.on('message', ({ id, buf }: VerifyRequest) => {
  const out = verifyPacked(verifier, buf);
  const response: VerifyResponse = { id, out };
  port.postMessage(response, [out.buffer]);
});
