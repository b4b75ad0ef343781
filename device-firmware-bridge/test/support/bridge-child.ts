/**
 * A bridge in its own process for fault tests: configured from the environment exactly as
 * src/main.ts is (src/env.ts), but knowing its devices from argv[2] (JSON: modelId and
 * `[{hex, bjjKeyHash}]`, on-chain seq 0, active) instead of following a chain over RPC.
 * Prints `{"ready":true,"metrics":"http://…"}` on stdout once it ingests; logs (pino JSON,
 * one line per rejection) go to stdout too.
 */
import { PublicKey } from '@solana/web3.js';
import { pino } from 'pino';
import { DEVICE_STATUS_ACTIVE } from '@zkpin/sdk';
import { createBridge, type DeviceDirectory } from '../../src/index.ts';
import { bridgeOptionsFromEnv, parseEnv } from '../../src/env.ts';

const env = parseEnv();
const spec = JSON.parse(process.argv[2] ?? '{}') as {
  modelId: number;
  devices: { hex: string; bjjKeyHash: string }[];
};
const known = new Map(
  spec.devices.map((d) => [
    d.hex,
    {
      leaf: {
        status: DEVICE_STATUS_ACTIVE,
        modelId: spec.modelId,
        seq: 0n,
        bjjKeyHash: Buffer.from(d.bjjKeyHash, 'hex'),
      },
    },
  ]),
);
const directory: DeviceDirectory = { device: (hex) => known.get(hex) };
const bridge = createBridge({
  ...bridgeOptionsFromEnv(env),
  network: new PublicKey(env.NETWORK!),
  directory,
  logger: pino({ level: env.LOG_LEVEL }),
  verifyThreads: 0,
});
await bridge.start();
console.log(JSON.stringify({ ready: true, metrics: bridge.metricsAddress }));
process.on('SIGTERM', () => void bridge.stop().then(() => process.exit(0)));
