/**
 * Ordering of a device's readings. The chain takes any seq above the device's (gaps allowed),
 * so a reading that could not be proved never blocks the next ones. To record a device's
 * readings in order, a job waits (moved to delayed, no attempt spent) while the reading the
 * bridge accepted just before it (`prevSeq`) is still in flight; once that one is recorded or
 * dead-lettered, it goes.
 */
import { DelayedError, type Job, type Queue } from 'bullmq';
import { deadLetterReason, readingJobId } from '@zkpin/sdk';

/** Job states in which a reading may still be recorded. */
const IN_FLIGHT = new Set([
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'paused',
]);

export interface ReadingJobState {
  /** A BullMQ job state, or `missing` when neither queue holds the job. */
  state: string;
  failedReason?: string;
}

export class ReadingOrder {
  constructor(
    private readonly relayQueue: Queue,
    private readonly proveQueue: Queue,
    /** Delay of a job waiting for its device's previous reading. */
    private readonly waitDelayMs: number,
  ) {}

  /**
   * State of the job of the device's reading `seq`: its prove job while that is in flight,
   * else its relay job, else what became of the prove job (`missing` when neither queue holds
   * it). The prove queue is read first: the prover adds the relay job and only then completes
   * the prove job, so a prove job found no longer in flight has its relay job, if any, already
   * visible. Read the other way round, a check falling between those two writes saw neither
   * in flight.
   */
  async jobState(deviceHex: string, seq: bigint): Promise<ReadingJobState> {
    const id = readingJobId(deviceHex, seq);
    const prove = await this.stateIn(this.proveQueue, id);
    if (IN_FLIGHT.has(prove.state)) return prove;
    const relay = await this.stateIn(this.relayQueue, id);
    return relay.state === 'missing' ? prove : relay;
  }

  private async stateIn(queue: Queue, id: string): Promise<ReadingJobState> {
    const job = await queue.getJob(id);
    if (!job) return { state: 'missing' };
    const state = await job.getState();
    if (state === 'failed') return { state, failedReason: job.failedReason };
    return { state: state === 'unknown' ? 'missing' : state };
  }

  /**
   * Returns when `job` (reading `seq` of `deviceHex`) may be recorded: its previous reading
   * is on-chain (`prevSeq <= leafSeq`), dead, or unknown. While that one is in flight, moves
   * `job` to delayed and throws BullMQ's DelayedError (the worker must rethrow it).
   */
  async awaitPrevious(
    job: Job,
    token: string | undefined,
    deviceHex: string,
    seq: bigint,
    prevSeq: bigint | undefined,
    leafSeq: bigint,
  ): Promise<void> {
    if (prevSeq === undefined || prevSeq <= leafSeq) return;
    // The reading accepted just before this one is not on-chain: wait while it is in flight
    // (recording this one first would make it stale); go once it is recorded or dead.
    const prev = await this.jobState(deviceHex, prevSeq);
    if (IN_FLIGHT.has(prev.state)) {
      await job.moveToDelayed(Date.now() + this.waitDelayMs, token);
      throw new DelayedError();
    }
    if (prev.state === 'failed')
      await job.log(
        `seq ${prevSeq} is a dead letter (${deadLetterReason(prev.failedReason)}): recording seq ${seq} after the gap`,
      );
  }
}
