/**
 * Item 5: the local network's mosquitto (scripts/lib/services.ts, the config `npm start` and
 * the tests use) enforces topic ownership. A private broker with that config, the bridge on
 * real Redis: anonymous clients read nothing, a device publishes only to its own topic, and
 * the bridge (username + generated password, the only reader of zkpin/v1/#) still receives.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { pino } from 'pino';
import { readingJobId, readingsTopic } from '@zkpin/sdk';
import { startMosquitto, type Mosquitto } from '../../../scripts/lib/services.ts';
import { createBridge, type Bridge } from '../../src/index.ts';
import {
  REDIS_URL,
  TestBridges,
  allJobs,
  assertServices,
  cleanUp,
  memoryDirectory,
  newDevice,
  randomPrefix,
  signedReading,
  waitFor,
  type TestDevice,
} from './helpers.ts';

const net = { networkHex: '7e'.repeat(32), modelId: 3 };
let broker: Mosquitto;
let a: TestDevice;
let b: TestDevice;
const clients: MqttClient[] = [];
const bridges = new TestBridges();

beforeAll(async () => {
  await assertServices();
  broker = await startMosquitto();
  [a, b] = await Promise.all([newDevice(), newDevice()]);
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.endAsync().catch(() => undefined);
  await bridges.stopAll();
});

afterAll(() => broker?.stop());

async function client(clientId: string, credentials = {}): Promise<MqttClient> {
  const c = await mqtt.connectAsync(broker.url, {
    clientId,
    connectTimeout: 2000,
    reconnectPeriod: 0,
    ...credentials,
  });
  clients.push(c);
  return c;
}

function startBridge(): Promise<Bridge> {
  return bridges.start({
    network: net.networkHex,
    directory: memoryDirectory([a, b], net.modelId),
    mqttUrl: broker.url,
    mqttUsername: broker.bridge.username,
    mqttPassword: broker.bridge.password,
  });
}

const topicOf = (d: TestDevice) => readingsTopic(net.networkHex, d.hex);
const decided = (bridge: Bridge) => {
  const s = bridge.stats();
  return s.accepted + s.duplicates + s.rejected;
};

describe('local mosquitto ACL (item 5)', () => {
  it('gives anonymous subscribers nothing (#, zkpin/v1/#, a device topic) while the bridge receives', async () => {
    const bridge = await startBridge();
    const seen: string[] = [];
    for (const [i, filter] of ['#', 'zkpin/v1/#', topicOf(a)].entries()) {
      const spy = await client(`spy-${i}`);
      spy.on('message', (t) => seen.push(`${filter}: ${t}`));
      await spy.subscribeAsync(filter, { qos: 1 });
    }
    const device = await client(a.hex);
    await device.publishAsync(topicOf(a), JSON.stringify(signedReading(net, a, 1n)), { qos: 1 });
    await waitFor(() => bridge.stats().accepted === 1, 'the bridge to admit the reading');
    // The broker hands a message to every subscriber at once; give the spies ample time.
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toEqual([]);
    expect((await allJobs(bridge)).map((j) => j.id)).toEqual([readingJobId(a.hex, 1n)]);
  });

  it("drops a device's publish to another device's topic, and passes its own", async () => {
    const bridge = await startBridge();
    const devA = await client(a.hex);
    const devB = await client(b.hex);
    // b replays a's genuine reading on a's topic: the broker must not pass it on.
    const stolen = signedReading(net, a, 2n);
    await devB.publishAsync(topicOf(a), JSON.stringify(stolen), { qos: 1 });
    // The broker routed b's message before acknowledging it, so anything it passed on reaches
    // the bridge before these.
    await devA.publishAsync(topicOf(a), JSON.stringify(signedReading(net, a, 3n)), { qos: 1 });
    await devB.publishAsync(topicOf(b), JSON.stringify(signedReading(net, b, 1n)), { qos: 1 });
    await waitFor(() => decided(bridge) >= 2, 'the bridge to decide two messages');
    await new Promise((r) => setTimeout(r, 200));
    expect(decided(bridge)).toBe(2);
    expect((await allJobs(bridge)).map((j) => j.id).sort()).toEqual(
      [readingJobId(a.hex, 3n), readingJobId(b.hex, 1n)].sort(),
    );
  });

  it('lets the bridge in only with its password', async () => {
    const prefix = randomPrefix();
    const wrong = createBridge({
      network: net.networkHex,
      directory: memoryDirectory([a], net.modelId),
      redisUrl: REDIS_URL,
      queuePrefix: prefix,
      mqttUrl: broker.url,
      mqttUsername: broker.bridge.username,
      mqttPassword: `${broker.bridge.password}x`,
      logger: pino({ level: 'silent' }),
      connectTimeoutMs: 1500,
    });
    await expect(wrong.start()).rejects.toThrow(/MQTT_UNREACHABLE.*[Nn]ot authorized/);
    await cleanUp(prefix);
    await expect(
      client('anyone', { username: broker.bridge.username, password: 'guess' }),
    ).rejects.toThrow(/[Nn]ot authorized/);
  });
});
