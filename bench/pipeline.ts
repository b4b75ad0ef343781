/**
 * `npm run bench:pipeline`: the whole pipeline on this machine.
 * - ingest_per_s: signed readings accepted into the `prove` queue per second (proving off),
 *   measured by the bridge's own ingest benchmark.
 * - e2e: simulated devices publish over MQTT at a rate one prover worker sustains; latency
 *   is reading published → record on-chain (the device leaf's seq advanced), p50 / p95.
 * - accepted, records, dead_letters, lost (= accepted − records − dead letters, must be 0).
 */
import { parseArgs } from 'node:util';
import { measureIngest } from './bridge-ingest.ts';
import { percentile, startLocalNetwork } from '../scripts/lib/local-network.ts';
import { report } from './report.ts';

const { values: args } = parseArgs({
  options: {
    readings: { type: 'string', default: '40' },
    rate: { type: 'string', default: '1.5' },
    devices: { type: 'string', default: '4' },
    'ingest-count': { type: 'string', default: '20000' },
  },
});

async function main() {
  const metrics: Record<string, number> = {};
  const ingest = await measureIngest({ count: Number(args['ingest-count']) });
  metrics.ingest_per_s = Math.round(ingest.perSecond);

  const net = await startLocalNetwork({ devices: Number(args.devices), rate: 0 });
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
  // Wait until every accepted reading is a record or a dead letter (or 120 s pass).
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
  metrics.e2e_p50_ms = percentile(lat, 50);
  metrics.e2e_p95_ms = percentile(lat, 95);
  metrics.published = s.published;
  metrics.accepted = s.accepted;
  metrics.records = s.records;
  metrics.dead_letters = deadCount(s.deadLetters);
  metrics.lost = s.accepted - s.records - metrics.dead_letters;
  metrics.rate_per_s = Number(args.rate);
  await net.stop();
  report('pipeline', metrics);
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
