/**
 * Fault tests of the oracle pipeline against real Redis, the LiteSVM chain with both programs
 * and the real prover:
 * - a prover worker killed (SIGKILL) mid-proof: another worker completes the job, one record;
 * - Redis killed and restarted mid-run (its own redis-server, AOF fsync always): every
 *   accepted job ends on-chain, once;
 * - chain errors: retried with backoff, then dead-lettered with the reason;
 * - the same reading twice and a replayed old seq: exactly one record.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue, type ConnectionOptions, type Job } from 'bullmq';
import {
  QUEUE_PROVE,
  QUEUE_RELAY,
  bigIntToBytesBE,
  deadLetterReason,
  encodeReadingMessage,
  readingJobId,
  toHex,
  type Chain,
  type RelayJob,
  type SignedReading,
} from '@zkpin/sdk';
import { EmbeddedChain, REPO_ROOT } from '@zkpin/sdk/testing';
import { Prover, devProverArtifacts } from '@zkpin/oracle/prover';
import {
  createProverWorker,
  createRelayer,
  type ProverWorkerHandle,
  type RelayerHandle,
} from '@zkpin/oracle/workers';
import {
  PipelineFixture,
  REDIS_URL,
  obliterate,
  randomPrefix,
  requireRedis,
  waitFor,
  type TestDevice,
} from '@zkpin/oracle/test-support';

let prover: Prover;
let fx: PipelineFixture;
const closers: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  await requireRedis();
  prover = await Prover.create(await devProverArtifacts(1));
  fx = await PipelineFixture.create(prover);
}, 600_000);

afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await fx?.close();
});

async function settled(q: Queue, id: string, timeoutMs = 60_000): Promise<Job> {
  await waitFor(
    async () => {
      const s = await (await q.getJob(id))?.getState();
      return s === 'completed' || s === 'failed';
    },
    timeoutMs,
    `job ${id} in ${q.name} to settle`,
  );
  return (await q.getJob(id))!;
}

/** Queues and workers on a fresh prefix, closed and obliterated after the file. */
function pipeline(
  connection: ConnectionOptions,
  o: { chain?: Chain; relayAttempts?: number } = {},
) {
  const prefix = randomPrefix();
  const proveQueue = new Queue(QUEUE_PROVE, { connection, prefix });
  const relayQueue = new Queue(QUEUE_RELAY, { connection, prefix });
  for (const q of [proveQueue, relayQueue]) q.on('error', () => undefined); // Redis restarts
  closers.push(async () => {
    await proveQueue.close();
    await relayQueue.close();
    await obliterate(connection, prefix);
  });
  const startProver = (): ProverWorkerHandle => {
    const h = createProverWorker({
      connection,
      prefix,
      prover,
      follower: fx.follower,
      lockDurationMs: 3_000,
      stalledIntervalMs: 1_000,
      relayJobOptions: { attempts: o.relayAttempts ?? 5, backoff: { type: 'fixed', delay: 200 } },
    });
    closers.push(() => h.close());
    return h;
  };
  const startRelayer = (): RelayerHandle => {
    const h = createRelayer({
      connection,
      prefix,
      chain: o.chain ?? fx.chain,
      follower: fx.follower,
      submitter: fx.oracle,
      setup: fx.setup,
      lockDurationMs: 5_000,
      stalledIntervalMs: 1_000,
    });
    closers.push(() => h.close());
    return h;
  };
  return { prefix, proveQueue, relayQueue, startProver, startRelayer };
}

/** A relay payload for `d`'s reading at seq 1 (a proof is bound to its device and network). */
async function relayPayloadFor(d: TestDevice): Promise<RelayJob> {
  const a = await prover.prove(fx.reading(d, 1n));
  return {
    device: d.hex,
    seq: '1',
    modelId: a.fields.modelId,
    timestamp: a.fields.timestamp.toString(),
    inputCommitment: toHex(bigIntToBytesBE(a.fields.inputCommitment, 32)),
    class: a.fields.class,
    score: a.fields.score.toString(),
    proof: toHex(a.proofBytes),
    acceptedAt: Date.now(),
    prevSeq: null,
  };
}

