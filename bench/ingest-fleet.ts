/**
 * The devices of `bench/bridge-ingest.ts`, in a process of their own: they publish pre-signed
 * readings at QoS 1 to their topics on the broker, as devices do from their own hardware. Run
 * in the bridge's process, their MQTT client took the bridge's event loop for work the bridge
 * never does in production; here they still share the machine's cores with it.
 *
 * Protocol with the parent (`fork` IPC): the parent sends `FleetStart` and gets `ready` once the
 * fleet is connected; `go` starts publishing; `decided` messages (the bridge's decisions so far)
 * keep at most `window` readings undecided; at the end the fleet sends `done` with its CPU time.
 */
import mqtt from 'mqtt';
import { readingsTopic } from '@zkpin/sdk';

export interface FleetStart {
  type: 'start';
  mqttUrl: string;
  networkHex: string;
  messages: { topicDevice: string; payload: string }[];
  /** Most readings published and not yet decided by the bridge. */
  window: number;
  /** Publishes in flight at once (one connection). */
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

async function run(start: FleetStart): Promise<void> {
  const pub = await mqtt.connectAsync(start.mqttUrl, { connectTimeout: 3000 });
  let decided = 0;
  let go!: () => void;
  const started = new Promise<void>((r) => (go = r));
  process.on('message', (m: ParentToFleet) => {
    if (m.type === 'decided') decided = m.count;
    else if (m.type === 'go') go();
  });
  void send({ type: 'ready' });
  await started;
  const cpu0 = process.cpuUsage();
  const { messages, window } = start;
  let next = 0;
  await Promise.all(
    Array.from({ length: start.concurrency }, async () => {
      while (next < messages.length) {
        if (next - decided > window) {
          await new Promise((r) => setTimeout(r, 1));
          continue;
        }
        const m = messages[next++]!;
        await pub.publishAsync(readingsTopic(start.networkHex, m.topicDevice), m.payload, {
          qos: 1,
        });
      }
    }),
  );
  await pub.endAsync();
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
