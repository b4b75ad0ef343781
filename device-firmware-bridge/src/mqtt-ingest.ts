/**
 * MQTT ingest with acknowledgements that follow the decision: a QoS 1 message is
 * acknowledged (PUBACK) only once it is admitted, or rejected with a reason that a retry
 * would not change. Until then the broker holds it for the bridge's persistent session
 * (`clean: false` with a stable client id), so a bridge that crashes gets it again on restart;
 * admission is idempotent, so a message decided before the crash comes back as a duplicate.
 *
 * Many messages are decided at once (they share Redis batches), yet PUBACKs leave in the
 * order the messages came (MQTT 3.1.1 §4.6): a message still being decided holds back the
 * acknowledgements after it. The broker stops sending once its in-flight window for this
 * client is full (Mosquitto's `max_inflight_messages`), which is the flow control.
 * BACKPRESSURE and UNAVAILABLE are not decisions: the message is retried, unacknowledged,
 * with backoff, and left to the broker when the bridge stops.
 *
 * mqtt.js offers only one-message-at-a-time acknowledgement control (`handleMessage`,
 * `customHandleAcks`: it reads the next packet after the current one is acknowledged), which
 * measured 4x slower than ingest with early PUBACKs. So the client's PUBACKs are taken where
 * mqtt.js sends them (`_sendPacket`): mqtt.js reads on at once, and each PUBACK is written
 * when its message is decided. `start()` refuses to run on an mqtt.js without that method.
 */
import { randomBytes } from 'node:crypto';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { networkReadingsFilter, readingsTopicDevice } from '@zkpin/sdk';
import type { Logger } from 'pino';
import { BridgeError, isTransient } from './errors.ts';
import type { ReadingIngest } from './ingest.ts';
import type { BridgeMetrics } from './metrics.ts';

/** The filter a bridge subscribes to: the network's readings, shared by `sharedGroup`. */
export function readingsSubscription(networkHex: string, sharedGroup?: string): string {
  const filter = networkReadingsFilter(networkHex);
  return sharedGroup ? `$share/${sharedGroup}/${filter}` : filter;
}

export interface MqttIngestOptions {
  url: string;
  /**
   * Stable id: the broker keeps the session (subscription, unacknowledged and queued
   * messages) while the bridge is away. Omitted: a random id and a clean session.
   */
  clientId?: string;
  username?: string;
  password?: string;
  /** Topic filter, subscribed at QoS 1. */
  topic: string;
  connectTimeoutMs: number;
  /** Decides each message (`decide`) and counts its final decision (`record`). */
  ingest: Pick<ReadingIngest, 'decide' | 'record'>;
  metrics: BridgeMetrics;
  log: Logger;
  /** First retry delay for BACKPRESSURE / UNAVAILABLE (doubles up to 5 s). */
  retryDelayMs?: number;
}

type SendPacket = (
  packet: { cmd: string; messageId?: number },
  cb?: () => void,
  ...more: unknown[]
) => void;

interface Ticket {
  messageId: number;
  /** Connection the message came on; a PUBACK goes out only on that connection. */
  generation: number;
  decided: boolean;
  /** Writes the PUBACK (set once mqtt.js has produced it). */
  sendAck?: () => void;
}

export class MqttIngest {
  private client: MqttClient | undefined;
  private generation = 0;
  /** Unacknowledged QoS 1 messages of the current connection, in arrival order. */
  private order: Ticket[] = [];
  private byId = new Map<number, Ticket>();
  private readonly working = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopping = false;

  constructor(private readonly o: MqttIngestOptions) {}