describe('pipeline faults', () => {
  it('a prover worker killed mid-proof: another worker completes the job, and it is recorded once', async () => {
    const d = await fx.addDevice();
    const p = pipeline({ url: REDIS_URL });
    const job = fx.proveJob(fx.reading(d, 1n));
    await p.proveQueue.add(QUEUE_PROVE, job.data, { jobId: job.id });

    const leaf = fx.follower.device(d.hex)!.leaf;
    const devices = {
      [d.hex]: {
        bjjKeyHash: leaf.bjjKeyHash,
        seq: leaf.seq.toString(),
        status: leaf.status,
        modelId: leaf.modelId,
      },
    };
    // node itself (not the tsx wrapper, whose SIGKILL would orphan the real worker process).
    const child: ChildProcess = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'oracle/test/support/prover-worker-child.ts'),
        REDIS_URL,
        p.prefix,
        JSON.stringify(devices),
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    closers.push(() => Promise.resolve(void child.kill('SIGKILL')));
    const lines = createInterface({ input: child.stdout! });
    const active = await new Promise<string>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the child worker never took the job')), 120_000);
      lines.on('line', (l) => {
        if (l.startsWith('active ')) {
          clearTimeout(t);
          resolve(l.slice(7));
        }
      });
      child.on('exit', (code) =>
        reject(new Error(`child worker exited (${code}) before taking the job`)),
      );
    });
    child.kill('SIGKILL');
    expect(active).toBe(job.id);
    expect(await (await p.proveQueue.getJob(job.id))!.getState()).toBe('active');

    const recordsBefore = fx.follower.records;
    const started = Date.now();
    p.startProver();
    p.startRelayer();
    const relay = await settled(p.relayQueue, job.id);
    const takeoverMs = Date.now() - started;
    expect(relay.returnvalue).toMatchObject({ outcome: 'recorded' });
    const proved = (await p.proveQueue.getJob(job.id))!;
    expect(await proved.getState()).toBe('completed');
    expect(proved.stalledCounter).toBeGreaterThanOrEqual(1); // it was taken over, not finished by the child
    expect(fx.follower.records - recordsBefore).toBe(1);
    expect(fx.seqOf(d)).toBe(1n);
    console.log(JSON.stringify({ test: 'killed-prover', takeover_to_record_ms: takeoverMs }));
  }, 240_000);

  it('Redis killed and restarted mid-run (AOF, fsync always): no accepted job is lost or recorded twice', async () => {
    const redis = await OwnRedis.start();
    closers.push(() => redis.stop());
    const connection = { url: redis.url };
    const d = await fx.addDevice();
    const p = pipeline(connection);
    const ids: string[] = [];
    for (const seq of [1n, 2n, 3n]) {
      const j = fx.proveJob(fx.reading(d, seq));
      await p.proveQueue.add(QUEUE_PROVE, j.data, {
        jobId: j.id,
        attempts: 5,
        backoff: { type: 'fixed', delay: 200 },
      });
      ids.push(j.id);
    }
    const recordsBefore = fx.follower.records;
    p.startProver();
    p.startRelayer();
    await waitFor(() => fx.seqOf(d) >= 1n, 60_000, 'the first record');
    redis.kill();
    await new Promise((r) => setTimeout(r, 1_000));
    await redis.restart();
    // Accepted after the restart too.
    const j4 = fx.proveJob(fx.reading(d, 4n));
    await p.proveQueue.add(QUEUE_PROVE, j4.data, {
      jobId: j4.id,
      attempts: 5,
      backoff: { type: 'fixed', delay: 200 },
    });
    ids.push(j4.id);

    await waitFor(() => fx.seqOf(d) === 4n, 120_000, 'all four records');
    for (const id of ids) {
      const r = await settled(p.relayQueue, id);
      expect(await r.getState(), `${id}: ${r.failedReason}`).toBe('completed');
    }
    expect(fx.follower.records - recordsBefore).toBe(4);
    // The record tree rebuilt from events alone equals the on-chain tree.
    expect(await fx.follower.rootMatchesChain(fx.setup.recordTree)).toBe(true);
    expect(await p.proveQueue.getJobCounts('failed')).toMatchObject({ failed: 0 });
  }, 240_000);

  it('chain errors: transient failures are retried; when they never stop, the job is dead-lettered with the reason', async () => {
    const healed = await fx.addDevice();
    const down = await fx.addDevice();
    const flaky = new FlakyChain(fx.chain);
    const p = pipeline({ url: REDIS_URL }, { chain: flaky });
    p.startRelayer();

    flaky.failNext = 2;
    const payload = await relayPayloadFor(healed);
    const id1 = readingJobId(healed.hex, 1n);
    await p.relayQueue.add(QUEUE_RELAY, payload, {
      jobId: id1,
      attempts: 4,
      backoff: { type: 'exponential', delay: 100 },
    });
    const ok = await settled(p.relayQueue, id1);
    expect(ok.returnvalue).toMatchObject({ outcome: 'recorded' });
    expect(flaky.failed).toBe(2);
    const { logs } = await p.relayQueue.getJobLogs(id1);
    expect(logs.filter((l) => l.startsWith('send failed: fetch failed')).length).toBe(2);
    expect(fx.seqOf(healed)).toBe(1n);

    flaky.failNext = Infinity;
    const id2 = readingJobId(down.hex, 1n);
    await p.relayQueue.add(QUEUE_RELAY, await relayPayloadFor(down), {
      jobId: id2,
      attempts: 3,
      backoff: { type: 'fixed', delay: 100 },
    });
    const dead = await settled(p.relayQueue, id2);
    expect(await dead.getState()).toBe('failed');
    // An RPC fault through every attempt: its own reason (sdk DEAD_LETTER_MEANINGS).
    expect(deadLetterReason(dead.failedReason)).toBe('RPC_UNAVAILABLE');
    expect(dead.failedReason).toMatch(
      /^RPC_UNAVAILABLE: 3 attempts; last error: chain: fetch failed/,
    );
    expect(dead.attemptsMade).toBe(3);
    expect(fx.seqOf(down)).toBe(0n);
  }, 120_000);

  it('the same reading twice and a replayed old seq: exactly one record', async () => {
    const d = await fx.addDevice();
    const p = pipeline({ url: REDIS_URL });
    const recordsBefore = fx.follower.records;
    const j = fx.proveJob(fx.reading(d, 1n));
    await p.proveQueue.add(QUEUE_PROVE, j.data, { jobId: j.id });
    await p.proveQueue.add(QUEUE_PROVE, j.data, { jobId: j.id });
    p.startProver();
    p.startRelayer();
    p.startRelayer(); // two relayers
    await settled(p.relayQueue, j.id);
    // Replays after it landed, under fresh job ids (e.g. after the completed job was removed).
    await p.proveQueue.add(QUEUE_PROVE, j.data, { jobId: `${j.id}-replay` });
    const relayData = (await p.relayQueue.getJob(j.id))!.data as RelayJob;
    await p.relayQueue.add(QUEUE_RELAY, relayData, { jobId: `${j.id}-replay-a` });
    await p.relayQueue.add(QUEUE_RELAY, relayData, { jobId: `${j.id}-replay-b` });
    expect((await settled(p.proveQueue, `${j.id}-replay`)).returnvalue).toEqual({
      outcome: 'already_recorded',
    });
    expect((await settled(p.relayQueue, `${j.id}-replay-a`)).returnvalue).toEqual({
      outcome: 'already_recorded',
    });
    expect((await settled(p.relayQueue, `${j.id}-replay-b`)).returnvalue).toEqual({
      outcome: 'already_recorded',
    });
    expect(await p.proveQueue.getJobCounts('completed')).toMatchObject({ completed: 2 });
    expect(fx.follower.records - recordsBefore).toBe(1);
    expect(fx.seqOf(d)).toBe(1n);
  }, 120_000);

  it('a reading the prover rejects for good leaves a gap: the next reading of the device records (H-3)', async () => {
    const d = await fx.addDevice();
    const p = pipeline({ url: REDIS_URL });
    // The device's BabyJubJub signature of seq 1 is wrong, but it signed it (ed25519): the
    // bridge accepts it, and only the prover can tell.
    const good = fx.reading(d, 1n);
    const broken: SignedReading = {
      ...good,
      bjjSignature: { ...good.bjjSignature, s: good.bjjSignature.s === 1n ? 2n : 1n },
    };
    broken.ed25519Signature = d.keys.ed25519.sign(encodeReadingMessage(broken));
    const j1 = fx.proveJob(broken);
    const j2 = fx.proveJob(fx.reading(d, 2n));
    await p.proveQueue.add(QUEUE_PROVE, j1.data, { jobId: j1.id });
    await p.proveQueue.add(QUEUE_PROVE, j2.data, { jobId: j2.id });
    p.startProver();
    p.startRelayer();
    const dead = await settled(p.proveQueue, j1.id);
    expect(deadLetterReason(dead.failedReason)).toBe('INVALID_BJJ_SIGNATURE');
    const recorded = await settled(p.relayQueue, j2.id);
    expect(recorded.returnvalue).toMatchObject({ outcome: 'recorded' });
    expect(fx.seqOf(d)).toBe(2n);
  }, 120_000);

  it('a reading that arrives after a later one was recorded is a STALE_SEQ dead letter, not "already recorded"', async () => {
    const d = await fx.addDevice();
    const p = pipeline({ url: REDIS_URL });
    p.startProver();
    p.startRelayer();
    const later = fx.proveJob(fx.reading(d, 2n));
    await p.proveQueue.add(QUEUE_PROVE, { ...later.data, prevSeq: null }, { jobId: later.id });
    expect((await settled(p.relayQueue, later.id)).returnvalue).toMatchObject({
      outcome: 'recorded',
    });
    const early = fx.proveJob(fx.reading(d, 1n));
    await p.proveQueue.add(QUEUE_PROVE, early.data, { jobId: early.id });
    const dead = await settled(p.proveQueue, early.id);
    expect(deadLetterReason(dead.failedReason)).toBe('STALE_SEQ');
    // A replay of the recorded one is still "already recorded".
    await p.proveQueue.add(QUEUE_PROVE, later.data, { jobId: `${later.id}-replay` });
    expect((await settled(p.proveQueue, `${later.id}-replay`)).returnvalue).toEqual({
      outcome: 'already_recorded',
    });
  }, 120_000);
});

