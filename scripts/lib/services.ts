/**
 * Redis and MQTT for the local network: `REDIS_URL` / `MQTT_URL` when set; otherwise a
 * private redis-server / mosquitto on a free loopback port (stopped on shutdown); otherwise
 * an error that says what to install.
 *
 * The private mosquitto enforces who may use which topic (`mosquittoAcl`): devices connect
 * anonymously with their device key (hex) as client id and may only publish their own
 * readings topic; the bridge logs in as `zkpin-bridge` (password generated per start) and is
 * the only client that may read `zkpin/v1/#`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mqtt from 'mqtt';
import { MQTT_TOPIC_ROOT, readingsTopic } from '@zkpin/sdk';

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

export interface MqttCredentials {
  username: string;
  password: string;
}

export async function mqttPing(
  url: string,
  timeoutMs = 2_000,
  credentials?: MqttCredentials,
): Promise<void> {
  const c = await mqtt.connectAsync(url, {
    connectTimeout: timeoutMs,
    reconnectPeriod: 0,
    ...credentials,
  });
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
    child.kill('SIGCONT'); // in case a test left it stopped
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
  return startRedis();
}

/** A private redis-server on a free loopback port, no persistence. */
export async function startRedis(): Promise<Service & { child: ChildProcess }> {
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
  return { url, owned: true, child, stop: () => stopChild(child, dir) };
}

export interface MqttService extends Service {
  /** What the bridge logs in with (MQTT_USERNAME / MQTT_PASSWORD, or the private broker's). */
  bridge?: MqttCredentials;
}

/** The bridge's user on the private broker. */
export const BRIDGE_MQTT_USER = 'zkpin-bridge';

/**
 * Mosquitto ACL of the local network. `pattern` lines apply to every client, `%c` is the
 * client id: a device (client id = its device key in hex) may publish its own readings topic
 * and nothing else; anonymous clients get no read access at all; the bridge user reads every
 * zkpin topic. Client ids are not authenticated: production brokers should tie them to
 * per-device credentials (e.g. TLS client certificates with `use_identity_as_username` and
 * `%u` in place of `%c`). The bridge checks the payload's signature either way.
 */
export function mosquittoAcl(bridgeUser = BRIDGE_MQTT_USER): string {
  return [
    '# devices: client id = device key (hex); publish own readings only',
    `pattern write ${readingsTopic('+', '%c')}`,
    '',
    '# the bridge',
    `user ${bridgeUser}`,
    `topic read ${MQTT_TOPIC_ROOT}/#`,
    '',
  ].join('\n');
}

export interface Mosquitto extends MqttService {
  bridge: MqttCredentials;
  port: number;
  /** The broker's process (tests stop and continue it). */
  child: ChildProcess;
}

/** A private mosquitto on a free loopback port with the local network's ACL and passwords. */
export async function startMosquitto(): Promise<Mosquitto> {
  if (!has('mosquitto') || !has('mosquitto_passwd')) {
    throw new Error(
      'An MQTT broker is needed: set MQTT_URL, or install Mosquitto (Debian: apt-get install mosquitto)',
    );
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'zkpin-mosquitto-'));
  const bridge = { username: BRIDGE_MQTT_USER, password: randomBytes(18).toString('base64url') };
  const passwd = join(dir, 'passwd');
  const made = spawnSync('mosquitto_passwd', [
    '-b',
    '-c',
    passwd,
    bridge.username,
    bridge.password,
  ]);
  if (made.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`mosquitto_passwd failed: ${made.stderr.toString().trim()}`);
  }
  writeFileSync(join(dir, 'acl'), mosquittoAcl(bridge.username));
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      // Devices connect without a username; the ACL confines them to their own topic.
      'allow_anonymous true',
      `password_file ${passwd}`,
      `acl_file ${join(dir, 'acl')}`,
      'persistence false',
      // Keeps the broker from dropping to the mosquitto user, which could not read this directory.
      'user root',
      // Queue many QoS 1 messages per client: the default 1000 drops readings behind a busy
      // bridge (or one that is restarting).
      'max_queued_messages 100000',
      '',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
  const url = `mqtt://127.0.0.1:${port}`;
  try {
    await retry('mosquitto', () => mqttPing(url, 500));
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return { url, port, owned: true, bridge, child, stop: () => stopChild(child, dir) };
}

export async function ensureMqtt(env: {
  url?: string;
  username?: string;
  password?: string;
}): Promise<MqttService> {
  if (env.url) {
    const bridge =
      env.username !== undefined
        ? { username: env.username, password: env.password ?? '' }
        : undefined;
    await mqttPing(env.url, 2_000, bridge).catch((e: unknown) => {
      throw new Error(`MQTT_URL=${env.url} is not reachable: ${String(e)}`);
    });
    return { url: env.url, owned: false, bridge, stop: () => Promise.resolve() };
  }
  return startMosquitto();
}
