/**
 * Ingest throughput: signed readings accepted into the `prove` queue per second, proving off.
 * Devices are known through an in-memory directory (the chain is not what is measured);
 * every reading carries a real ed25519 signature over its canonical bytes, which the bridge
 * verifies. The BabyJubJub fields come from one real `signReading` per device and are not
 * re-signed per seq (~30 ms each): the bridge checks the key against the device's
 * bjj_key_hash, not the signature (the prover does).
 *
 *   npx tsx bench/bridge-ingest.ts [count] [mqtt|http|direct]
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { pino } from 'pino';
import {
  DEVICE_STATUS_ACTIVE,
  bjjKeyHashBytes,
  encodeReadingMessage,
  signReading,
  signedReadingToJson,
  type DeviceKeys,
  readingsTopic,
} from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import { createBridge, type DeviceDirectory } from '@zkpin/device-firmware-bridge';

/** Defaults of `measureIngest`: the bench's only reads of the environment. */
const DEFAULTS: Required<Omit<MeasureIngestOptions, 'verifyThreads'>> = {
  count: 20_000,
  devices: 100,
  transport: 'mqtt',
  redisUrl: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  mqttUrl: process.env['MQTT_URL'] ?? 'mqtt://127.0.0.1:1883',
};

export interface MeasureIngestOptions {
  /** Readings to push through (default 20,000). */
  count?: number;
  /** Distinct devices the readings are spread over (default 100). */
  devices?: number;
  /** `mqtt` (publish to the broker, default), `http` (POST, 64 in flight) or `direct` (bridge.ingest). */
  transport?: 'mqtt' | 'http' | 'direct';
  redisUrl?: string;
  mqttUrl?: string;
  /** Passed to createBridge (ed25519 worker threads). */
  verifyThreads?: number;
}

export interface IngestMeasurement {
  transport: string;
  count: number;
  accepted: number;
  rejected: number;
  seconds: number;
  perSecond: number;
}

