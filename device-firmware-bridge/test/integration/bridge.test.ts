/**
 * The bridge against real Redis and Mosquitto, with devices registered on a LiteSVM chain
 * and known to the bridge through the real NetworkFollower. Every message ends as exactly
 * one prove job or a rejection with its reason, and the bridge keeps accepting.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { readingJobId, readingsTopic } from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import {
  createBridge,
  type Bridge,
  type BridgeLimits,
  type RejectReason,
} from '../../src/index.ts';
import {
  MQTT_URL,
  REDIS_URL,
  TestBridges,
  allJobs,
  assertServices,
  cleanUp,
  post,
  randomPrefix,
  signedReading,
  testNetwork,
  waitFor,
  type TestDevice,
  type TestNetwork,
  proveJobJson,
} from './helpers.ts';

let net: TestNetwork;
let a: TestDevice;
let b: TestDevice;
let revoked: TestDevice;
let publisher: MqttClient;
const bridges = new TestBridges();

beforeAll(async () => {
  await assertServices();
  net = await testNetwork();
  a = await net.register();
  b = await net.register();
  revoked = await net.register();
  await net.revoke(revoked);
  publisher = await mqtt.connectAsync(MQTT_URL, { connectTimeout: 2000 });
});

afterAll(async () => {
  await publisher?.endAsync();
  await net?.follower.stop();
});

afterEach(() => bridges.stopAll());

function startBridge(limits: Partial<BridgeLimits> = {}, verifyThreads = 0): Promise<Bridge> {
  return bridges.start({
    network: net.networkHex,
    directory: net.follower,
    // The network's model takes windows of 16 readings.
    modelWindows: new Map([[net.modelId, 16]]),
    mqttUrl: MQTT_URL,
    limits,
    verifyThreads,
  });
}

function topicOf(device: string): string {
  return readingsTopic(net.networkHex, device);
}

const decided = (b: Bridge) => {
  const s = b.stats();
  return s.accepted + s.duplicates + s.rejected;
};

/** Publishes at QoS 1 and waits until the bridge has decided the message. */
async function publish(bridge: Bridge, payload: string | Buffer, device: string): Promise<void> {
  const before = decided(bridge);
  await publisher.publishAsync(topicOf(device), payload, { qos: 1 });
  await waitFor(() => decided(bridge) > before, 'the bridge to decide an MQTT message');
}

const jobs = allJobs;

function expectOneRejection(bridge: Bridge, reason: RejectReason): void {
  const s = bridge.stats();
  expect(s.rejectedByReason[reason], `${reason} count`).toBe(1);
}

