/**
 * The ingest pipeline shared by MQTT and HTTP. The messages that arrive in one event-loop
 * turn form a batch (at most `maxBatch`; more wait for the next turn): ReadingValidator's
 * checks before the signature → every signature of the batch in one `Ed25519Pool` call → the
 * checks after it → Admission, which decides the batch in one Redis script that also stores
 * its jobs. Batches reach admission in the order they came, so a device's readings are
 * admitted in the order it sent them. Every message ends exactly once, as accepted (one job; a
 * re-send of an accepted reading is answered with that job) or rejected with a reason.
 *
 * `decide` does not count: MQTT retries transient outcomes and counts only the final one
 * (`record`); HTTP records every answer (`ingest`).
 */
import type { Logger } from 'pino';
import type { Admission } from './admission.ts';
import { BridgeRejection, REJECT_REASONS, type RejectReason } from './errors.ts';
import type { Ed25519Pool } from './ed25519-pool.ts';
import type { BridgeMetrics, Source } from './metrics.ts';
import type { CheckedReading, ReadingValidator } from './reading-validator.ts';

export type IngestResult =
  | {
      accepted: true;
      jobId: string;
      /** A re-send of an accepted reading: `jobId` is that reading's job, no new job. */
      duplicate: boolean;
      /** The device's previously accepted seq, as carried in the prove job. */
      prevSeq: string | null;
    }
  | {
      accepted: false;
      reason: RejectReason;
      status: number;
      message: string;
      /** Logged with the rejection (device, seq). */
      context?: Record<string, unknown>;
    };

export function rejection(
  reason: RejectReason,
  message: string,
  context?: Record<string, unknown>,
): IngestResult {
  return { accepted: false, reason, status: REJECT_REASONS[reason].status, message, context };
}

/** A BridgeRejection as a result; anything else means the reading could not be encoded. */
function rejectionOf(e: unknown): IngestResult {
  if (e instanceof BridgeRejection) return rejection(e.code, e.message, e.context);
  return rejection('SCHEMA_INVALID', `the reading could not be encoded: ${(e as Error).message}`);
}

export interface ReadingIngestDeps {
  /** Most messages decided per event-loop turn (admission's batch size). */
  maxBatch: number;
  validator: ReadingValidator;
  verifier: Ed25519Pool;
  admission: Admission;
  metrics: BridgeMetrics;
  log: Logger;
}

interface Message {
  payload: Buffer | string;
  source: Source;
  topicDevice: string | undefined;
  resolve: (r: IngestResult) => void;
}

export class ReadingIngest {
  private batch: Message[] = [];
  private scheduled = false;
  private readonly inflight = new Set<Promise<IngestResult>>();
  /** Settles when the batch before has gone to admission (see `decideBatch`). */
  private admissionTurn: Promise<void> = Promise.resolve();
  private accepting = false;

  constructor(private readonly d: ReadingIngestDeps) {}

  /** Whether messages are taken (between `open` and `close`). */
  get isOpen(): boolean {
    return this.accepting;
  }

  open(): void {
    this.accepting = true;
  }

  /** From now on every message is UNAVAILABLE; those already taken are still decided. */
  close(): void {
    this.accepting = false;
  }

  /** Decides one message without counting it. */
  decide(payload: Buffer | string, source: Source, topicDevice?: string): Promise<IngestResult> {
    if (!this.accepting)
      return Promise.resolve(rejection('UNAVAILABLE', 'the bridge is not running'));
    const p = new Promise<IngestResult>((resolve) => {
      this.batch.push({ payload, source, topicDevice, resolve });
      if (!this.scheduled) {
        this.scheduled = true;
        // Let the rest of this turn's messages join the batch.
        setImmediate(() => this.runBatch());
      }
    });
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
    return p;
  }

  /** Decides one message and counts it. */
  async ingest(payload: Buffer | string, source: Source, topicDevice?: string) {
    return this.record(await this.decide(payload, source, topicDevice), source);
  }

