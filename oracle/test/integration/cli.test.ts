/**
 * `zkpin-oracle` against real Redis: dead letters made by the real prover worker (malformed
 * payloads, unknown devices), then status, dead-letters, job, retry and drop run as a child
 * process and their output asserted.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { QUEUE_PROVE, readingJobId, signReading, signedReadingToJson, toHex } from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import { REPO_ROOT } from '@zkpin/sdk/testing';
import { Prover, devProverArtifacts } from '../../src/prover/index.ts';
import { createProverWorker } from '../../src/workers/index.ts';
import {
  REDIS_URL,
  obliterate,
  randomPrefix,
  requireRedis,
  waitFor,
} from '../support/pipeline-fixture.ts';

const run = promisify(execFile);
const connection = { url: REDIS_URL };
const prefix = randomPrefix();
let queue: Queue;
const unknownIds: string[] = [];

async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const r = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'oracle/src/cli.ts'),
        '--redis-url',
        REDIS_URL,
        '--prefix',
        prefix,
        ...args,
      ],
      { cwd: REPO_ROOT },
    );
    return { ...r, code: 0 };
  } catch (e) {
    const x = e as { stdout: string; stderr: string; code: number };
    return { stdout: x.stdout, stderr: x.stderr, code: x.code };
  }
}

beforeAll(async () => {
  await requireRedis();
  queue = new Queue(QUEUE_PROVE, { connection, prefix });
  const prover = await Prover.create(await devProverArtifacts(1));
  const worker = createProverWorker({
    connection,
    prefix,
    prover,
    follower: { device: () => undefined },
  });
  for (let i = 0; i < 3; i++)
    await queue.add(
      QUEUE_PROVE,
      { reading: { seq: 'x' }, acceptedAt: 0, source: 'http' },
      { jobId: `malformed-${i}` },
    );
  const keys = await generateDeviceKeys();
  for (const seq of [1n, 2n]) {
    const r = signReading(keys, {
      network: new Uint8Array(32).fill(1),
      seq,
      timestamp: 1n,
      modelId: 1,
      readings: new Array<number>(16).fill(1),
      salt: new Uint8Array(32),
    });
    const id = readingJobId(toHex(keys.ed25519.publicKey), seq);
    unknownIds.push(id);
    await queue.add(
      QUEUE_PROVE,
      { reading: signedReadingToJson(r), acceptedAt: Date.now(), source: 'mqtt', prevSeq: null },
      { jobId: id },
    );
  }
  await waitFor(
    async () => (await queue.getJobCounts('failed')).failed === 5,
    30_000,
    'five dead letters',
  );
  await worker.close();
  prover.close();
}, 300_000);

afterAll(async () => {
  await queue?.close();
  await obliterate(connection, prefix);
});

describe('zkpin-oracle', () => {
  it('status: counts per queue and dead letters by reason (text and JSON)', async () => {
    const text = await cli('status');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/prove\s+0\s+0\s+0\s+5\s+0/);
    expect(text.stdout).toMatch(/prove\s+MALFORMED_JOB\s+3/);
    expect(text.stdout).toMatch(/prove\s+UNKNOWN_DEVICE\s+2/);
    const json = JSON.parse((await cli('--json', 'status')).stdout) as {
      queues: Record<string, Record<string, number>>;
      deadLetters: Record<string, Record<string, number>>;
    };
    expect(json.queues['prove']).toMatchObject({ failed: 5, waiting: 0 });
    expect(json.deadLetters).toEqual({ prove: { MALFORMED_JOB: 3, UNKNOWN_DEVICE: 2 } });
  });

  it('dead-letters lists them, filtered by reason', async () => {
    const rows = JSON.parse(
      (await cli('--json', 'dead-letters', '--reason', 'UNKNOWN_DEVICE')).stdout,
    ) as { id: string; reason: string; message: string }[];
    expect(rows.map((r) => r.id).sort()).toEqual([...unknownIds].sort());
    expect(rows[0]!.message).toMatch(/^UNKNOWN_DEVICE: device [0-9a-f]{64} is not registered/);
    expect((await cli('dead-letters')).stdout).toContain('MALFORMED_JOB: prove job payload');
  });

  it("job shows a job's history", async () => {
    const r = await cli('job', unknownIds[0]!);
    expect(r.stdout).toContain(`prove/${unknownIds[0]}: failed`);
    expect(r.stdout).toContain('attempts 1/1');
    expect(r.stdout).toMatch(/failed: UNKNOWN_DEVICE: /);
    const missing = await cli('job', 'no-such-job');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no job with id no-such-job');
  });

  it('retry one, retry by reason, drop the rest', async () => {
    expect((await cli('retry', unknownIds[0]!)).stdout).toContain('retried 1 dead letter(s)');
    expect(await (await queue.getJob(unknownIds[0]!))!.getState()).toBe('waiting');
    expect((await cli('retry', '--all', '--reason', 'MALFORMED_JOB')).stdout).toContain(
      'retried 3 dead letter(s)',
    );
    expect((await cli('drop', '--all')).stdout).toContain('dropped 1 dead letter(s)');
    expect(await queue.getJob(unknownIds[1]!)).toBeUndefined();
    expect(await queue.getJobCounts('failed', 'waiting')).toMatchObject({ failed: 0, waiting: 4 });
    const none = await cli('retry', 'no-such-job');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no dead letter with id no-such-job');
  });
});
