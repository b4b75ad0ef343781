#!/usr/bin/env -S node --import tsx
/**
 * `zkpin-oracle`: the operator's view of the oracle queues.
 *
 *   zkpin-oracle status                      per queue: waiting, active, completed, failed, delayed; dead letters by reason
 *   zkpin-oracle dead-letters [--reason X]   list dead letters (queue, job id, reason, attempts, when, message)
 *   zkpin-oracle retry <jobId> | --all       move dead letters back to waiting (--reason X filters --all)
 *   zkpin-oracle drop <jobId> | --all        delete dead letters
 *   zkpin-oracle job <jobId>                 a job's history in both queues: state, attempts, timestamps, reason, logs
 *
 * Options: --redis-url (REDIS_URL, default redis://127.0.0.1:6379), --prefix (default zkpin), --json.
 */
import { Command, Option } from 'commander';
import { Queue, type Job } from 'bullmq';
import cliProgress from 'cli-progress';
import { QUEUE_PROVE, QUEUE_RELAY, deadLetterReason } from '@zkpin/sdk';
import { parseQueueEnv, type QueueEnv } from './env.ts';

interface GlobalOptions {
  redisUrl: string;
  prefix: string;
  json?: boolean;
}

const STATES = [
  'waiting',
  'active',
  'completed',
  'failed',
  'delayed',
  'prioritized',
  'paused',
] as const;

async function withQueues<T>(o: GlobalOptions, fn: (queues: Queue[]) => Promise<T>): Promise<T> {
  const queues = [QUEUE_PROVE, QUEUE_RELAY].map(
    (name) =>
      new Queue(name, {
        connection: { url: o.redisUrl, maxRetriesPerRequest: 1, enableOfflineQueue: false },
        prefix: o.prefix,
      }),
  );
  const errors: Error[] = [];
  for (const q of queues) q.on('error', (e) => errors.push(e));
  try {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(queues.map((q) => q.waitUntilReady())),
      new Promise(
        (_, reject) =>
          (timer = setTimeout(() => reject(errors[0] ?? new Error('timed out')), 5_000)),
      ),
    ])
      .catch((e: unknown) => {
        process.stderr.write(
          `zkpin-oracle: cannot reach Redis at ${o.redisUrl}: ${e instanceof Error ? e.message : String(e)} (set --redis-url or REDIS_URL)\n`,
        );
        process.exit(2);
      })
      .finally(() => clearTimeout(timer));
    return await fn(queues);
  } finally {
    await Promise.all(queues.map((q) => q.close()));
  }
}

async function deadLetters(queues: Queue[], reason?: string): Promise<Job[]> {
  const out: Job[] = [];
  for (const q of queues) {
    for (const j of await q.getFailed(0, -1)) {
      if (!reason || deadLetterReason(j.failedReason) === reason) out.push(j);
    }
  }
  return out;
}

async function findJob(queues: Queue[], id: string): Promise<Job[]> {
  const found: Job[] = [];
  for (const q of queues) {
    const j = await q.getJob(id);
    if (j) found.push(j);
  }
  return found;
}

interface JobHistory {
  queue: string;
  id: string | undefined;
  state: string;
  attemptsMade: number;
  attemptsStarted: number;
  stalled: number;
  maxAttempts: number;
  createdAt: string;
  processedAt: string;
  finishedAt: string;
  failedReason: string | undefined;
  deadLetterReason: string | undefined;
  returnValue: unknown;
  logs: string[];
}

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : '-');