describe('device-firmware-bridge', () => {
  it('accepts a signed reading over MQTT as exactly one prove job with id <device>-<seq>', async () => {
    const bridge = await startBridge();
    const r = signedReading(net, a, 1n);
    await publish(bridge, JSON.stringify(r), a.hex);
    expect(bridge.stats().accepted).toBe(1);
    const all = await jobs(bridge);
    expect(all).toHaveLength(1);
    expect(all[0]!.id).toBe(readingJobId(a.hex, 1n));
    expect(all[0]!.name).toBe('reading');
    const data = proveJobJson(all[0]!.data);
    expect(data.reading).toEqual(r);
    expect(data.source).toBe('mqtt');
    expect(data.prevSeq).toBeNull();
    expect(all[0]!.opts.attempts).toBe(5);
  });

  it('accepts a signed reading over HTTP with 202 {jobId, duplicate: false}', async () => {
    const bridge = await startBridge();
    const r = signedReading(net, b, 7n);
    const res = await post(bridge, r);
    expect(res).toEqual({
      status: 202,
      body: { jobId: readingJobId(b.hex, 7n), duplicate: false },
    });
    const all = await jobs(bridge);
    expect(all.map((j) => j.id)).toEqual([readingJobId(b.hex, 7n)]);
    expect(proveJobJson(all[0]!.data)).toMatchObject({ reading: r, source: 'http' });
  });

  it('rejects bad messages over HTTP with the reason and status, and keeps accepting (ed25519 in worker threads)', async () => {
    const bridge = await startBridge({ maxMessageBytes: 2048 }, 2);
    const good = signedReading(net, a, 3n);
    const stranger = await generateDeviceKeys();
    const strangerDevice = {
      keys: stranger,
      hex: Buffer.from(stranger.ed25519.publicKey).toString('hex'),
    };
    const unsigned: Partial<typeof good> = { ...good };
    delete unsigned.ed25519Signature;
    const cases: [string, unknown, boolean, number, RejectReason][] = [
      ['malformed JSON', '{"network": ', true, 400, 'MALFORMED_JSON'],
      ['schema: no readings', { ...good, readings: [] }, false, 400, 'SCHEMA_INVALID'],
      [
        'schema: 466 readings',
        { ...good, readings: new Array<number>(466).fill(1) },
        false,
        400,
        'SCHEMA_INVALID',
      ],
      [
        "signed window of 48 for the model's 16",
        signedReading(net, a, 3n, { readings: new Array<number>(48).fill(-3) }),
        false,
        422,
        'WINDOW_MISMATCH',
      ],
      ['oversized', { ...good, pad: 'x'.repeat(4000) }, false, 413, 'TOO_LARGE'],
      ['unsigned', unsigned, false, 401, 'UNSIGNED'],
      [
        'tampered readings',
        { ...good, readings: good.readings.map((x, i) => (i === 0 ? x + 1 : x)) },
        false,
        401,
        'BAD_SIGNATURE',
      ],
      [
        'signed by another key',
        { ...good, ed25519Signature: signedReading(net, b, 3n).ed25519Signature },
        false,
        401,
        'BAD_SIGNATURE',
      ],
      ['unknown device', signedReading(net, strangerDevice, 3n), false, 404, 'UNKNOWN_DEVICE'],
      ['revoked device', signedReading(net, revoked, 3n), false, 403, 'DEVICE_REVOKED'],
      [
        'wrong model id',
        signedReading(net, a, 3n, { modelId: net.modelId + 1 }),
        false,
        422,
        'MODEL_MISMATCH',
      ],
      [
        'wrong network',
        signedReading(net, a, 3n, { networkHex: 'ab'.repeat(32) }),
        false,
        400,
        'WRONG_NETWORK',
      ],
    ];
    for (const [what, body, raw, status, reason] of cases) {
      const res = await post(bridge, body, raw);
      expect(res.status, what).toBe(status);
      expect(res.body['error'], what).toBe(reason);
      expect(typeof res.body['message'], what).toBe('string');
    }
    const s = bridge.stats();
    expect(s.rejectedByReason.BAD_SIGNATURE).toBe(2);
    for (const r of [
      'MALFORMED_JSON',
      'TOO_LARGE',
      'UNSIGNED',
      'UNKNOWN_DEVICE',
      'DEVICE_REVOKED',
      'MODEL_MISMATCH',
      'WINDOW_MISMATCH',
      'WRONG_NETWORK',
    ] as const) {
      expectOneRejection(bridge, r);
    }
    expect(s.rejectedByReason.SCHEMA_INVALID).toBe(2);
    expect(s.accepted).toBe(0);
    expect(await jobs(bridge)).toHaveLength(0);

    expect((await post(bridge, good)).status).toBe(202);
    expect((await jobs(bridge)).map((j) => j.id)).toEqual([readingJobId(a.hex, 3n)]);

    const metrics = await (await fetch(`${bridge.metricsAddress!}/metrics`)).text();
    expect(metrics).toMatch(
      /zkpin_bridge_rejected_total\{reason="BAD_SIGNATURE",source="http"\} 2/,
    );
    expect(metrics).toMatch(/zkpin_bridge_accepted_total\{source="http"\} 1/);
  });

  it('rejects bad messages over MQTT (malformed, oversized, topic mismatch, wrong signature) and keeps accepting', async () => {
    const bridge = await startBridge({ maxMessageBytes: 2048 }, 1);
    const good = signedReading(net, a, 1n);
    await publish(bridge, 'not json', a.hex);
    await publish(bridge, Buffer.alloc(5000, 0x20), a.hex);
    await publish(bridge, JSON.stringify(good), b.hex);
    await publish(bridge, JSON.stringify({ ...good, salt: 'cd'.repeat(32) }), a.hex);
    await publish(bridge, JSON.stringify({ ...good, seq: 'one' }), a.hex);
    for (const r of [
      'MALFORMED_JSON',
      'TOO_LARGE',
      'TOPIC_MISMATCH',
      'BAD_SIGNATURE',
      'SCHEMA_INVALID',
    ] as const) {
      expectOneRejection(bridge, r);
    }
    expect(await jobs(bridge)).toHaveLength(0);
    await publish(bridge, JSON.stringify(good), a.hex);
    expect(bridge.stats().accepted).toBe(1);
    expect((await jobs(bridge)).map((j) => j.id)).toEqual([readingJobId(a.hex, 1n)]);
  });

  it('answers an identical re-send with the same job (MQTT, HTTP, concurrently): one job, duplicate: true', async () => {
    const bridge = await startBridge();
    const r1 = signedReading(net, a, 1n);
    const id1 = readingJobId(a.hex, 1n);
    await publish(bridge, JSON.stringify(r1), a.hex);
    await publish(bridge, JSON.stringify(r1), a.hex);
    expect(bridge.stats()).toMatchObject({ accepted: 1, duplicates: 1, rejected: 0 });
    const again = await post(bridge, r1);
    expect(again).toEqual({ status: 200, body: { jobId: id1, duplicate: true } });

    const r2 = signedReading(net, a, 2n);
    const both = await Promise.all([post(bridge, r2), post(bridge, r2)]);
    expect(both.map((x) => x.status).sort()).toEqual([200, 202]);
    expect(both.map((x) => x.body['jobId'])).toEqual([
      readingJobId(a.hex, 2n),
      readingJobId(a.hex, 2n),
    ]);
    expect(both.map((x) => x.body['duplicate']).sort()).toEqual([false, true]);
    const all = await jobs(bridge);
    expect(all.map((j) => j.id).sort()).toEqual([id1, readingJobId(a.hex, 2n)].sort());
    expect(bridge.stats()).toMatchObject({ accepted: 2, duplicates: 3, rejected: 0 });
    // The first acceptance's job is untouched, and the next one names the seq before it.
    expect(proveJobJson((await bridge.queue.getJob(id1))!.data).reading).toEqual(r1);
    const job2 = proveJobJson((await bridge.queue.getJob(readingJobId(a.hex, 2n)))!.data);
    expect(job2.prevSeq).toBe('1');
  });

  it('rejects a replayed older seq and accepts the next higher one', async () => {
    const bridge = await startBridge();
    expect((await post(bridge, signedReading(net, b, 5n))).status).toBe(202);
    const old = await post(bridge, signedReading(net, b, 3n));
    expect(old).toMatchObject({ status: 409, body: { error: 'REPLAYED_SEQ' } });
    expect((await post(bridge, signedReading(net, b, 6n))).status).toBe(202);
    // Within one batch too: 9 then 8 arrive together.
    const [r9, r8] = await Promise.all([
      post(bridge, signedReading(net, b, 9n)),
      post(bridge, signedReading(net, b, 8n)),
    ]);
    expect(r9.status).toBe(202);
    expect(r8.body['error']).toBe('REPLAYED_SEQ');
    expect(bridge.stats().rejectedByReason.REPLAYED_SEQ).toBe(2);
    expect((await jobs(bridge)).map((j) => j.id).sort()).toEqual(
      ['5', '6', '9'].map((s) => readingJobId(b.hex, s)).sort(),
    );
  });

  it('rate-limits each device on its own', async () => {
    const bridge = await startBridge({ rateBurst: 2, ratePerSecond: 0.001 });
    expect((await post(bridge, signedReading(net, a, 1n))).status).toBe(202);
    expect((await post(bridge, signedReading(net, a, 2n))).status).toBe(202);
    const limited = await post(bridge, signedReading(net, a, 3n));
    expect(limited).toMatchObject({ status: 429, body: { error: 'RATE_LIMITED' } });
    expectOneRejection(bridge, 'RATE_LIMITED');
    expect((await post(bridge, signedReading(net, b, 1n))).status).toBe(202);
    expect(await jobs(bridge)).toHaveLength(3);
  });

  it('applies backpressure when the prove queue is deep, and accepts again once it drains', async () => {
    const bridge = await startBridge({ maxQueueWaiting: 2 });
    expect((await post(bridge, signedReading(net, a, 1n))).status).toBe(202);
    expect((await post(bridge, signedReading(net, b, 1n))).status).toBe(202);
    const full = await post(bridge, signedReading(net, a, 2n));
    expect(full).toMatchObject({ status: 503, body: { error: 'BACKPRESSURE' } });
    expectOneRejection(bridge, 'BACKPRESSURE');
    await (await bridge.queue.getJob(readingJobId(a.hex, 1n)))!.remove();
    expect((await post(bridge, signedReading(net, a, 2n))).status).toBe(202);
    expect((await jobs(bridge)).map((j) => j.id).sort()).toEqual(
      [readingJobId(a.hex, 2n), readingJobId(b.hex, 1n)].sort(),
    );
  });

  it('knows a device registered while it runs, and one revoked while it runs', async () => {
    const bridge = await startBridge();
    const late = await net.register();
    expect((await post(bridge, signedReading(net, late, 1n))).status).toBe(202);
    await net.revoke(late);
    expect((await post(bridge, signedReading(net, late, 2n))).body['error']).toBe('DEVICE_REVOKED');
  });

  it('fails to start with a clear error when Redis or the broker is unreachable', async () => {
    const prefix = randomPrefix();
    const common = {
      network: net.networkHex,
      directory: net.follower,
      queuePrefix: prefix,
      logger: pino({ level: 'silent' }),
      connectTimeoutMs: 1000,
    };
    const t0 = Date.now();
    await expect(
      createBridge({ ...common, redisUrl: 'redis://127.0.0.1:1' }).start(),
    ).rejects.toThrow(/REDIS_UNREACHABLE/);
    await expect(
      createBridge({ ...common, redisUrl: REDIS_URL, mqttUrl: 'mqtt://127.0.0.1:1' }).start(),
    ).rejects.toThrow(/MQTT_UNREACHABLE/);
    expect(Date.now() - t0).toBeLessThan(8000);
    await cleanUp(prefix);
  });
});
