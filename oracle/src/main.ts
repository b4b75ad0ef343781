/**
 * The oracle service: prover and/or relayer workers (ROLE) on the deployment of
 * ZKPIN_DEPLOYMENT (the manifest migrations/deploy.ts writes; or NETWORK on SOLANA_RPC_URL
 * with the localnet program ids), queues on REDIS_URL. Configuration: src/env.ts.
 *
 * The device directory and the device tree replicas come from a NetworkFollower, which builds
 * them from program events: the network's history at start (an oracle started after devices
 * were registered knows them), or a snapshot and the transactions since: the indexer's
 * (INDEXER_URL), or the one it saved in FOLLOWER_STATE; either is checked against the chain
 * (docs/pipeline.md).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { AddressLookupTableAccount, Keypair, PublicKey } from '@solana/web3.js';
import { pino } from 'pino';
import {
  NetworkFollower,
  RpcChain,
  deploymentTrees,
  encodeVerifyingKey,
  verifyingKeyHash,
} from '@zkpin/sdk';
import {
  resolveEd25519Backend,
  serviceDeployment,
  serviceFollowerStore,
  type ServiceDeployment,
} from '@zkpin/sdk/node';
import { readArtifactsFile } from '@zkpin/circuits/runtime';
import {
  artifactsSource,
  assertDevArtifactsLocal,
  parseEnv,
  rpcSendOptions,
  type Env,
} from './env.ts';
import { ModelProvers, allDevProverArtifacts, type ProverArtifacts } from './prover/index.ts';
import { ReadingStatusReader, startStatusServer, type StatusServer } from './status/index.ts';
import {
  OracleMetrics,
  createProverWorker,
  createRelayer,
  type ProverWorkerHandle,
  type RelayerHandle,
} from './workers/index.ts';

let env: Env;
try {
  env = parseEnv();
} catch (e) {
  process.stderr.write(`zkpin-oracle: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
// A deployment's artifacts file is checked before anything connects.
const source = artifactsSource(env);
let fileArtifacts: ProverArtifacts[] | undefined;
if (source?.kind === 'files') {
  try {
    fileArtifacts = source.paths.map((p) => readArtifactsFile(p));
  } catch (e) {
    process.stderr.write(
      `zkpin-oracle: PROVER_ARTIFACTS: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    process.exit(1);
  }
}
let deployment: ServiceDeployment;
try {
  deployment = serviceDeployment({
    deployment: env.ZKPIN_DEPLOYMENT,
    network: env.NETWORK,
    rpcUrl: env.SOLANA_RPC_URL,
  });
  // The INSECURE development keys only on a local cluster, refused before anything connects.
  assertDevArtifactsLocal(env, deployment);
} catch (e) {
  process.stderr.write(`zkpin-oracle: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
const log = pino({ name: 'zkpin-oracle', level: env.LOG_LEVEL });
const metrics = new OracleMetrics({ defaultMetrics: true });
const connection = { url: env.REDIS_URL };
const chain = new RpcChain(deployment.rpcUrl, {
  wsUrl: env.SOLANA_WS_URL,
  send: rpcSendOptions(env),
});
const network = deployment.network;
const programIds = deployment.programIds;
// The network's history first (an oracle started after devices were registered knows them),
// or the indexer's snapshot (INDEXER_URL) or the one in FOLLOWER_STATE, and the transactions since.
const follower = new NetworkFollower(chain, network, {
  programIds,
  store: serviceFollowerStore({
    indexerUrl: env.INDEXER_URL,
    stateFile: env.FOLLOWER_STATE,
    timeoutMs: env.INDEXER_TIMEOUT_MS,
    onFallback: (reason) =>
      log.warn(
        { reason, indexer: env.INDEXER_URL, fallback: env.FOLLOWER_STATE ?? 'history' },
        'indexer snapshot not loaded',
      ),
  }),
});
follower.onResync((reason) => log.warn({ reason }, 'network replica rebuilt from the chain'));
follower.onSaveError((e) =>
  log.error({ err: e, file: env.FOLLOWER_STATE }, 'network replica snapshot not saved'),
);
await follower.start().ready;
log.info({ devices: follower.devices.size, backfill: follower.backfill }, 'network replica loaded');

let prover: ModelProvers | undefined;
let proverWorker: ProverWorkerHandle | undefined;
let relayer: RelayerHandle | undefined;
let server: Server | undefined;
let statusReader: ReadingStatusReader | undefined;
let statusServer: StatusServer | undefined;

if (source) {
  let artifacts: ProverArtifacts[];
  if (fileArtifacts) {
    artifacts = fileArtifacts;
    log.info(
      { artifacts: env.PROVER_ARTIFACTS, models: artifacts.map((a) => a.modelId) },
      'proving artifacts loaded',
    );
  } else {
    const warning =
      'ZKPIN_DEV_ARTIFACTS=1: proving with the INSECURE development ceremony (fixed public beacons): anyone can forge proofs for these keys. Local networks and tests only; a deployment sets PROVER_ARTIFACTS (docs/ceremony.md).';
    process.stderr.write(`\n*** zkpin-oracle: ${warning}\n\n`);
    log.warn(warning);
    // Every shipped model the deployment registered (all of them without a manifest).
    const registeredIds = deployment.manifest?.models.map((m) => m.id);
    artifacts = await allDevProverArtifacts(registeredIds);
  }
  // The manifest says which verifying key each model was registered with: proving with
  // other keys would only make proofs the program rejects.
  if (deployment.manifest) {
    const { models } = deployment.manifest;
    for (const a of artifacts) {
      const registered = models.find((m) => m.id === a.modelId);
      const vkHash = verifyingKeyHash(encodeVerifyingKey(a.vk));
      const problem = !registered
        ? `model ${a.modelId} is not in the deployment (models ${models.map((m) => m.id).join(', ')})`
        : registered.vkHash !== vkHash
          ? `model ${a.modelId} is registered with vk hash ${registered.vkHash}; these artifacts have ${vkHash}`
          : undefined;
      if (problem) {
        process.stderr.write(`zkpin-oracle: proving artifacts: ${problem}\n`);
        process.exit(1);
      }
    }
    if (artifacts.length === 0) {
      process.stderr.write(
        `zkpin-oracle: proving artifacts: no shipped model is registered in the deployment (models ${models.map((m) => m.id).join(', ')})\n`,
      );
      process.exit(1);
    }
  }
  prover = await ModelProvers.create(artifacts, {
    backend: env.PROVER_BACKEND,
    native: { binary: env.ZKPIN_NATIVE_PROVER, trace: env.ZKPIN_PROVER_TRACE },
  });
  proverWorker = createProverWorker({
    connection,
    prefix: env.QUEUE_PREFIX,
    prover,
    follower,
    concurrency: env.PROVER_CONCURRENCY,
    logger: log,
    metrics,
  });
  log.info(
    {
      backend: prover.backend,
      ed25519: resolveEd25519Backend(),
      models: prover.modelIds,
      concurrency: env.PROVER_CONCURRENCY,
    },
    'prover worker started',
  );
}
if (env.ROLE !== 'prover') {
  const secret = JSON.parse(readFileSync(env.ORACLE_KEYPAIR!, 'utf8')) as number[];
  const submitter = Keypair.fromSecretKey(Uint8Array.from(secret));
  let lookupTable: AddressLookupTableAccount | undefined;
  if (deployment.lookupTable) {
    const info = await chain.getAccountInfo(deployment.lookupTable);
    if (!info) {
      process.stderr.write(
        `zkpin-oracle: the deployment's lookup table ${deployment.lookupTable.toBase58()} is not on the cluster (run migrations/deploy.ts again)\n`,
      );
      process.exit(1);
    }
    lookupTable = new AddressLookupTableAccount({
      key: deployment.lookupTable,
      state: AddressLookupTableAccount.deserialize(info.data),
    });
  }
  relayer = createRelayer({
    connection,
    prefix: env.QUEUE_PREFIX,
    chain,
    follower,
    submitter,
    programIds,
    lookupTable,
    // Every record tree of the deployment (else the follower's): writes spread over them.
    setup: {
      network,
      recordTrees: deployment.manifest
        ? deploymentTrees(deployment.manifest).record.map((t) => new PublicKey(t.address))
        : undefined,
    },
    computeUnitLimit: env.COMPUTE_UNIT_LIMIT,
    priorityFeeMicroLamports: env.PRIORITY_FEE_MICRO_LAMPORTS || undefined,
    concurrency: env.RELAYER_CONCURRENCY,
    logger: log,
    metrics,
  });
  log.info({ submitter: submitter.publicKey.toBase58() }, 'relayer started');
}
if (env.METRICS_PORT > 0) {
  server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    void metrics.registry
      .metrics()
      .then((body) =>
        res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(body),
      );
  }).listen(env.METRICS_PORT);
}
if (env.STATUS_PORT > 0) {
  statusReader = new ReadingStatusReader({
    connection,
    prefix: env.QUEUE_PREFIX,
    directory: follower,
  });
  statusServer = await startStatusServer({
    reader: statusReader,
    port: env.STATUS_PORT,
    host: env.STATUS_HOST,
    ratePerSecond: env.STATUS_RATE_LIMIT,
    logger: log,
  });
  log.info({ url: statusServer.url, port: statusServer.port }, 'status endpoint listening');
}

let stopping = false;
/** Workers first (finish or abandon jobs in flight), then queues, then connections; bounded by SHUTDOWN_TIMEOUT_MS. */
export async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  const timer = setTimeout(() => {
    log.error(`shutdown took longer than ${env.SHUTDOWN_TIMEOUT_MS} ms; exiting`);
    process.exit(1);
  }, env.SHUTDOWN_TIMEOUT_MS);
  try {
    await Promise.all([proverWorker?.close(), relayer?.close()]); // workers, then their queues
    await statusServer?.close();
    await statusReader?.close();
    await follower.stop(); // saves its snapshot (FOLLOWER_STATE)
    await chain.close();
    prover?.close();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  } finally {
    clearTimeout(timer);
  }
  log.info('stopped');
}

for (const s of ['SIGINT', 'SIGTERM'] as const)
  process.once(s, () => void shutdown(s).then(() => process.exit(0)));
