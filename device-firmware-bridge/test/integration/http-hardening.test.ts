/**
 * L-1: attacks on a running bridge's HTTP ingest (real sockets, real Redis): a slowloris
 * body and slowloris headers are cut off within a bounded time, connections above the cap
 * are refused, /metrics is not served on the ingest port, and both listen on loopback by
 * default. After each attack the bridge still accepts a reading.
 */
import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readingJobId } from '@zkpin/sdk';
import type { Bridge, HttpLimits } from '../../src/index.ts';
import {
  TestBridges,
  assertServices,
  memoryDirectory,
  newDevice,
  post,
  signedReading,
  type TestDevice,
} from './helpers.ts';

const net = { networkHex: '5a'.repeat(32), modelId: 7 };
let device: TestDevice;
let seq = 0n;
const bridges = new TestBridges();

beforeAll(async () => {
  await assertServices();
  device = await newDevice();
});
afterEach(() => bridges.stopAll());

function startBridge(httpLimits: Partial<HttpLimits> = {}): Promise<Bridge> {
  return bridges.start({
    network: net.networkHex,
    directory: memoryDirectory([device], net.modelId),
    httpLimits,
  });
}

function portOf(address: string): number {
  return Number(new URL(address).port);
}

/** A raw TCP connection; `closed` resolves (with ms since open and what the server sent) when the server ends it. */
async function open(port: number): Promise<{
  socket: Socket;
  closed: Promise<{ afterMs: number; received: string }>;
}> {
  const socket = connect(port, '127.0.0.1');
  const t0 = Date.now();
  let received = '';
  socket.on('data', (d) => (received += d.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<{ afterMs: number; received: string }>((resolve) =>
    socket.once('close', () => resolve({ afterMs: Date.now() - t0, received })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, closed };
}

/** Writes `text` one byte every `everyMs` until the socket closes or the text runs out; returns bytes written. */
async function trickle(socket: Socket, text: string, everyMs: number): Promise<number> {
  let sent = 0;
  for (const ch of text) {
    if (socket.destroyed || socket.writableEnded) break;
    socket.write(ch);
    sent += 1;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return sent;
}

async function stillAccepts(bridge: Bridge): Promise<void> {
  seq += 1n;
  const res = await post(bridge, signedReading(net, device, seq));
  expect(res).toEqual({
    status: 202,
    body: { jobId: readingJobId(device.hex, seq), duplicate: false },
  });
}

describe('HTTP ingest hardening (L-1)', () => {
  it('cuts off a slowloris body (one byte every 500 ms) at the request timeout', async () => {
    const bridge = await startBridge({ requestTimeoutMs: 2000, headersTimeoutMs: 1000 });
    const { socket, closed } = await open(portOf(bridge.httpAddress!));
    const body = JSON.stringify(signedReading(net, device, 999n));
    socket.write(
      `POST /v1/readings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    const sent = trickle(socket, body, 500);
    const end = await Promise.race([
      closed,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 8000)),
    ]);
    socket.destroy();
    expect(end, 'the server never closed the slow connection').toBeDefined();
    // 2 s request timeout, checked every 500 ms, plus scheduling slack on a busy machine.
    expect(end!.afterMs).toBeLessThan(5000);
    expect(await sent).toBeLessThan(body.length);
    expect(end!.received === '' || end!.received.startsWith('HTTP/1.1 408')).toBe(true);
    expect(bridge.stats().accepted).toBe(0);
    await stillAccepts(bridge);
  });

  it('cuts off slowloris headers at the headers timeout', async () => {
    const bridge = await startBridge({ requestTimeoutMs: 4000, headersTimeoutMs: 1000 });
    const { socket, closed } = await open(portOf(bridge.httpAddress!));
    const headers = `POST /v1/readings HTTP/1.1\r\nHost: x\r\nX-Pad: ${'a'.repeat(200)}\r\n\r\n`;
    void trickle(socket, headers, 500);
    const end = await Promise.race([
      closed,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 8000)),
    ]);
    socket.destroy();
    expect(end, 'the server never closed the slow connection').toBeDefined();
    expect(end!.afterMs).toBeLessThan(3500);
    await stillAccepts(bridge);
  });

  it('refuses connections above the cap, and serves again once they close', async () => {
    const bridge = await startBridge({ maxConnections: 5 });
    const port = portOf(bridge.httpAddress!);
    const held = await Promise.all(Array.from({ length: 5 }, () => open(port)));
    const extra = await Promise.all(
      Array.from({ length: 3 }, () => open(port).catch(() => undefined)),
    );
    for (const [i, e] of extra.entries()) {
      if (!e) continue; // refused before the handshake completed: refused as well
      const end = await Promise.race([
        e.closed,
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 3000)),
      ]);
      expect(end, `connection ${6 + i} above the cap of 5 was kept open`).toBeDefined();
      expect(end!.received).toBe('');
    }
    // The five under the cap are still open.
    for (const h of held) expect(h.socket.destroyed).toBe(false);
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
    await stillAccepts(bridge);
  });

  it('serves /metrics on its own port, not on the ingest port', async () => {
    const bridge = await startBridge();
    await stillAccepts(bridge);
    const onIngest = await fetch(`${bridge.httpAddress!}/metrics`);
    expect(onIngest.status).toBe(404);
    expect(await onIngest.text()).not.toContain('zkpin_bridge');
    expect(bridge.metricsAddress).toBeDefined();
    expect(portOf(bridge.metricsAddress!)).not.toBe(portOf(bridge.httpAddress!));
    const metrics = await fetch(`${bridge.metricsAddress!}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/zkpin_bridge_accepted_total\{source="http"\} 1/);
    expect((await fetch(`${bridge.metricsAddress!}/healthz`)).status).toBe(200);
  });

  it('listens on loopback only by default (ingest and metrics)', async () => {
    const bridge = await startBridge();
    expect(bridge.httpAddress).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(bridge.metricsAddress).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
    if (external) {
      for (const address of [bridge.httpAddress!, bridge.metricsAddress!]) {
        const port = portOf(address);
        const reached = await new Promise<boolean>((resolve) => {
          const s = connect(port, external);
          s.once('connect', () => {
            s.destroy();
            resolve(true);
          });
          s.once('error', () => resolve(false));
        });
        expect(reached, `${external}:${port} answered`).toBe(false);
      }
    }
  });
});
