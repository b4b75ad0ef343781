/**
 * `npm run bench:pipeline`: the whole pipeline on this machine.
 * - ingest_per_s: signed readings accepted into the `prove` queue per second (proving off),
 *   published over MQTT through Mosquitto to the bridge (bench/bridge-ingest.ts);
 *   bullmq_noop_per_s: BullMQ's own `addBulk` of as many jobs of the same size, right before and
 *   after it (the mean); ingest_ratio = ingest_per_s / bullmq_noop_per_s. The bridge verifies
 *   with the native ed25519 addon; the same run measures it again on node:crypto
 *   (ingest_per_s_node_crypto, bullmq_noop_per_s_node_crypto, ingest_ratio_node_crypto), the
 *   baseline of that change.
 * - e2e: simulated devices publish over MQTT at a rate one prover worker sustains; latency
 *   is reading published → record on-chain (the device leaf's seq advanced), p50 / p95.
 * - accepted, records, dead_letters, lost (= accepted − records − dead letters, must be 0).
 * - rpc_*: the same run on a JSON-RPC validator (zkpin-validator, 400 ms slots), deployed by
 *   migrations/deploy.ts, with the bridge and the oracle as processes (scripts/lib/rpc-network.ts):
 *   rpc_e2e_p50_ms / rpc_e2e_p95_ms, rpc_records, rpc_dead_letters, rpc_lost. `--no-rpc` skips it.
 */
import { parseArgs } from 'node:util';
import { ingestMetrics, measureIngest } from './bridge-ingest.ts';
import { percentile, startLocalNetwork } from '../scripts/lib/local-network.ts';
import { startRpcNetwork } from '../scripts/lib/rpc-network.ts';
import { report } from './report.ts';

const { values: args } = parseArgs({
  options: {
    readings: { type: 'string', default: '40' },
    rate: { type: 'string', default: '1.5' },
    devices: { type: 'string', default: '4' },
    'ingest-count': { type: 'string', default: '20000' },
    'no-rpc': { type: 'boolean', default: false },
  },
});

async function main() {
  const metrics: Record<string, number> = {};
  const count = Number(args['ingest-count']);
  Object.assign(metrics, ingestMetrics(await measureIngest({ count, ed25519Backend: 'native' })));
  const viaNode = ingestMetrics(await measureIngest({ count, ed25519Backend: 'node' }));
  for (const [k, v] of Object.entries(viaNode)) metrics[`${k}_node_crypto`] = v;

  const embedded = await measureE2e(
    await startLocalNetwork({ devices: Number(args.devices), rate: 0 }),
  );
  Object.assign(metrics, embedded);
  if (!args['no-rpc']) {
    const rpc = await measureE2e(await startRpcNetwork({ devices: Number(args.devices), rate: 0 }));
    for (const [k, v] of Object.entries(rpc)) if (k !== 'rate_per_s') metrics[`rpc_${k}`] = v;
  }
  report('pipeline', metrics);
  process.exit(0);
}

/** What measureE2e needs of a local or an RPC network. */
interface MeasuredNetwork {
  follower: {
    onDevice(
      fn: (d: { leaf: { device: { toBuffer(): Buffer }; seq: { toString(): string } } }) => void,
    ): unknown;
  };
  sim: { publishOne(): Promise<void>; publishedAt: Map<string, number> };
  summary(): Promise<{
    published: number;
    accepted: number;
    records: number;
    deadLetters: Record<string, number>;
  }>;
  stop(): Promise<void>;
}

/**
 * Publishes `--readings` readings at `--rate` and waits until each accepted one is a record or
 * a dead letter (at most 120 s); latency is publish → the device leaf's seq advanced.
 */
async function measureE2e(net: MeasuredNetwork): Promise<Record<string, number>> {
  const landed = new Map<string, number>();
  net.follower.onDevice((d) => {
    const key = `${d.leaf.device.toBuffer().toString('hex')}-${d.leaf.seq.toString()}`;
    if (!landed.has(key)) landed.set(key, Date.now());
  });
  // Warm-up proof (loads the witness calculator and prover), not measured.
  await net.sim.publishOne();
  const warmKey = [...net.sim.publishedAt.keys()][0];
  const total = Number(args.readings);
  const interval = 1000 / Number(args.rate);
  for (let i = 0; i < total; i++) {
    await net.sim.publishOne();
    await new Promise((r) => setTimeout(r, interval));
  }
  const deadline = Date.now() + 120_000;
  let s = await net.summary();
  const deadCount = (d: Record<string, number>) => Object.values(d).reduce((a, b) => a + b, 0);
  while (Date.now() < deadline && s.accepted - s.records - deadCount(s.deadLetters) > 0) {
    await new Promise((r) => setTimeout(r, 500));
    s = await net.summary();
  }
  const lat: number[] = [];
  for (const [key, at] of net.sim.publishedAt) {
    const done = landed.get(key);
    if (done !== undefined && key !== warmKey) lat.push(done - at);
  }
  lat.sort((a, b) => a - b);
  const dead = deadCount(s.deadLetters);
  await net.stop();
  return {
    e2e_p50_ms: percentile(lat, 50),
    e2e_p95_ms: percentile(lat, 95),
    published: s.published,
    accepted: s.accepted,
    records: s.records,
    dead_letters: dead,
    lost: s.accepted - s.records - dead,
    rate_per_s: Number(args.rate),
  };
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