/** The real chain, with sends that fail like a dropped RPC connection while `failNext` > 0. */
class FlakyChain implements Chain {
  readonly kind = 'embedded' as const;
  failNext = 0;
  failed = 0;
  constructor(private readonly inner: EmbeddedChain) {}
  send(...args: Parameters<Chain['send']>): ReturnType<Chain['send']> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      this.failed += 1;
      return Promise.reject(new TypeError('fetch failed: connect ECONNREFUSED 127.0.0.1:8899'));
    }
    return this.inner.send(...args);
  }
  getAccountInfo(...args: Parameters<Chain['getAccountInfo']>) {
    return this.inner.getAccountInfo(...args);
  }
  onTransaction(...args: Parameters<Chain['onTransaction']>) {
    return this.inner.onTransaction(...args);
  }
  history(...args: Parameters<Chain['history']>) {
    return this.inner.history(...args);
  }
  historyPages(...args: Parameters<Chain['historyPages']>) {
    return this.inner.historyPages(...args);
  }
  slot() {
    return this.inner.slot();
  }
  recentSlot() {
    return this.inner.recentSlot();
  }
  waitPastSlot(slot: bigint) {
    return this.inner.waitPastSlot(slot);
  }
  finalizedSlot() {
    return this.inner.finalizedSlot();
  }
  signatureStatuses(...args: Parameters<Chain['signatureStatuses']>) {
    return this.inner.signatureStatuses(...args);
  }
  close() {
    return Promise.resolve();
  }
}

/** A redis-server of this test's own, persisting every write (appendfsync always). */
class OwnRedis {
  private proc: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<OwnRedis> {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const r = new OwnRedis(port, mkdtempSync(join(tmpdir(), 'zkpin-redis-')));
    await r.restart();
    return r;
  }

  async restart(): Promise<void> {
    this.proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--dir',
        this.dir,
        '--save',
        '',
      ],
      { stdio: 'ignore' },
    );
    await waitFor(
      async () => {
        try {
          await requireRedis(this.url);
          return true;
        } catch {
          return false;
        }
      },
      10_000,
      `redis-server on port ${this.port}`,
    );
  }

  kill(): void {
    this.proc?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    this.kill();
    await new Promise((r) => setTimeout(r, 100));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
