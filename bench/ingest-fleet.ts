/**
 * The devices of `bench/bridge-ingest.ts`, in a process of their own: they publish pre-signed
 * readings at QoS 1 to their topics on the broker, as devices do from their own hardware.
 *
 * The fleet is the load generator, not the system under test, yet it shares the machine's two
 * cores with the bridge, Redis and Mosquitto. So it is kept as light as a load generator can be:
 * one TCP connection, every PUBLISH packet generated with `mqtt-packet` (the encoder mqtt.js
 * itself uses) before the clock starts, the packets of a turn written in one `write`, and
 * PUBACKs parsed by the same library. An mqtt.js client doing the same work took 25-30 µs of
 * CPU per reading (docs/pipeline.md, "Session 16"), about a seventh of the machine's CPU per
 * reading, which the bridge never pays in production.
 *
 * Protocol with the parent (`fork` IPC): the parent sends `FleetStart` and gets `ready` once the
 * fleet is connected; `go` starts publishing; `decided` messages (the bridge's decisions so far)
 * keep at most `window` readings undecided; at the end the fleet sends `done` with its CPU time.
 */
import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { readingsTopic } from '@zkpin/sdk';

export interface FleetStart {
  type: 'start';
  mqttUrl: string;
  networkHex: string;
  messages: { topicDevice: string; payload: string }[];
  /** Most readings published and not yet decided by the bridge. */
  window: number;
  /** Publishes in flight at once (one connection): sent and not yet acknowledged. */
  concurrency: number;
}

export type FleetToParent =
  { type: 'ready' } | { type: 'done'; cpuUs: number } | { type: 'error'; message: string };

export type ParentToFleet = FleetStart | { type: 'go' } | { type: 'decided'; count: number };

/** Resolves once the message is handed to the channel (before a disconnect may follow). */
function send(m: FleetToParent): Promise<void> {
  return new Promise((resolve) => {
    if (process.send) process.send(m, undefined, {}, () => resolve());
    else resolve();
  });
}

/** QoS 1 packet ids run 1..65,535; in-flight ids never collide while concurrency is below that. */
const MAX_PACKET_ID = 65_535;

/** Opens the connection and waits for a CONNACK that accepts it. */
async function open(mqttUrl: string): Promise<{ socket: Socket; parser: mqttPacket.Parser }> {
  const url = new URL(mqttUrl);
  if (url.protocol !== 'mqtt:') {
    throw new Error(`the ingest fleet speaks plain mqtt:// only, not ${url.protocol}`);
  }
  const socket = connect({ host: url.hostname, port: Number(url.port || 1883), noDelay: true });
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('no CONNACK from the broker in 3 s')), 3000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(e);
    };
    socket.once('error', fail);
    parser.once('packet', (p: mqttPacket.Packet) => {
      clearTimeout(timer);
      socket.off('error', fail);
      if (p.cmd === 'connack' && p.returnCode === 0) resolve();
      else fail(new Error(`the broker refused the fleet: ${JSON.stringify(p)}`));
    });
    socket.once('connect', () =>
      socket.write(
        mqttPacket.generate({
          cmd: 'connect',
          protocolId: 'MQTT',
          protocolVersion: 4,
          clean: true,
          clientId: `zkpin-bench-fleet-${process.pid}`,
          keepalive: 0,
        }),
      ),
    );
  });
  return { socket, parser };
}

async function run(start: FleetStart): Promise<void> {
  const { socket, parser } = await open(start.mqttUrl);
  const { window, concurrency } = start;
  // Every PUBLISH packet, encoded once, outside the measured time.
  const packets = start.messages.map((m, i) =>
    mqttPacket.generate({
      cmd: 'publish',
      topic: readingsTopic(start.networkHex, m.topicDevice),
      payload: m.payload,
      qos: 1,
      messageId: (i % MAX_PACKET_ID) + 1,
      dup: false,
      retain: false,
    }),
  );
  let decided = 0;
  let next = 0;
  let acked = 0;
  // Nothing is published before `go`: the clock and the CPU count start there.
  let going = false;
  let finished!: () => void;
  let failed!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    finished = resolve;
    failed = reject;
  });
  // Sends what the window and the in-flight limit allow, in one write.
  const pump = () => {
    if (!going) return;
    const limit = Math.min(packets.length, acked + concurrency, decided + window + 1);
    if (next >= limit) return;
    const batch = packets.slice(next, limit);
    next = limit;
    socket.write(batch.length === 1 ? batch[0]! : Buffer.concat(batch));
  };
  parser.on('packet', (p: mqttPacket.Packet) => {
    if (p.cmd !== 'puback') return;
    acked++;
    if (acked === packets.length) finished();
  });
  // After the parser's listener (registered first): one write for all the PUBACKs of a read.
  socket.on('data', pump);
  parser.on('error', (e: Error) => failed(e));
  socket.on('error', (e) => failed(e));
  socket.on('close', () => failed(new Error('the broker closed the fleet connection')));

  let go!: () => void;
  const started = new Promise<void>((r) => (go = r));
  process.on('message', (m: ParentToFleet) => {
    if (m.type === 'decided') {
      decided = m.count;
      pump();
    } else if (m.type === 'go') go();
  });
  void send({ type: 'ready' });
  await started;
  const cpu0 = process.cpuUsage();
  going = true;
  if (packets.length === 0) finished();
  pump();
  await done;
  socket.removeAllListeners('close');
  socket.end(mqttPacket.generate({ cmd: 'disconnect' }));
  const cpu = process.cpuUsage(cpu0);
  await send({ type: 'done', cpuUs: cpu.user + cpu.system });
}

// Without its parent (the bench ended or died) the fleet has nothing left to do.
process.once('disconnect', () => process.exit(0));

process.once('message', (m: ParentToFleet) => {
  if (m.type !== 'start') return;
  run(m).then(
    () => process.disconnect?.(),
    (e: unknown) =>
      void send({ type: 'error', message: (e as Error).message }).then(() =>
        process.disconnect?.(),
      ),
  );
});
