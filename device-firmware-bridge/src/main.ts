/**
 * Standalone bridge: follows the network of the deployment ZKPIN_DEPLOYMENT over JSON-RPC and
 * ingests readings from MQTT (MQTT_URL) and HTTP (HTTP_PORT) into the `prove` queue
 * (REDIS_URL, QUEUE_PREFIX); metrics on BRIDGE_METRICS_PORT. Environment: src/env.ts.
 *   ZKPIN_DEPLOYMENT=deployments/local/manifest.json npx tsx device-firmware-bridge/src/main.ts
 */
import { pino } from 'pino';
import { RpcChain } from '@zkpin/sdk';
import { serviceDeployment } from '@zkpin/sdk/node';
import { createBridge } from './bridge.ts';
import { bridgeOptionsFromEnv, parseEnv } from './env.ts';
import { followOverRpc } from './rpc-follow.ts';

async function main(): Promise<void> {
  const env = parseEnv();
  const log = pino({ name: 'zkpin-bridge', level: env.LOG_LEVEL });
  const deployment = serviceDeployment({
    deployment: env.ZKPIN_DEPLOYMENT,
    network: env.NETWORK,
    rpcUrl: env.SOLANA_RPC_URL ?? (env.ZKPIN_DEPLOYMENT ? undefined : 'http://127.0.0.1:8899'),
  });
  const chain = new RpcChain(deployment.rpcUrl, { wsUrl: env.SOLANA_WS_URL });
  const network = deployment.network;
  const { follower, stop: stopFollowing } = await followOverRpc(chain, network, log, {
    programIds: deployment.programIds,
    stateFile: env.FOLLOWER_STATE,
    indexerUrl: env.INDEXER_URL,
    indexerTimeoutMs: env.INDEXER_TIMEOUT_MS,
  });
  const bridge = createBridge({
    ...bridgeOptionsFromEnv(env),
    network,
    directory: follower,
    // Each registered model's window, from the manifest (readings of another length are refused).
    modelWindows: new Map((deployment.manifest?.models ?? []).map((m) => [m.id, m.window])),
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
