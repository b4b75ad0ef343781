/**
 * The pipeline status contract (sdk/src/pipeline-status.ts): device keys in both forms, the
 * index's members, the words an owner reads, and the client against a real HTTP server that
 * answers well, refuses, and answers off-schema.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PublicKey } from '@solana/web3.js';
import {
  PipelineStatusClient,
  deviceReadingsMember,
  describeReadingStatus,
  isPipelineStatusClientError,
  parseDeviceKey,
  parseDeviceReadingsMember,
} from '../../src/pipeline-status.ts';

const hex = 'ab'.repeat(32);
const base58 = new PublicKey(Buffer.from(hex, 'hex')).toBase58();

describe('pipeline status contract', () => {
  it('takes a device key as base58 or hex, nothing else', () => {
    expect(parseDeviceKey(base58)).toBe(hex);
    expect(parseDeviceKey(hex.toUpperCase())).toBe(hex);
    for (const bad of ['', hex.slice(1), `${hex}00`, '0OIl'.repeat(10), '1'.repeat(44), '../x'])
      expect(parseDeviceKey(bad)).toBeUndefined();
  });

  it('index members sort by seq and read back', () => {
    const seqs = [9n, 10n, 100n, 2n ** 64n - 1n];
    const members = seqs.map((s) => deviceReadingsMember(s, 1_764_000_000_000));
    expect([...members].reverse().sort()).toEqual(members);
    expect(members.map((m) => parseDeviceReadingsMember(m)?.seq)).toEqual(seqs.map(String));
    expect(parseDeviceReadingsMember(deviceReadingsMember(0n, 5))).toEqual({
      seq: '0',
      acceptedAt: 5,
    });
    expect(parseDeviceReadingsMember('12:5')).toBeUndefined();
  });

  it('says a state in words: a dead letter with its reason and meaning, a retry with its error', () => {
    expect(
      describeReadingStatus({
        seq: '3',
        state: 'dead_letter',
        acceptedAt: 1,
        reason: 'DEVICE_REVOKED',
      }),
    ).toBe(
      'dead letter: DEVICE_REVOKED — the device is revoked; its readings are no longer attested',
    );
    expect(
      describeReadingStatus({ seq: '3', state: 'dead_letter', acceptedAt: 1, reason: 'NEW_CODE' }),
    ).toBe('dead letter: NEW_CODE');
    expect(
      describeReadingStatus({
        seq: '3',
        state: 'relayed',
        acceptedAt: 1,
        attempts: 2,
        message: 'rpc down',
      }),
    ).toBe('relayed (retrying after 2 failed attempts: rpc down)');
    expect(describeReadingStatus({ seq: '3', state: 'recorded', acceptedAt: 1 })).toBe('recorded');
  });
});

describe('PipelineStatusClient', () => {
  let server: Server;
  let url: string;
  const answers: Record<string, [number, unknown]> = {
    good: [200, { device: base58, readings: [{ seq: '1', state: 'recorded', acceptedAt: 5 }] }],
    refused: [400, { error: { code: 'BAD_DEVICE', message: 'not a device key' } }],
    odd: [200, { device: base58, readings: [{ seq: '01', state: 'lost', acceptedAt: 5 }] }],
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      const which = /^\/v1\/devices\/([a-z]+)\/readings/.exec(req.url ?? '')?.[1] ?? '';
      const [status, body] = answers[which] ?? [
        404,
        { error: { code: 'NOT_FOUND', message: 'no' } },
      ];
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('returns a valid answer and refuses the rest with a code', async () => {
    const client = new PipelineStatusClient(url);
    expect((await client.deviceReadings('good', { limit: 5 })).readings[0]!.state).toBe('recorded');
    const refused = await client.deviceReadings('refused').catch((e: unknown) => e);
    expect(isPipelineStatusClientError(refused, 'PIPELINE_STATUS_REFUSED')).toBe(true);
    expect(refused).toMatchObject({
      message: 'pipeline status: not a device key',
      context: { status: 400, endpointCode: 'BAD_DEVICE' },
    });
    const odd = await client.deviceReadings('odd').catch((e: unknown) => e);
    expect(isPipelineStatusClientError(odd, 'PIPELINE_STATUS_BAD_ANSWER')).toBe(true);
    const down = new PipelineStatusClient('http://127.0.0.1:1/');
    const failed = await down.deviceReadings('good').catch((e: unknown) => e);
    expect(isPipelineStatusClientError(failed, 'PIPELINE_STATUS_HTTP_ERROR')).toBe(true);
  });
});
