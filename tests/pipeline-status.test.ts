/**
 * The pipeline status of a device's readings, end to end on real components: the bridge
 * (signature checks, device gate, admission.lua writing the per-device index) and the
 * oracle's workers on real Redis, the LiteSVM chain with both programs and the real prover,
 * and the oracle's status endpoint over HTTP read by the SDK's PipelineStatusClient.
 *
 * A reading goes accepted → proving → relayed → recorded; a reading whose device is revoked
 * after the bridge accepted it becomes a dead letter `DEVICE_REVOKED` with its meaning; jobs
 * removed after the end read as `recorded` (the chain replica says so) or `unknown`. Readings
 * that fail the bridge's checks (unsigned, signed by another key, a replay) never enter a
 * device's index, and the index keeps the newest DEVICE_READINGS_CAP seqs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { PublicKey } from '@solana/web3.js';
import {
  DEVICE_READINGS_CAP,
  DEVICE_STATUS_REVOKED,
  PipelineStatusClient,
  PipelineStatusClientError,
  deviceReadingsKey,
  describeReadingStatus,
  readingJobId,
  signedReadingToJson,
  type ReadingStatus,
  type SignedReading,
} from '@zkpin/sdk';
import { createBridge, type Bridge } from '@zkpin/device-firmware-bridge';
import { Prover, devProverArtifacts } from '@zkpin/oracle/prover';
import { ReadingStatusReader, startStatusServer, type StatusServer } from '@zkpin/oracle/status';
import {
  createProverWorker,
  createRelayer,
  type ProverLike,
  type ProverWorkerHandle,
  type RelayerHandle,
} from '@zkpin/oracle/workers';
import {
  PipelineFixture,
  REDIS_URL,
  randomPrefix,
  requireRedis,
  waitFor,
  type TestDevice,
} from '@zkpin/oracle/test-support';

const connection = { url: REDIS_URL };
let fx: PipelineFixture;
let redis: Redis;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  await requireRedis();
  fx = await PipelineFixture.create(await Prover.create(await devProverArtifacts(1)));
  redis = new Redis(REDIS_URL);
}, 600_000);

afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  redis?.disconnect();
  await fx?.close();
});

/** A bridge, the status reader and its endpoint on a fresh prefix; removed after the file. */
async function stack(): Promise<{
  prefix: string;
  bridge: Bridge;
  reader: ReadingStatusReader;
  server: StatusServer;
  client: PipelineStatusClient;
}> {
  const prefix = randomPrefix();
  const bridge = createBridge({
    network: fx.setup.network,
    directory: fx.follower,
    redisUrl: REDIS_URL,
    queuePrefix: prefix,
    logger: pino({ level: 'silent' }),
    verifyThreads: 0,
    limits: { rateBurst: 0 },
  });
  await bridge.start();
  const reader = new ReadingStatusReader({ connection, prefix, directory: fx.follower });
  const server = await startStatusServer({ reader, port: 0, host: '127.0.0.1', ratePerSecond: 0 });
  closers.push(async () => {
    await server.close();
    await reader.close();
    await bridge.stop();
    await reader.proveQueue.obliterate({ force: true }).catch(() => undefined);
    await reader.relayQueue.obliterate({ force: true }).catch(() => undefined);
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
  });
  return { prefix, bridge, reader, server, client: new PipelineStatusClient(server.url) };
}

/** What the bridge's HTTP ingest does with a reading (`raw`: any JSON instead). */
function ingest(bridge: Bridge, r: SignedReading, raw?: unknown) {
  return bridge.ingest(JSON.stringify(raw ?? signedReadingToJson(r)), 'http');
}

const base58 = (d: TestDevice) => new PublicKey(d.keys.ed25519.publicKey).toBase58();

/** Polls the endpoint until `seq`'s state is `state`. */
async function until(
  client: PipelineStatusClient,
  d: TestDevice,
  seq: string,
  state: ReadingStatus['state'],
): Promise<ReadingStatus> {
  return waitFor(
    async () => {
      const r = (await client.deviceReadings(d.hex)).readings.find((x) => x.seq === seq);
      return r?.state === state ? r : undefined;
    },
    120_000,
    `seq ${seq} of ${d.hex.slice(0, 8)} to be ${state}`,
  );
}