export async function measureIngest(o: MeasureIngestOptions = {}): Promise<IngestMeasurement> {
  const count = o.count ?? DEFAULTS.count;
  const deviceCount = Math.min(o.devices ?? DEFAULTS.devices, count);
  const transport = o.transport ?? DEFAULTS.transport;
  const redisUrl = o.redisUrl ?? DEFAULTS.redisUrl;
  const mqttUrl = o.mqttUrl ?? DEFAULTS.mqttUrl;
  const network = randomBytes(32);
  const networkHex = network.toString('hex');
  const modelId = 1;

  const devices: {
    keys: DeviceKeys;
    hex: string;
    template: ReturnType<typeof signedReadingToJson>;
    bjj: Pick<ReturnType<typeof signReading>, 'bjjPublicKey' | 'bjjSignature'>;
  }[] = [];
  const known = new Map<
    string,
    { leaf: { status: number; modelId: number; seq: bigint; bjjKeyHash: Uint8Array } }
  >();
  const t0s = BigInt(Math.floor(Date.now() / 1000));
  for (let i = 0; i < deviceCount; i++) {
    const keys = await generateDeviceKeys();
    const hex = Buffer.from(keys.ed25519.publicKey).toString('hex');
    const signed = signReading(keys, {
      network,
      seq: 1n,
      timestamp: t0s,
      modelId,
      readings: new Array<number>(16).fill(0),
      salt: new Uint8Array(32),
    });
    const bjj = { bjjPublicKey: signed.bjjPublicKey, bjjSignature: signed.bjjSignature };
    devices.push({ keys, hex, template: signedReadingToJson(signed), bjj });
    const bjjKeyHash = bjjKeyHashBytes(keys.babyJub.publicKey);
    known.set(hex, { leaf: { status: DEVICE_STATUS_ACTIVE, modelId, seq: 0n, bjjKeyHash } });
  }
  const directory: DeviceDirectory = { device: (hex) => known.get(hex) };

  // Pre-sign every reading (devices do this, not the bridge).
  const messages: { topicDevice: string; payload: string }[] = [];
  const seqs = new Array<bigint>(deviceCount).fill(0n);
  for (let i = 0; i < count; i++) {
    const d = i % deviceCount;
    const dev = devices[d]!;
    const seq = (seqs[d] = seqs[d]! + 1n);
    const readings = Array.from({ length: 16 }, (_, k) => ((i + k * 13) % 256) - 128);
    const salt = randomBytes(32);
    const timestamp = t0s;
    const sig = dev.keys.ed25519.sign(
      encodeReadingMessage({
        network,
        device: dev.keys.ed25519.publicKey,
        seq,
        timestamp,
        modelId,
        readings,
        salt,
        ...dev.bjj, // signed from reading message v2 on
      }),
    );
    messages.push({
      topicDevice: dev.hex,
      payload: JSON.stringify({
        ...dev.template,
        seq: seq.toString(),
        timestamp: timestamp.toString(),
        readings,
        salt: salt.toString('hex'),
        ed25519Signature: Buffer.from(sig).toString('hex'),
      }),
    });
  }

  const prefix = `zkpin-bench-ingest-${randomBytes(4).toString('hex')}`;
  const bridge = createBridge({
    network: networkHex,
    directory,
    redisUrl,
    queuePrefix: prefix,
    mqttUrl: transport === 'mqtt' ? mqttUrl : undefined,
    httpPort: transport === 'http' ? 0 : undefined,
    limits: { rateBurst: count, ratePerSecond: count, maxQueueWaiting: count + 1 },
    logger: pino({ level: 'silent' }),
    verifyThreads: o.verifyThreads,
  });
  await bridge.start();
  const done = () => {
    const s = bridge.stats();
    return s.accepted + s.rejected >= count;
  };
  const t0 = performance.now();
  let seconds = 0;
  let stats = bridge.stats();
  try {
    if (transport === 'direct') {
      await Promise.all(messages.map((m) => bridge.ingest(m.payload, 'mqtt', m.topicDevice)));
    } else if (transport === 'http') {
      let next = 0;
      const url = `${bridge.httpAddress!}/v1/readings`;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < messages.length) {
            const m = messages[next++]!;
            const res = await fetch(url, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: m.payload,
            });
            await res.arrayBuffer();
          }
        }),
      );
    } else {
      const pub = await mqtt.connectAsync(mqttUrl, { connectTimeout: 3000 });
      // Flow control: keep the broker's queue towards the bridge under Mosquitto's default
      // max_queued_messages (1000), beyond which it drops QoS 1 messages for a slow subscriber.
      const decided = () => {
        const s = bridge.stats();
        return s.accepted + s.rejected;
      };
      let next = 0;
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < messages.length) {
            if (next - decided() > 600) {
              await new Promise((r) => setImmediate(r));
              continue;
            }
            const m = messages[next++]!;
            await pub.publishAsync(readingsTopic(networkHex, m.topicDevice), m.payload, {
              qos: 1,
            });
          }
        }),
      );
      await pub.endAsync();
    }
    const deadline = Date.now() + 60_000;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  } finally {
    seconds = (performance.now() - t0) / 1000;
    stats = bridge.stats();
    await bridge.stop();
    const q = new Redis(redisUrl);
    let cursor = '0';
    do {
      const [nextCursor, keys] = await q.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
      if (keys.length) await q.del(...keys);
      cursor = nextCursor;
    } while (cursor !== '0');
    await q.quit();
  }
  return {
    transport,
    count,
    accepted: stats.accepted,
    rejected: stats.rejected,
    seconds,
    perSecond: stats.accepted / seconds,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [count, transport, threads] = process.argv.slice(2);
  measureIngest({
    count: count === undefined ? undefined : Number(count),
    transport: transport as MeasureIngestOptions['transport'],
    verifyThreads: threads === undefined ? undefined : Number(threads),
  })
    .then((r) => console.log(JSON.stringify({ bench: 'bridge-ingest', metrics: r })))
    .catch((e: unknown) => {
      console.error(e);
      process.exit(1);
    });
}