function print(o: GlobalOptions, value: unknown, text: () => string): void {
  process.stdout.write(o.json ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

/** Applies `fn` to many jobs with a progress bar (on a terminal). */
async function eachWithProgress(
  jobs: Job[],
  verb: string,
  fn: (j: Job) => Promise<void>,
): Promise<number> {
  const bar = new cliProgress.SingleBar(
    { format: `${verb} [{bar}] {value}/{total} jobs`, stream: process.stderr, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  const show = jobs.length > 1 && process.stderr.isTTY;
  if (show) bar.start(jobs.length, 0);
  let done = 0;
  for (const j of jobs) {
    await fn(j);
    done += 1;
    if (show) bar.update(done);
  }
  if (show) bar.stop();
  return done;
}

let queueEnv: QueueEnv;
try {
  queueEnv = parseQueueEnv();
} catch (e) {
  process.stderr.write(`zkpin-oracle: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}

const program = new Command()
  .name('zkpin-oracle')
  .description(
    'Operate the zkpin oracle queues (prove, relay): status, dead letters, retries, job history',
  )
  .addOption(
    new Option('--redis-url <url>', 'Redis URL (env REDIS_URL)').default(queueEnv.REDIS_URL),
  )
  .addOption(
    new Option('--prefix <prefix>', 'BullMQ key prefix (env QUEUE_PREFIX)').default(
      queueEnv.QUEUE_PREFIX,
    ),
  )
  .option('--json', 'print JSON');

const globals = () => program.opts<GlobalOptions>();

program
  .command('status')
  .description('jobs per queue and state; dead letters by reason')
  .action(async () => {
    const o = globals();
    await withQueues(o, async (queues) => {
      const counts: Record<string, Record<string, number>> = {};
      for (const q of queues) counts[q.name] = await q.getJobCounts(...STATES);
      const reasons: Record<string, Record<string, number>> = {};
      for (const j of await deadLetters(queues)) {
        const r = deadLetterReason(j.failedReason);
        (reasons[j.queueName] ??= {})[r] = (reasons[j.queueName]?.[r] ?? 0) + 1;
      }
      print(o, { prefix: o.prefix, queues: counts, deadLetters: reasons }, () => {
        const cols = ['waiting', 'active', 'completed', 'failed', 'delayed'];
        const lines = [
          `queues under prefix "${o.prefix}"`,
          `${'queue'.padEnd(8)}${cols.map((c) => c.padStart(11)).join('')}`,
        ];
        for (const [name, c] of Object.entries(counts)) {
          lines.push(
            `${name.padEnd(8)}${cols.map((k) => String(c[k] ?? 0).padStart(11)).join('')}`,
          );
        }
        lines.push('', 'dead letters by reason');
        const all = Object.entries(reasons).flatMap(([q, rs]) =>
          Object.entries(rs).map(([r, n]) => `  ${q.padEnd(6)} ${r.padEnd(28)} ${n}`),
        );
        lines.push(...(all.length ? all : ['  none']));
        return lines.join('\n');
      });
    });
  });

program
  .command('dead-letters')
  .description('list dead letters (jobs in the failed set), newest first')
  .option('--reason <code>', 'only this reason, e.g. PROGRAM_REJECTED')
  .option('--limit <n>', 'at most n', (v) => parseInt(v, 10), 100)
  .action(async (c: { reason?: string; limit: number }) => {
    const o = globals();
    await withQueues(o, async (queues) => {
      const jobs = (await deadLetters(queues, c.reason))
        .sort((a, b) => (b.finishedOn ?? 0) - (a.finishedOn ?? 0))
        .slice(0, c.limit);
      const rows = jobs.map((j) => ({
        queue: j.queueName,
        id: j.id,
        reason: deadLetterReason(j.failedReason),
        attempts: j.attemptsMade,
        failedAt: iso(j.finishedOn),
        message: j.failedReason,
      }));
      print(o, rows, () =>
        rows.length === 0
          ? 'no dead letters'
          : rows
              .map(
                (r) =>
                  `${r.queue.padEnd(6)} ${String(r.id)}  ${r.reason}  attempts=${r.attempts}  ${r.failedAt}\n       ${r.message}`,
              )
              .join('\n'),
      );
    });
  });

function selectJobs(verb: string) {
  return async (
    jobId: string | undefined,
    c: { all?: boolean; reason?: string },
    fn: (j: Job) => Promise<void>,
  ) => {
    const o = globals();
    if (!jobId && !c.all) throw new Error(`${verb}: give a job id or --all`);
    await withQueues(o, async (queues) => {
      const jobs = jobId
        ? (
            await Promise.all(
              (await findJob(queues, jobId)).map(async (j) =>
                (await j.getState()) === 'failed' ? j : undefined,
              ),
            )
          ).filter((j): j is Job => !!j)
        : await deadLetters(queues, c.reason);
      if (jobId && jobs.length === 0)
        throw new Error(
          `${verb}: no dead letter with id ${jobId} (see: zkpin-oracle dead-letters)`,
        );
      const n = await eachWithProgress(jobs, verb, fn);
      print(
        o,
        {
          [verb === 'retry' ? 'retried' : 'dropped']: n,
          ids: jobs.map((j) => `${j.queueName}/${j.id}`),
        },
        () => `${verb === 'retry' ? 'retried' : 'dropped'} ${n} dead letter(s)`,
      );
    });
  };
}

program
  .command('retry')
  .description('move dead letters back to waiting (attempts start over)')
  .argument('[jobId]')
  .option('--all', 'every dead letter (with --reason: of that reason)')
  .option('--reason <code>')
  .action((jobId: string | undefined, c: { all?: boolean; reason?: string }) =>
    selectJobs('retry')(jobId, c, (j) => j.retry('failed', { resetAttemptsMade: true })),
  );

program
  .command('drop')
  .description('delete dead letters')
  .argument('[jobId]')
  .option('--all', 'every dead letter (with --reason: of that reason)')
  .option('--reason <code>')
  .action((jobId: string | undefined, c: { all?: boolean; reason?: string }) =>
    selectJobs('drop')(jobId, c, (j) => j.remove()),
  );

program
  .command('job')
  .description("a job's history in both queues")
  .argument('<jobId>')
  .action(async (jobId: string) => {
    const o = globals();
    await withQueues(o, async (queues) => {
      const jobs = await findJob(queues, jobId);
      if (jobs.length === 0)
        throw new Error(
          `no job with id ${jobId} in ${queues.map((q) => q.name).join(' or ')} under prefix "${o.prefix}"`,
        );
      const out: JobHistory[] = [];
      for (const j of jobs) {
        const q = queues.find((x) => x.name === j.queueName)!;
        out.push({
          queue: j.queueName,
          id: j.id,
          state: await j.getState(),
          attemptsMade: j.attemptsMade,
          attemptsStarted: j.attemptsStarted,
          stalled: j.stalledCounter,
          maxAttempts: j.opts.attempts || 1,
          createdAt: iso(j.timestamp),
          processedAt: iso(j.processedOn),
          finishedAt: iso(j.finishedOn),
          failedReason: j.failedReason || undefined,
          deadLetterReason: j.failedReason ? deadLetterReason(j.failedReason) : undefined,
          returnValue: j.returnvalue ?? undefined,
          logs: (await q.getJobLogs(jobId)).logs,
        });
      }
      print(o, out, () =>
        out
          .map((j) =>
            [
              `${j.queue}/${j.id}: ${j.state}`,
              `  attempts ${j.attemptsMade}/${j.maxAttempts} (started ${j.attemptsStarted}, stalled ${j.stalled})`,
              `  created ${j.createdAt}  processed ${j.processedAt}  finished ${j.finishedAt}`,
              ...(j.failedReason ? [`  failed: ${j.failedReason}`] : []),
              ...(j.returnValue ? [`  result: ${JSON.stringify(j.returnValue)}`] : []),
              ...(j.logs.length ? ['  logs:', ...j.logs.map((l) => `    ${l}`)] : []),
            ].join('\n'),
          )
          .join('\n\n'),
      );
    });
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`zkpin-oracle: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