  async start(): Promise<void> {
    const { o } = this;
    const clientId = o.clientId ?? `zkpin-bridge-${randomBytes(6).toString('hex')}`;
    const options: IClientOptions = {
      clientId,
      clean: o.clientId === undefined,
      username: o.username,
      password: o.password,
      connectTimeout: o.connectTimeoutMs,
      reconnectPeriod: 1000,
    };
    // Handlers go on before the connection opens: a persistent session's queued messages can
    // arrive right behind the CONNACK.
    const client = mqtt.connect(o.url, { ...options, manualConnect: true });
    this.client = client;
    const internal = client as unknown as { _sendPacket?: SendPacket };
    const send = internal._sendPacket;
    if (typeof send !== 'function') {
      throw new BridgeError(
        'CONFIG_INVALID',
        'this mqtt.js version has no MqttClient._sendPacket; the bridge cannot hold PUBACKs until a message is decided (pin mqtt 5.x)',
      );
    }
    internal._sendPacket = (packet, cb, ...more) => {
      const ticket =
        packet.cmd === 'puback' && packet.messageId !== undefined
          ? this.byId.get(packet.messageId)
          : undefined;
      if (!ticket || ticket.sendAck) {
        send.call(client, packet, cb, ...more);
        return;
      }
      ticket.sendAck = () => send.call(client, packet);
      cb?.(); // mqtt.js reads the next packet now; the PUBACK waits for the decision
      this.release();
    };
    client.on('message', (topic, payload, packet) => this.onMessage(topic, payload, packet));
    client.on('close', () => this.dropTickets());
    client.on('error', (e) => o.log.warn({ err: e.message }, 'mqtt error'));
    client.on('reconnect', () => o.log.info({ url: o.url }, 'mqtt reconnecting'));

    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out after ${o.connectTimeoutMs} ms`)),
          o.connectTimeoutMs + 500,
        );
        const settle = (e?: Error) => {
          clearTimeout(timer);
          client.off('connect', onConnect);
          client.off('error', onError);
          if (e) reject(e);
          else resolve();
        };
        const onConnect = () => settle();
        const onError = (e: Error) => settle(e);
        client.once('connect', onConnect);
        client.once('error', onError);
        client.connect();
      });
    } catch (e) {
      client.end(true);
      this.client = undefined;
      throw new BridgeError(
        'MQTT_UNREACHABLE',
        `cannot connect to the MQTT broker at ${o.url} as ${clientId}: ${(e as Error).message}. Start a broker, or set MQTT_URL / MQTT_USERNAME / MQTT_PASSWORD.`,
      );
    }
    const granted = await client.subscribeAsync(o.topic, { qos: 1 });
    if (granted.some((g) => g.qos !== 1)) {
      client.end(true);
      this.client = undefined;
      throw new BridgeError(
        'MQTT_UNREACHABLE',
        `the broker refused the subscription to ${o.topic} at QoS 1 (granted ${granted.map((g) => g.qos).join(', ')}): check its ACL for ${o.username ?? 'anonymous'}`,
      );
    }
    o.log.info({ topic: o.topic, url: o.url, clientId }, 'mqtt ingest subscribed');
  }

  /**
   * Decides what is in progress and sends those PUBACKs; leaves the rest (messages arriving
   * now, and those waiting for a retry) unacknowledged in the session, then disconnects.
   */
  async stop(force = false): Promise<void> {
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (!force) while (this.working.size > 0) await Promise.allSettled([...this.working]);
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (force) client.end(true);
    else await client.endAsync().catch(() => undefined);
  }

  private onMessage(topic: string, payload: Buffer, packet: { qos: number; messageId?: number }) {
    let ticket: Ticket | undefined;
    if (packet.qos > 0 && packet.messageId !== undefined) {
      ticket = { messageId: packet.messageId, generation: this.generation, decided: false };
      this.order.push(ticket);
      this.byId.set(packet.messageId, ticket);
      this.o.metrics.mqttUnacked.inc();
    }
    if (this.stopping) return; // never acknowledged: the broker redelivers it after a restart
    const topicDevice = readingsTopicDevice(topic) ?? '';
    this.attempt(payload, topicDevice, ticket, this.o.retryDelayMs ?? 250);
  }

  private attempt(payload: Buffer, topicDevice: string, ticket: Ticket | undefined, delay: number) {
    const retry = () => {
      // A message of a closed connection is the broker's again (it redelivers it).
      if (this.stopping || ticket?.generation !== this.generation) return;
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        if (!this.stopping) this.attempt(payload, topicDevice, ticket, Math.min(delay * 2, 5000));
      }, delay);
      this.timers.add(timer);
    };
    const work = this.o.ingest
      .decide(payload, 'mqtt', topicDevice)
      .then((r) => {
        if (!r.accepted && isTransient(r.reason) && ticket) {
          this.o.metrics.deferred(r.reason);
          retry();
          return;
        }
        this.o.ingest.record(r, 'mqtt');
        if (ticket && ticket.generation === this.generation) {
          ticket.decided = true;
          this.release();
        }
      })
      .catch((e: unknown) => {
        this.o.log.error({ err: e }, 'mqtt ingest failed; retrying the message');
        if (ticket) retry();
      });
    this.working.add(work);
    void work.finally(() => this.working.delete(work));
  }

  /** Sends the PUBACKs at the head of the arrival order whose messages are decided. */
  private release(): void {
    while (this.order.length > 0) {
      const head = this.order[0]!;
      if (!head.decided || !head.sendAck) return;
      this.order.shift();
      this.byId.delete(head.messageId);
      this.o.metrics.mqttUnacked.dec();
      head.sendAck();
    }
  }

  /** The connection closed: its PUBACKs can no longer be sent; the broker redelivers. */
  private dropTickets(): void {
    this.generation += 1;
    this.o.metrics.mqttUnacked.dec(this.order.length);
    this.order = [];
    this.byId = new Map();
  }
}
