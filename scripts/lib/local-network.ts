/**
 * A whole zkpin network on one machine, for the main job (`npm start`, scripts/local-network.ts)
 * and the pipeline benchmark.
 *
 *   embedded LiteSVM chain (both programs; network, maker, model, trees)
 *   → device-firmware-bridge (MQTT + HTTP ingest)  → BullMQ "prove"
 *   → prover worker (onnxruntime + Groth16)        → BullMQ "relay"
 *   → relayer (submit_attestation)                 → records on-chain
 *   indexer (same chain, PGlite in a temporary data directory, JSON-RPC on a free port)
 *   with N simulated devices publishing signed readings over MQTT,
 *
 * Redis and MQTT: REDIS_URL / MQTT_URL when set, else private local servers (the broker with
 * the local ACL: devices publish only their own topic, only the bridge reads). The bridge
 * logs in with MQTT_USERNAME / MQTT_PASSWORD (the private broker's generated ones when it
 * started it); simulated devices with SIM_MQTT_USERNAME / SIM_MQTT_PASSWORD when set.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import {
  DEFAULT_QUEUE_PREFIX,
  LOCAL_NETWORK_SHARDS,
  createRelayerLookupTable,
  encodeVerifyingKey,
  fromHex,
  IndexerClient,
} from '@zkpin/sdk';
import { localNetwork } from '@zkpin/sdk/testing';
import { ModelProvers, allDevProverArtifacts } from '@zkpin/oracle/prover';
import { createProverWorker, createRelayer } from '@zkpin/oracle/workers';
import { createBridge } from '@zkpin/device-firmware-bridge';
import { startIndexer } from '@zkpin/indexer';
import { DeviceSimulator, shippedSimulatedModels } from './simulator.ts';
import { PipelineWatch, indexedRecords } from './pipeline-watch.ts';
import { ensureMqtt, ensureRedis, type Service } from './services.ts';

export interface LocalNetworkOptions {
  devices: number;
  /** Readings per second across all devices; 0 = do not start publishing. */
  rate: number;
  log?: (line: string) => void;
}

export { percentile } from './pipeline-watch.ts';