  /** Counts and logs a final decision. */
  record(r: IngestResult, source: Source): IngestResult {
    if (r.accepted) this.d.metrics.accepted(source, r.duplicate);
    else {
      this.d.metrics.rejected(r.reason, source);
      this.d.log.warn({ reason: r.reason, source, ...r.context }, r.message);
    }
    return r;
  }

  /** Counts and logs a rejection a transport decided before the pipeline (HTTP body limits). */
  reject(reason: RejectReason, message: string, source: Source): void {
    this.record(rejection(reason, message), source);
  }

  /** Resolves when every message taken so far is decided and its job stored. */
  async idle(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
    await this.d.admission.idle();
  }

  private runBatch(): void {
    // A batch at a time, the rest in the next turn: its Redis round trip overlaps their checks.
    const batch = this.batch.splice(0, this.d.maxBatch);
    if (this.batch.length > 0) setImmediate(() => this.runBatch());
    else this.scheduled = false;
    this.decideBatch(batch).catch((e: unknown) => {
      // Not reached by design; a promise settles once, so this answers only the undecided.
      this.d.log.error({ err: e }, 'ingest failed');
      const message = `ingest failed: ${(e as Error).message}`;
      for (const m of batch) m.resolve(rejection('UNAVAILABLE', message));
    });
  }

  private async decideBatch(batch: Message[]): Promise<void> {
    const { validator, verifier } = this.d;

    const checked: { m: Message; c: CheckedReading }[] = [];
    for (const m of batch) {
      try {
        checked.push({ m, c: validator.check(m.payload, m.topicDevice) });
      } catch (e) {
        m.resolve(rejectionOf(e));
      }
    }
    if (checked.length === 0) return;

    const verifying = verifier.verifyBatch(
      checked.map(({ c }) => ({
        publicKey: c.reading.device,
        message: c.message,
        signature: c.reading.ed25519Signature,
      })),
    );
    // Batches go on to admission in the order they came, whatever order their signatures
    // are verified in (with several verify threads a later, smaller batch finishes first):
    // admitting a device's seq s + 1 before its s would reject s as REPLAYED_SEQ.
    const turn = this.admissionTurn;
    let release!: () => void;
    this.admissionTurn = new Promise<void>((r) => (release = r));
    try {
      let verified: boolean[];
      try {
        verified = await verifying;
      } catch (e) {
        const message = `signature verification failed: ${(e as Error).message}`;
        // Not a hold on the devices (Admission holds only behind verified readings): these
        // signatures are unchecked, and a forged one would hold back a device it names.
        for (const { m } of checked) m.resolve(rejection('UNAVAILABLE', message));
        return;
      } finally {
        await turn;
      }
      this.admit(checked, verified);
    } finally {
      release();
    }
  }

  /** The checks after the signature, then admission: all in one turn, so in one admission batch. */
  private admit(checked: { m: Message; c: CheckedReading }[], verified: boolean[]): void {
    const { validator, admission } = this.d;

    checked.forEach(({ m, c }, i) => {
      let valid;
      try {
        if (!verified[i])
          throw new BridgeRejection('BAD_SIGNATURE', undefined, {
            device: c.deviceHex,
            seq: c.seq,
          });
        valid = validator.finish(c);
      } catch (e) {
        m.resolve(rejectionOf(e));
        return;
      }
      // Submitted in one turn: the batch's readings share one admission batch.
      const context = { device: valid.deviceHex, seq: valid.seq };
      admission.submit(valid, m.source).then(
        (r) =>
          m.resolve(
            r.accepted
              ? r
              : rejection(r.reason, r.message ?? REJECT_REASONS[r.reason].message, context),
          ),
        (e: unknown) => m.resolve(rejection('UNAVAILABLE', (e as Error).message, context)),
      );
    });
  }
}
