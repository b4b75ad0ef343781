/**
 * A prover worker in its own process, for the fault test that kills it mid-proof.
 * argv: <redis url> <queue prefix> <devices json: { [deviceHex]: { bjjKeyHash, seq, status, modelId } }>
 * Prints `ready` once consuming and `active <jobId>` when it starts a job.
 */
import { Prover, devProverArtifacts } from '../../src/prover/index.ts';
import { createProverWorker } from '../../src/workers/index.ts';

const [url, prefix, devicesJson] = process.argv.slice(2);
if (!url || !prefix || !devicesJson)
  throw new Error('usage: prover-worker-child <redis url> <prefix> <devices json>');
const devices = JSON.parse(devicesJson) as Record<
  string,
  { bjjKeyHash: number[]; seq: string; status: number; modelId: number }
>;
const prover = await Prover.create(await devProverArtifacts(1));
const handle = createProverWorker({
  connection: { url },
  prefix,
  prover,
  follower: { device: (hex) => (devices[hex] ? { leaf: devices[hex] } : undefined) },
  concurrency: 1,
  lockDurationMs: 3_000,
  stalledIntervalMs: 1_000,
});
handle.worker.on('active', (job) => console.log(`active ${job.id}`));
await handle.worker.waitUntilReady();
console.log('ready');