export async function startLocalNetwork(o: LocalNetworkOptions) {
  const log = o.log ?? (() => undefined);
  const DEVICES = o.devices;
  const RATE = o.rate;
  const services: Service[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const redis = await ensureRedis(process.env.REDIS_URL);
  services.push(redis);
  const broker = await ensureMqtt({
    url: process.env.MQTT_URL,
    username: process.env.MQTT_USERNAME,
    password: process.env.MQTT_PASSWORD,
  });
  services.push(broker);
  log(`redis        ${redis.url}${redis.owned ? ' (started here)' : ''}`);
  log(`mqtt         ${broker.url}${broker.owned ? ' (started here)' : ''}`);

  // Chain with both programs, and a network shaped for production.
  log('circuit      loading the development (INSECURE) proving keys and models ...');
  const [first, ...others] = await allDevProverArtifacts();
  const artifacts = [first!, ...others];
  const net = await localNetwork({
    shards: LOCAL_NETWORK_SHARDS,
    model: {
      id: first!.modelId,
      verifyingKey: encodeVerifyingKey(first!.vk),
      onnxSha256: fromHex(first!.onnxSha256),
      window: first!.window,
      classes: first!.classes,
    },
  });
  // Every other shipped model on the same network.
  for (const a of others)
    await net.registerModel({
      modelId: a.modelId,
      verifyingKey: encodeVerifyingKey(a.vk),
      onnxSha256: fromHex(a.onnxSha256),
      window: a.window,
      classes: a.classes,
    });
  const { chain: local, embedded: chain, follower, setup, oracle } = net;
  log(
    `network      ${setup.network.toBase58()} (models ${artifacts.map((a) => `${a.modelId}: window ${a.window}, ${a.classes} classes`).join('; ')}, ${setup.deviceTrees.length} device trees, ${setup.recordTrees.length} record trees)`,
  );
  const modelWindows = new Map(artifacts.map((a) => [a.modelId, a.window]));

  // Services log warnings and errors only (LOG_LEVEL to change); the summary line is the UI.
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  const prefix = `${DEFAULT_QUEUE_PREFIX}-local-${Date.now().toString(36)}`;
  const connection = { url: redis.url };
  // The indexer on the same chain, its database in a temporary PGlite data directory.
  const indexerDir = mkdtempSync(join(tmpdir(), 'zkpin-indexer-'));
  const indexer = await startIndexer({
    chain,
    network: setup.network,
    database: { kind: 'pglite', dataDir: indexerDir },
    port: 0,
    log: logger,
  });
  closers.push(async () => {
    await indexer.stop();
    rmSync(indexerDir, { recursive: true, force: true });
  });
  const indexerClient = new IndexerClient(indexer.url, { chain });
  log(`indexer      ${indexer.url}`);

  const prover = await ModelProvers.create(artifacts);
  log(`prover       ${prover.backend} backend, models ${prover.modelIds.join(', ')}`);

  const bridge = createBridge({
    redisUrl: redis.url,
    mqttUrl: broker.url,
    mqttUsername: broker.bridge?.username,
    mqttPassword: broker.bridge?.password,
    queuePrefix: prefix,
    network: setup.network,
    directory: follower,
    modelWindows,
    httpPort: 0,
    logger,
  });
  await bridge.start();
  closers.push(() => bridge.stop());
  const proverWorker = createProverWorker({ connection, prefix, prover, follower, logger });
  closers.push(() => proverWorker.close());
  // v0 transactions through a lookup table leave room for the compute-budget instructions.
  const lookupTable = await createRelayerLookupTable(chain, oracle, setup);
  const relayer = createRelayer({
    connection,
    prefix,
    chain,
    follower,
    submitter: oracle,
    setup,
    lookupTable,
    logger,
  });
  closers.push(() => relayer.close());

  // End-to-end latency, proofs and dead letters, from the queues.
  const watch = new PipelineWatch(connection, prefix);
  const { relayQueue, proveQueue, latencies } = watch;
  closers.push(() => watch.close());

  // Simulated devices.
  const sim = new DeviceSimulator({
    setup,
    models: shippedSimulatedModels(prover.modelIds),
    // Each device gets its own owner wallet with 1 SOL.
    register: async (keys, modelId) => {
      const owner = local.fundedKeypair(1);
      await net.registerDevice({ keys, owner, modelId });
      return owner;
    },
    mqttUrl: broker.url,
    mqttUsername: process.env.SIM_MQTT_USERNAME,
    mqttPassword: process.env.SIM_MQTT_PASSWORD,
  });
  await sim.onboard(DEVICES);
  await sim.connect();
  if (RATE > 0) sim.start(RATE);
  closers.unshift(() => sim.stop());
  log(`devices      ${DEVICES} onboarded, publishing ${RATE} reading(s)/s over MQTT`);
  log('');

  const summary = async () => {
    const s = bridge.stats();
    return {
      published: sim.published,
      accepted: s.accepted,
      rejected: Object.fromEntries(
        Object.entries(s.rejectedByReason).filter(([, v]) => v > 0),
      ) as Record<string, number>,
      proofs: await watch.proofs(),
      records: follower.records,
      recordsByModel: sim.recordsByModel((hex, seq) => follower.isRecorded(hex, seq)),
      indexed: await indexedRecords(indexerClient),
      deadLetters: await watch.deadLetters(),
      ...watch.latency(),
    };
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const close of closers)
      await close().catch((e: unknown) => log(`close failed: ${String(e)}`));
    prover.close();
    await net.close();
    for (const s of services) await s.stop();
  };
  return {
    chain,
    local,
    setup,
    follower,
    sim,
    bridge,
    prover,
    indexer,
    indexerClient,
    prefix,
    connection,
    proveQueue,
    relayQueue,
    latencies,
    summary,
    stop,
    redisUrl: redis.url,
    mqttUrl: broker.url,
  };
}

export type LocalNetwork = Awaited<ReturnType<typeof startLocalNetwork>>;
