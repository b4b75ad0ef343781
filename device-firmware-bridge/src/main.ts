/**
 * Standalone bridge: follows the network over JSON-RPC (SOLANA_RPC_URL) and ingests readings
 * from MQTT (MQTT_URL) and HTTP (HTTP_PORT) into the `prove` queue (REDIS_URL, QUEUE_PREFIX);
 * metrics on BRIDGE_METRICS_PORT.
 *   NETWORK=<base58> npx tsx device-firmware-bridge/src/main.ts
 */
import { PublicKey } from '@solana/web3.js';
import { pino } from 'pino';
import { RpcChain } from '@zkpin/sdk';
import { createBridge } from './bridge.ts';
import { parseEnv } from './env.ts';
import { followOverRpc } from './rpc-follow.ts';

async function main(): Promise<void> {
  const env = parseEnv();
  const log = pino({ name: 'zkpin-bridge', level: env.LOG_LEVEL });
  const chain = new RpcChain(env.SOLANA_RPC_URL);
  const network = new PublicKey(env.NETWORK);
  const { follower, stop: stopFollowing } = await followOverRpc(chain, network, log);
  const bridge = createBridge({
    network,
    directory: follower,
    redisUrl: env.REDIS_URL,
    queuePrefix: env.QUEUE_PREFIX,
    mqttUrl: env.MQTT_URL,
    mqttClientId: env.MQTT_CLIENT_ID,
    mqttUsername: env.MQTT_USERNAME,
    mqttPassword: env.MQTT_PASSWORD,
    mqttSharedGroup: env.MQTT_SHARED_GROUP,
    httpPort: env.HTTP_PORT,
    httpHost: env.HTTP_HOST,
    httpLimits: {
      requestTimeoutMs: env.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: env.HTTP_HEADERS_TIMEOUT_MS,
      keepAliveTimeoutMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      maxConnections: env.HTTP_MAX_CONNECTIONS,
    },
    metricsPort: env.BRIDGE_METRICS_PORT,
    metricsHost: env.BRIDGE_METRICS_HOST,
    limits: {
      maxMessageBytes: env.MAX_MESSAGE_BYTES,
      maxReadingAgeS: env.BRIDGE_MAX_READING_AGE_S,
      maxClockSkewS: env.BRIDGE_MAX_CLOCK_SKEW_S,
      rateBurst: env.RATE_BURST,
      ratePerSecond: env.RATE_PER_SECOND,
      maxQueueWaiting: env.MAX_QUEUE_WAITING,
      maxBatch: env.MAX_BATCH,
    },
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
    stopFollowing();
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
