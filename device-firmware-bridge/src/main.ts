/**
 * Standalone bridge: follows the network over JSON-RPC (SOLANA_RPC_URL) and ingests readings
 * from MQTT (MQTT_URL) and HTTP (HTTP_PORT) into the `prove` queue (REDIS_URL, QUEUE_PREFIX);
 * metrics on BRIDGE_METRICS_PORT. Environment: src/env.ts.
 *   NETWORK=<base58> npx tsx device-firmware-bridge/src/main.ts
 */
import { PublicKey } from '@solana/web3.js';
import { pino } from 'pino';
import { RpcChain } from '@zkpin/sdk';
import { createBridge } from './bridge.ts';
import { bridgeOptionsFromEnv, parseEnv } from './env.ts';
import { followOverRpc } from './rpc-follow.ts';

async function main(): Promise<void> {
  const env = parseEnv();
  const log = pino({ name: 'zkpin-bridge', level: env.LOG_LEVEL });
  const chain = new RpcChain(env.SOLANA_RPC_URL);
  const network = new PublicKey(env.NETWORK);
  const { follower, stop: stopFollowing } = await followOverRpc(chain, network, log, {
    stateFile: env.FOLLOWER_STATE,
  });
  const bridge = createBridge({
    ...bridgeOptionsFromEnv(env),
    network,
    directory: follower,
    logger: log,
  });
  await bridge.start();
  log.info(
    {
      topic: bridge.topic,
      http: bridge.httpAddress,
      metrics: bridge.metricsAddress,
      network: network.toBase58(),
    },
    'bridge running',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, stats: bridge.stats() }, 'shutting down');
    await bridge.stop();
    await stopFollowing(); // saves the snapshot (FOLLOWER_STATE)
    await chain.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
