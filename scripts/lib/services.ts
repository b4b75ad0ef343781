/**
 * Redis and MQTT for the local network: `REDIS_URL` / `MQTT_URL` when set; otherwise a
 * private redis-server / mosquitto on a free loopback port (stopped on shutdown); otherwise
 * an error that says what to install.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';

export interface Service {
  url: string;
  /** Whether this process started it (and stops it). */
  owned: boolean;
  stop(): Promise<void>;
}

function has(bin: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function retry<T>(what: string, fn: () => Promise<T>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > until)
        throw new Error(`${what} did not come up within ${ms} ms: ${String(e)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function redisPing(url: string, timeoutMs = 2_000): Promise<void> {
  const r = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined); // reported by connect()
  try {
    await r.connect();
    await r.ping();
  } finally {
    r.disconnect();
  }
}

export async function mqttPing(url: string, timeoutMs = 2_000): Promise<void> {
  const c = await mqtt.connectAsync(url, { connectTimeout: timeoutMs, reconnectPeriod: 0 });
  await c.endAsync();
}

function stopChild(child: ChildProcess, dir: string): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) {
      rmSync(dir, { recursive: true, force: true });
      resolve();
      return;
    }
    child.once('exit', () => {
      rmSync(dir, { recursive: true, force: true });
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function ensureRedis(envUrl: string | undefined): Promise<Service> {
  if (envUrl) {
    await redisPing(envUrl).catch((e: unknown) => {
      throw new Error(`REDIS_URL=${envUrl} is not reachable: ${String(e)}`);
    });
    return { url: envUrl, owned: false, stop: () => Promise.resolve() };
  }
  if (!has('redis-server')) {
    throw new Error(
      'Redis is needed: set REDIS_URL, or install it (Debian: apt-get install redis-server)',
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'zkpin-redis-'));
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    {
      stdio: 'ignore',
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  await retry('redis-server', () => redisPing(url, 500));
  return { url, owned: true, stop: () => stopChild(child, dir) };
}

export async function ensureMqtt(envUrl: string | undefined): Promise<Service> {
  if (envUrl) {
    await mqttPing(envUrl).catch((e: unknown) => {
      throw new Error(`MQTT_URL=${envUrl} is not reachable: ${String(e)}`);
    });
    return { url: envUrl, owned: false, stop: () => Promise.resolve() };
  }
  if (!has('mosquitto')) {
    throw new Error(
      'An MQTT broker is needed: set MQTT_URL, or install Mosquitto (Debian: apt-get install mosquitto)',
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'zkpin-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  // `user root` keeps the broker from dropping to the mosquitto user, which could not
  // read this directory.
  writeFileSync(
    conf,
    // Queue many QoS 1 messages per client: the default 1000 drops readings behind a busy bridge.
    `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\nmax_queued_messages 100000\n`,
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const url = `mqtt://127.0.0.1:${port}`;
  await retry('mosquitto', () => mqttPing(url, 500));
  return { url, owned: true, stop: () => stopChild(child, dir) };
}
