/**
 * Spec §8 at the bridge, against real Redis and devices registered on a LiteSVM chain:
 * dedupe by content (H-3: a copy of a genuine reading with one field changed never takes the
 * genuine reading's place), prevSeq, and the timestamp window (L-2).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { readingJobId, type SignedReadingJson, readingsTopic } from '@zkpin/sdk';
import type { Bridge, BridgeLimits } from '../../src/index.ts';
import {
  MQTT_URL,
  TestBridges,
  allJobs,
  assertServices,
  nowS,
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
const bridges = new TestBridges();

beforeAll(async () => {
  await assertServices();
  net = await testNetwork();
  a = await net.register();
  b = await net.register();
});

afterAll(() => net?.follower.stop());
afterEach(() => bridges.stopAll());

function startBridge(o: { limits?: Partial<BridgeLimits>; prefix?: string; mqtt?: boolean } = {}) {
  return bridges.start({
    network: net.networkHex,
    directory: net.follower,
    limits: o.limits,
    queuePrefix: o.prefix,
    mqttUrl: o.mqtt ? MQTT_URL : undefined,
  });
}

async function jobReading(bridge: Bridge, device: TestDevice, seq: bigint) {
  const job = await bridge.queue.getJob(readingJobId(device.hex, seq));
  return job ? proveJobJson(job.data) : undefined;
}

describe('dedupe by content (H-3)', () => {
  it('rejects a copy of a genuine reading with one field changed, then accepts the genuine one', async () => {
    const bridge = await startBridge();
    const genuine = signedReading(net, a, 5n);
    const other = signedReading(net, b, 5n);
    const forged: [string, SignedReadingJson, string][] = [
      [
        'readings',
        { ...genuine, readings: genuine.readings.map((x, i) => (i === 3 ? x ^ 1 : x)) },
        'BAD_SIGNATURE',
      ],
      ['salt', { ...genuine, salt: 'ee'.repeat(32) }, 'BAD_SIGNATURE'],
      [
        'timestamp',
        { ...genuine, timestamp: (BigInt(genuine.timestamp) - 1n).toString() },
        'BAD_SIGNATURE',
      ],
      ['seq', { ...genuine, seq: '6' }, 'BAD_SIGNATURE'],
      // The ed25519 signature covers the BabyJubJub key (reading v2).
      ['bjjPublicKey', { ...genuine, bjjPublicKey: other.bjjPublicKey }, 'BAD_SIGNATURE'],
      [
        'a whole reading signed by the device with a BabyJubJub key not in its leaf',
        signedReading(net, { ...a, keys: { ...a.keys, babyJub: b.keys.babyJub } }, 5n),
        'BJJ_KEY_MISMATCH',
      ],
    ];
    for (const [field, copy, reason] of forged) {
      const res = await post(bridge, copy);
      expect(res.body['error'], field).toBe(reason);
      expect(res.status, field).toBeGreaterThanOrEqual(400);
    }
    expect(await allJobs(bridge)).toHaveLength(0);

    const res = await post(bridge, genuine);
    expect(res).toEqual({
      status: 202,
      body: { jobId: readingJobId(a.hex, 5n), duplicate: false },
    });
    expect((await jobReading(bridge, a, 5n))?.reading).toEqual(genuine);
  });

  it('rejects a copy with another BabyJubJub signature (signed from reading message v2 on)', async () => {
    const bridge = await startBridge();
    const genuine = signedReading(net, a, 5n);
    const s = BigInt(genuine.bjjSignature.s);
    const copy = {
      ...genuine,
      bjjSignature: { ...genuine.bjjSignature, s: (s ^ 1n).toString() },
    };
    expect((await post(bridge, copy)).body['error']).toBe('BAD_SIGNATURE');
    expect((await post(bridge, genuine)).status).toBe(202);
    expect((await jobReading(bridge, a, 5n))?.reading).toEqual(genuine);
  });

  it('answers an identical re-send with the same job (HTTP 200 duplicate: true, MQTT acknowledged), one job', async () => {
    const bridge = await startBridge({ mqtt: true });
    const r = signedReading(net, a, 3n);
    const id = readingJobId(a.hex, 3n);
    expect(await post(bridge, r)).toEqual({ status: 202, body: { jobId: id, duplicate: false } });
    expect(await post(bridge, r)).toEqual({ status: 200, body: { jobId: id, duplicate: true } });
    const publisher: MqttClient = await mqtt.connectAsync(MQTT_URL, { connectTimeout: 2000 });
    try {
      await publisher.publishAsync(readingsTopic(net.networkHex, a.hex), JSON.stringify(r), {
        qos: 1,
      });
      await waitFor(() => bridge.stats().duplicates === 2, 'the MQTT re-send to be decided');
    } finally {
      await publisher.endAsync();
    }
    expect(bridge.stats()).toMatchObject({ accepted: 1, duplicates: 2, rejected: 0 });
    expect((await allJobs(bridge)).map((j) => j.id)).toEqual([id]);
  });

  it('rejects another reading with an accepted seq (SEQ_CONFLICT) and a lower seq (REPLAYED_SEQ); the accepted job stays', async () => {
    const bridge = await startBridge();
    const first = signedReading(net, a, 10n);
    expect((await post(bridge, first)).status).toBe(202);
    // Validly signed by the device itself, same seq, other content (e.g. a counter reset).
    const conflicting = signedReading(net, a, 10n, { readings: new Array<number>(16).fill(1) });
    expect(await post(bridge, conflicting)).toMatchObject({
      status: 409,
      body: { error: 'SEQ_CONFLICT' },
    });
    expect(await post(bridge, signedReading(net, a, 9n))).toMatchObject({
      status: 409,
      body: { error: 'REPLAYED_SEQ' },
    });
    expect((await jobReading(bridge, a, 10n))?.reading).toEqual(first);
    // The conflict did not move the record: the original is still a duplicate, 11 is new.
    expect((await post(bridge, first)).body['duplicate']).toBe(true);
    expect((await post(bridge, signedReading(net, a, 11n))).status).toBe(202);
    expect(bridge.stats().rejectedByReason).toMatchObject({ SEQ_CONFLICT: 1, REPLAYED_SEQ: 1 });
  });

  it('decides a seq once across bridges sharing Redis: concurrent different contents → one job, one SEQ_CONFLICT', async () => {
    const prefix = randomPrefix();
    const one = await startBridge({ prefix });
    const two = await startBridge({ prefix });
    const x = signedReading(net, b, 4n);
    const y = signedReading(net, b, 4n, { readings: new Array<number>(16).fill(-3) });
    const [rx, ry] = await Promise.all([post(one, x), post(two, y)]);
    const statuses = [rx.status, ry.status].sort();
    expect(statuses).toEqual([202, 409]);
    const winner = rx.status === 202 ? x : y;
    expect([rx.body['error'], ry.body['error']]).toContain('SEQ_CONFLICT');
    expect((await jobReading(one, b, 4n))?.reading).toEqual(winner);
    expect(await allJobs(one)).toHaveLength(1);
  });

  it('carries the previously accepted seq as prevSeq (gaps allowed; null for the first)', async () => {
    const bridge = await startBridge();
    for (const seq of [2n, 3n, 7n])
      expect((await post(bridge, signedReading(net, b, seq))).status).toBe(202);
    expect((await jobReading(bridge, b, 2n))?.prevSeq).toBeNull();
    expect((await jobReading(bridge, b, 3n))?.prevSeq).toBe('2');
    expect((await jobReading(bridge, b, 7n))?.prevSeq).toBe('3');
  });

  it('stores the job again when a duplicate finds it missing (a crash between admission and enqueue), with the same prevSeq', async () => {
    const bridge = await startBridge();
    expect((await post(bridge, signedReading(net, a, 1n))).status).toBe(202);
    const r2 = signedReading(net, a, 2n);
    expect((await post(bridge, r2)).status).toBe(202);
    await (await bridge.queue.getJob(readingJobId(a.hex, 2n)))!.remove();
    expect(await post(bridge, r2)).toEqual({
      status: 200,
      body: { jobId: readingJobId(a.hex, 2n), duplicate: true },
    });
    const job = await jobReading(bridge, a, 2n);
    expect(job?.reading).toEqual(r2);
    expect(job?.prevSeq).toBe('1');
  });
});

describe('timestamp window (L-2)', () => {
  const YEAR_1 = -62_135_596_800n; // 0001-01-01T00:00:00Z
  const YEAR_3000 = 32_503_680_000n; // 3000-01-01T00:00:00Z

  it('rejects readings from year 1 and year 3000 with TIMESTAMP_OUT_OF_RANGE (422), and accepts the next one in the window', async () => {
    const bridge = await startBridge();
    for (const [seq, timestamp] of [
      [1n, YEAR_1],
      [2n, YEAR_3000],
    ] as const) {
      const res = await post(bridge, signedReading(net, a, seq, { timestamp }));
      expect(res.status, `timestamp ${timestamp}`).toBe(422);
      expect(res.body['error'], `timestamp ${timestamp}`).toBe('TIMESTAMP_OUT_OF_RANGE');
    }
    expect(bridge.stats().rejectedByReason.TIMESTAMP_OUT_OF_RANGE).toBe(2);
    expect(await allJobs(bridge)).toHaveLength(0);
    expect((await post(bridge, signedReading(net, a, 3n))).status).toBe(202);
  });

  it('applies the default window (a day back, 120 s ahead) and the configured one', async () => {
    const bridge = await startBridge();
    const at = (seq: bigint, offset: bigint) =>
      post(bridge, signedReading(net, b, seq, { timestamp: nowS() + offset }));
    expect((await at(1n, -86_400n - 60n)).body['error']).toBe('TIMESTAMP_OUT_OF_RANGE');
    expect((await at(2n, 300n)).body['error']).toBe('TIMESTAMP_OUT_OF_RANGE');
    expect((await at(3n, -86_400n + 60n)).status).toBe(202);
    expect((await at(4n, 60n)).status).toBe(202);

    const strict = await startBridge({ limits: { maxReadingAgeS: 60, maxClockSkewS: 600 } });
    const atStrict = (seq: bigint, offset: bigint) =>
      post(strict, signedReading(net, b, seq, { timestamp: nowS() + offset }));
    expect((await atStrict(1n, -600n)).body['error']).toBe('TIMESTAMP_OUT_OF_RANGE');
    expect((await atStrict(2n, 300n)).status).toBe(202);
  });
});