describe('pipeline status endpoint', () => {
  it('follows a reading from accepted through proving and relayed to recorded; a revoked device dead-letters with its reason', async () => {
    const { bridge, reader, client, server, prefix } = await stack();
    const a = await fx.addDevice();
    const r = await fx.addDevice();

    const started = Date.now();
    expect(await ingest(bridge, fx.reading(a, 1n))).toMatchObject({ accepted: true });
    expect(await ingest(bridge, fx.reading(r, 1n))).toMatchObject({ accepted: true });
    // No worker yet: the readings wait in the prove queue.
    const first = await client.deviceReadings(base58(a));
    expect(first.device).toBe(base58(a));
    expect(first.readings).toHaveLength(1);
    expect(first.readings[0]).toMatchObject({ seq: '1', state: 'accepted', stage: 'prove' });
    expect(first.readings[0]!.acceptedAt).toBeGreaterThanOrEqual(started - 1);
    expect(first.readings[0]!.acceptedAt).toBeLessThanOrEqual(Date.now());
    // The same answer for the hex key; the header an app on another origin needs.
    const res = await fetch(`${server.url}v1/devices/${a.hex}/readings?limit=5`);
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(((await res.json()) as { readings: unknown[] }).readings).toEqual(first.readings);

    // The device of the other reading is revoked after the bridge accepted it.
    await fx.net.revokeDevice(r);
    await waitFor(
      () => fx.follower.device(r.hex)?.leaf.status === DEVICE_STATUS_REVOKED,
      30_000,
      'the revocation',
    );

    // A prover held at the start of each proof, so that "proving" can be seen.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const gated: ProverLike = {
      prove: async (reading) => {
        await held;
        return fx.prover.prove(reading);
      },
    };
    const prover: ProverWorkerHandle = createProverWorker({
      connection,
      prefix,
      prover: gated,
      follower: fx.follower,
    });
    closers.push(() => prover.close());
    await until(client, a, '1', 'proving');
    const dead = await until(client, r, '1', 'dead_letter');
    expect(dead).toMatchObject({ reason: 'DEVICE_REVOKED', stage: 'prove' });
    expect(dead.message).toMatch(/is not active/);
    expect(describeReadingStatus(dead)).toMatch(/^dead letter: DEVICE_REVOKED — .*revoked/);
    release();
    // Proven; no relayer yet: the relay job waits.
    expect(await until(client, a, '1', 'relayed')).toMatchObject({ stage: 'relay' });
    const relayer: RelayerHandle = createRelayer({
      connection,
      prefix,
      chain: fx.chain,
      follower: fx.follower,
      submitter: fx.oracle,
      setup: fx.setup,
    });
    closers.push(() => relayer.close());
    const recorded = await until(client, a, '1', 'recorded');
    expect(recorded.stage).toBe('relay');
    expect(recorded.updatedAt).toBeGreaterThanOrEqual(recorded.acceptedAt);
    expect(fx.seqOf(a)).toBe(1n);

    // Newest first.
    expect(await ingest(bridge, fx.reading(a, 2n))).toMatchObject({ accepted: true });
    await until(client, a, '2', 'recorded');
    expect((await client.deviceReadings(a.hex)).readings.map((x) => x.seq)).toEqual(['2', '1']);
    expect((await client.deviceReadings(a.hex, { limit: 1 })).readings.map((x) => x.seq)).toEqual([
      '2',
    ]);

    // Jobs removed after the end: the chain replica knows seq 1 was recorded; nothing knows
    // what became of the revoked device's reading.
    const id = readingJobId(a.hex, 1n);
    await (await reader.relayQueue.getJob(id))!.remove();
    await (await reader.proveQueue.getJob(id))!.remove();
    await (await reader.proveQueue.getJob(readingJobId(r.hex, 1n)))!.remove();
    const old = (await client.deviceReadings(a.hex)).readings.find((x) => x.seq === '1');
    expect(old).toMatchObject({ state: 'recorded' });
    expect(old!.stage).toBeUndefined();
    expect((await client.deviceReadings(r.hex)).readings[0]).toMatchObject({
      seq: '1',
      state: 'unknown',
    });
  }, 300_000);

  it('refuses bad input with 400, unknown paths with 404, answers a CORS preflight, and limits a client', async () => {
    const { server, client, reader } = await stack();
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      return {
        status: res.status,
        cors: res.headers.get('access-control-allow-origin'),
        body: (await res.json()) as { error?: { code: string; message: string } },
      };
    };
    const device = (await fx.addDevice()).hex;
    const bad = await get('v1/devices/not-a-key/readings');
    expect(bad).toMatchObject({ status: 400, cors: '*', body: { error: { code: 'BAD_DEVICE' } } });
    expect(bad.body.error!.message).toMatch(/base58 address or 64 hex digits/);
    expect(await get(`v1/devices/${device.slice(2)}/readings`)).toMatchObject({ status: 400 });
    for (const limit of ['0', '101', '-1', '2.5', 'ten', ''])
      expect(await get(`v1/devices/${device}/readings?limit=${limit}`)).toMatchObject({
        status: 400,
        body: { error: { code: 'BAD_LIMIT' } },
      });
    expect(await get(`v1/devices/${device}/readings?limit=100`)).toMatchObject({
      status: 200,
      body: { readings: [] },
    });
    expect(await get('v1/devices')).toMatchObject({
      status: 404,
      cors: '*',
      body: { error: { code: 'NOT_FOUND' } },
    });
    expect(await get('')).toMatchObject({ status: 404 });
    const post = await fetch(`${server.url}v1/devices/${device}/readings`, { method: 'POST' });
    expect(post.status).toBe(405);
    const preflight = await fetch(`${server.url}v1/devices/${device}/readings`, {
      method: 'OPTIONS',
      headers: { origin: 'http://app.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/GET/);
    // The client turns an error answer into its error, with the endpoint's code.
    const refused = await client.deviceReadings('nope').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PipelineStatusClientError);
    expect(refused).toMatchObject({
      code: 'PIPELINE_STATUS_REFUSED',
      context: { status: 400, endpointCode: 'BAD_DEVICE' },
    });

    // One request per 2 s, bursts of 1 (slow enough that no token comes back during the test):
    // the second and third at once are refused with Retry-After.
    const limited = await startStatusServer({
      reader,
      port: 0,
      host: '127.0.0.1',
      ratePerSecond: 0.5,
    });
    closers.push(() => limited.close());
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${limited.url}v1/devices/${device}/readings`);
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
      await res.body?.cancel();
    }
    expect(statuses).toEqual([200, 429, 429]);
    expect([1, 2]).toContain(Number(retryAfter));
  }, 120_000);

  it("only readings that pass the bridge's checks enter a device's index, capped to the newest", async () => {
    const { bridge, client, prefix } = await stack();
    const victim = await fx.addDevice();
    const attacker = await fx.addDevice();
    const key = deviceReadingsKey(prefix, victim.hex);

    // Unsigned: the victim's reading with its signature zeroed.
    const unsigned = fx.reading(victim, 5n);
    unsigned.ed25519Signature.fill(0);
    expect(await ingest(bridge, unsigned)).toMatchObject({
      accepted: false,
      reason: 'BAD_SIGNATURE',
    });
    // Signed by the attacker's key, naming the victim's device.
    const forged = fx.reading(attacker, 6n);
    forged.device = victim.keys.ed25519.publicKey;
    expect(await ingest(bridge, forged)).toMatchObject({
      accepted: false,
      reason: 'BAD_SIGNATURE',
    });
    // Not even parsed.
    expect(await ingest(bridge, unsigned, { device: victim.hex, seq: '7' })).toMatchObject({
      accepted: false,
    });
    expect(await redis.zcard(key)).toBe(0);
    expect((await client.deviceReadings(victim.hex)).readings).toEqual([]);

    // The victim's own readings: a re-send is one entry, a replayed lower seq none.
    const r10 = fx.reading(victim, 10n);
    expect(await ingest(bridge, r10)).toMatchObject({ accepted: true, duplicate: false });
    expect(await ingest(bridge, r10)).toMatchObject({ accepted: true, duplicate: true });
    expect(await ingest(bridge, fx.reading(victim, 9n))).toMatchObject({
      accepted: false,
      reason: 'REPLAYED_SEQ',
    });
    expect(await redis.zrange(key, 0, -1)).toHaveLength(1);
    expect(await redis.pttl(key)).toBeGreaterThan(0);

    // More accepted readings than the cap: the newest DEVICE_READINGS_CAP stay, seq order
    // across digit counts (11 … 120).
    const extra = DEVICE_READINGS_CAP + 10;
    const results = await Promise.all(
      Array.from({ length: extra }, (_, i) => ingest(bridge, fx.reading(victim, BigInt(11 + i)))),
    );
    expect(results.every((x) => x.accepted)).toBe(true);
    expect(await redis.zcard(key)).toBe(DEVICE_READINGS_CAP);
    const newest = (await client.deviceReadings(victim.hex, { limit: 100 })).readings;
    const top = 10 + extra;
    expect(newest.map((x) => x.seq)).toEqual(
      Array.from({ length: 100 }, (_, i) => String(top - i)),
    );
    expect(newest.every((x) => x.state === 'accepted')).toBe(true);
    console.log(
      JSON.stringify({
        test: 'device index',
        entries: DEVICE_READINGS_CAP,
        encoding: await redis.call('OBJECT', 'ENCODING', key),
        bytes: await redis.call('MEMORY', 'USAGE', key),
      }),
    );
  }, 120_000);
});
