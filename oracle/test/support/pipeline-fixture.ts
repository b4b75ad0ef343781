/**
 * Shared setup of the pipeline tests: real Redis (a random queue prefix, obliterated after),
 * a LiteSVM chain with both programs and a network whose model has the development
 * verifying key, devices registered with real keys, a NetworkFollower, and the real prover.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { PublicKey, type Keypair } from '@solana/web3.js';
import { Queue, type ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';
import {
  QUEUE_PROVE,
  QUEUE_RELAY,
  encodeVerifyingKey,
  fromHex,
  readingJobId,
  signReading,
  signedReadingToJson,
  toHex,
  type DeviceKeys,
  type NetworkFollower,
  type NetworkSetup,
  type ProveJobData,
  type SignedReading,
} from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import {
  REPO_ROOT,
  programPath,
  type EmbeddedChain,
  localNetwork,
  type LocalNetwork,
} from '@zkpin/sdk/testing';
import { Prover, devProverArtifacts } from '../../src/prover/index.ts';

export const REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** Fails fast, with what to do, when Redis is not reachable. */
export async function requireRedis(url = REDIS_URL): Promise<void> {
  const r = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: () => null,
  });
  r.on('error', () => undefined); // reported by connect() below
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    throw new Error(
      `these tests need Redis at ${url} (set REDIS_URL, or start one: redis-server --port 6379): ${e instanceof Error ? e.message : String(e)}`,
    );
  } finally {
    r.disconnect();
  }
}

export function randomPrefix(): string {
  return `zkpin-test-${randomBytes(4).toString('hex')}`;
}

/** Removes every key of both queues under `prefix`. */
export async function obliterate(connection: ConnectionOptions, prefix: string): Promise<void> {
  for (const name of [QUEUE_PROVE, QUEUE_RELAY]) {
    const q = new Queue(name, { connection, prefix });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  }
}

export function ensurePrograms(): void {
  if (
    existsSync(programPath('device_registry')) &&
    existsSync(programPath('inference_attestation'))
  )
    return;
  const r = spawnSync('bash', ['scripts/build-programs.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('bash scripts/build-programs.sh failed');
}

export interface TestDevice {
  keys: DeviceKeys;
  hex: string;
}

export class PipelineFixture {
  readonly chain: EmbeddedChain;
  readonly oracle: Keypair;
  readonly setup: NetworkSetup;
  readonly follower: NetworkFollower;

  private constructor(
    readonly net: LocalNetwork,
    readonly prover: Prover,
  ) {
    this.chain = net.embedded;
    this.oracle = net.oracle;
    this.setup = net.setup;
    this.follower = net.follower;
  }

  /** `shards`: device trees and record trees of each kind (default 1). */
  static async create(prover?: Prover, o: { shards?: number } = {}): Promise<PipelineFixture> {
    ensurePrograms();
    const artifacts = await devProverArtifacts(1);
    const p = prover ?? (await Prover.create(artifacts));
    const net = await localNetwork({
      model: {
        id: artifacts.modelId,
        verifyingKey: encodeVerifyingKey(artifacts.vk),
        onnxSha256: fromHex(artifacts.onnxSha256),
      },
      shards: o.shards,
    });
    return new PipelineFixture(net, p);
  }

  /** Registers a device; with `babyJubOf`, it shares that device's BabyJubJub key (so proofs of one fit the other). */
  async addDevice(babyJubOf?: TestDevice): Promise<TestDevice> {
    const fresh = await generateDeviceKeys();
    const keys: DeviceKeys = babyJubOf
      ? { ed25519: fresh.ed25519, babyJub: babyJubOf.keys.babyJub }
      : fresh;
    const d = await this.net.registerDevice({ keys });
    return { keys, hex: d.hex };
  }

  reading(d: TestDevice, seq: bigint, readings?: number[]): SignedReading {
    return signReading(d.keys, {
      network: this.setup.network.toBytes(),
      seq,
      timestamp: BigInt(Math.floor(Date.now() / 1000)),
      modelId: this.setup.modelId,
      readings: readings ?? [3, 5, 2, 4, 6, 3, 5, 4, 3, 2, 4, 5, 3, 4, 70, 3],
      salt: new Uint8Array(32).fill(Number(seq % 256n)),
    });
  }

  proveJob(r: SignedReading): { id: string; data: ProveJobData } {
    return {
      id: readingJobId(toHex(r.device), r.seq),
      data: {
        reading: signedReadingToJson(r),
        acceptedAt: Date.now(),
        source: 'mqtt',
        // As the bridge would say for readings accepted one after the other.
        prevSeq: r.seq > 1n ? String(r.seq - 1n) : null,
      },
    };
  }

  seqOf(d: TestDevice): bigint {
    return BigInt(this.follower.device(d.hex)!.leaf.seq.toString());
  }

  async close(): Promise<void> {
    await this.net.close();
    this.prover.close();
  }
}

export { PublicKey };

/** Polls `fn` until it returns a value other than undefined/false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  fn: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
