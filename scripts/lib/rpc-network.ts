/**
 * A zkpin network on a real JSON-RPC validator, run the way an operator runs it
 * (`npm start -- --cluster local`, tests/rpc-cluster.test.ts, the pipeline benchmark's RPC path):
 *
 *   zkpin-validator (own ports and ledger)  ← migrations/deploy.ts (programs for this
 *                                             deployment's ids, network, maker, model, trees)
 *   device-firmware-bridge  (process: src/main.ts, ZKPIN_DEPLOYMENT)  → BullMQ "prove"
 *   oracle prover + relayer (process: src/main.ts, ZKPIN_DEPLOYMENT)  → records on-chain;
 *                                             its pipeline status endpoint (STATUS_PORT)
 *   indexer (process: indexer/src/main.ts, ZKPIN_DEPLOYMENT, PGlite beside the ledger)
 *   N simulated devices onboarded over RPC, publishing signed readings over MQTT
 *
 * The indexer starts first; the bridge and the oracle start from its network snapshot
 * (INDEXER_URL: the transactions after its cursor only, every tree checked against the chain;
 * FOLLOWER_STATE or the chain's history when it cannot answer), and follow live after.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AnchorProvider, Wallet } from '@coral-xyz/anchor';
import { Keypair, LAMPORTS_PER_SOL, PublicKey, SystemProgram, Transaction } from '@solana/web3.js';
import {
  DEFAULT_QUEUE_PREFIX,
  DeviceEd25519Key,
  IndexerClient,
  NetworkFollower,
  RpcChain,
  bjjKeyHashBytes,
  deploymentProgramIds,
  deploymentTrees,
  deviceTreeFor,
  deviceRegistryProgram,
  registerDeviceInstructions,
  treeAccountRoot,
  type DeploymentManifest,
  type DeviceKeys,
} from '@zkpin/sdk';
import {
  REPO_ROOT,
  airdrop,
  freePort,
  startValidator,
  type LocalValidator,
} from '@zkpin/sdk/testing';
import { keypairFile, readDeployConfig, readKeypair } from '../../migrations/lib/config.ts';
import { deploy } from '../../migrations/lib/deploy-network.ts';
import { PipelineWatch, indexedRecords } from './pipeline-watch.ts';
import { ensureMqtt, ensureRedis, type Service } from './services.ts';
import { DeviceSimulator, shippedSimulatedModels } from './simulator.ts';

export interface RpcNetworkOptions {
  devices: number;
  /** Readings per second across all devices; 0 = do not start publishing. */
  rate: number;
  /** The deployment directory (default: a temporary one, removed on stop). */
  dir?: string;
  /** Validator slot time (default 400 ms). */
  slotMs?: number;
  log?: (line: string) => void;
}

/** A service process (`node --import tsx <main.ts>`), its pino lines kept and watched. */
export class ServiceProcess {
  readonly lines: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private readonly waiters: { re: RegExp; resolve: () => void }[] = [];

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: Record<string, string>,
  ) {}

  /** Starts it and resolves when a log line matches `ready` (rejects if it exits first). */
  async start(ready: RegExp, timeoutMs = 120_000): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, this.entry)], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.exited = new Promise((r) => child.once('exit', (c) => r(c)));
    const onLine = (l: string) => {
      this.lines.push(l);
      if (this.lines.length > 2_000) this.lines.splice(0, 1_000);
      for (const w of [...this.waiters])
        if (w.re.test(l)) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
    };
    createInterface({ input: child.stdout }).on('line', onLine);
    createInterface({ input: child.stderr }).on('line', onLine);
    await Promise.race([
      this.waitFor(ready, timeoutMs),
      this.exited.then((code) => {
        throw new Error(
          `${this.name} exited (${code}) before it was ready:\n${this.lines.slice(-30).join('\n')}`,
        );
      }),
    ]);
  }

  waitFor(re: RegExp, timeoutMs = 60_000): Promise<void> {
    if (this.lines.some((l) => re.test(l))) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = { re, resolve: () => (clearTimeout(t), resolve()) };
      const t = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`${this.name}: no line matching ${re} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGTERM (the service's clean shutdown), SIGKILL after `graceMs`. */
  async stop(graceMs = 20_000): Promise<number | null> {
    if (!this.running) return this.child?.exitCode ?? null;
    this.child!.kill('SIGTERM');
    const t = setTimeout(() => this.child?.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }

  kill(): Promise<number | null> {
    this.child?.kill('SIGKILL');
    return this.exited;
  }
}

export async function startRpcNetwork(o: RpcNetworkOptions) {
  const log = o.log ?? (() => undefined);
  const services: Service[] = [];
  const closers: (() => Promise<unknown>)[] = [];
  const temp = o.dir ? undefined : mkdtempSync(join(tmpdir(), 'zkpin-rpc-'));
  const dir = o.dir ?? join(temp!, 'deployment');
  mkdirSync(dir, { recursive: true });

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

  // The validator, with a ledger of its own for this run.
  const ledger = mkdtempSync(join(tmpdir(), 'zkpin-ledger-'));
  const validator: LocalValidator = await startValidator({ ledger, slotMs: o.slotMs });
  log(`validator    ${validator.rpcUrl} (ledger ${ledger})`);

  // Deploy as an operator would.
  const chain = new RpcChain(validator.rpcUrl, { wsUrl: validator.wsUrl });
  // The deployment's payer (also the network authority: the network's address derives from it).
  const payer = keypairFile(join(dir, 'keys', 'payer.json')).key;
  await airdrop(chain.connection, payer.publicKey, 500);
  log(`deploy       migrations/deploy.ts → ${dir}`);
  const deployOnce = () =>
    deploy({
      chain,
      dir,
      config: readDeployConfig(dir),
      cluster: 'local',
      rpcUrl: validator.rpcUrl,
      payer,
      dryRun: false,
      log: (l) => log(`             ${l.trim()}`),
    });
  // deploy resumes where it stopped (as an operator would rerun it): a transaction left
  // unconfirmed on a loaded machine is retried once instead of failing the network.
  const deployed = await deployOnce().catch((e: unknown) => {
    log(
      `deploy       stopped (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); resuming`,
    );
    return deployOnce();
  });
  const manifest: DeploymentManifest = deployed.manifest!;
  const manifestPath = deployed.manifestPath;
  const programIds = deploymentProgramIds(manifest);
  const network = new PublicKey(manifest.network.address);
  const modelId = manifest.models[0]!.id;
  const models = shippedSimulatedModels(manifest.models.map((m) => m.id));
  log(
    `network      ${manifest.network.address} (programs ${manifest.programs.deviceRegistry.id.slice(0, 8)}… / ${manifest.programs.inferenceAttestation.id.slice(0, 8)}…)`,
  );

  // Devices onboarded over RPC (the maker's key is the deployment's).
  const maker = readKeypair(join(dir, 'keys', 'maker.json'));
  const makerSigner = new DeviceEd25519Key(maker.secretKey.slice(0, 32));
  const registry = deviceRegistryProgram(
    new AnchorProvider(chain.connection, new Wallet(payer), { commitment: 'confirmed' }),
    programIds,
  );
  /** A new wallet holding `lamports` (1 SOL by default), paid by the deployment's payer. */
  const fundedWallet = async (lamports = LAMPORTS_PER_SOL): Promise<Keypair> => {
    const wallet = Keypair.generate();
    await chain.send(
      new Transaction().add(
        SystemProgram.transfer({
          fromPubkey: payer.publicKey,
          toPubkey: wallet.publicKey,
          lamports,
        }),
      ),
      [payer],
    );
    return wallet;
  };
  const registerDevice = async (keys: DeviceKeys, deviceModel = modelId): Promise<Keypair> => {
    const owner = await fundedWallet();
    const ixs = await registerDeviceInstructions(registry, {
      network,
      owner: owner.publicKey,
      maker: new PublicKey(manifest.makers[0]!.address),
      makerSigner,
      deviceSigner: keys.ed25519,
      bjjKeyHash: bjjKeyHashBytes(keys.babyJub.publicKey),
      modelId: deviceModel,
      deviceTree: deviceTreeFor(
        keys.ed25519.publicKey,
        deploymentTrees(manifest).device.map((t) => new PublicKey(t.address)),
      ),
    });
    await chain.send(new Transaction().add(...ixs), [owner]);
    return owner;
  };
  const sim = new DeviceSimulator({
    setup: { network, modelId },
    models,
    register: registerDevice,
    mqttUrl: broker.url,
    mqttUsername: process.env.SIM_MQTT_USERNAME,
    mqttPassword: process.env.SIM_MQTT_PASSWORD,
  });
  await sim.onboard(o.devices);
  log(`devices      ${o.devices} onboarded over RPC`);

  // The services as processes, each reading the manifest. The indexer first: the bridge and
  // the oracle start from its network snapshot (INDEXER_URL), checked against the chain.
  const indexerPort = await freePort();
  const indexerUrl = `http://127.0.0.1:${indexerPort}/`;
  const indexer = new ServiceProcess('indexer', 'indexer/src/main.ts', {
    ZKPIN_DEPLOYMENT: manifestPath,
    SOLANA_WS_URL: validator.wsUrl,
    INDEXER_DATA_DIR: join(ledger, 'indexer'),
    INDEXER_PORT: String(indexerPort),
  });
  await indexer.start(/indexer running/);
  const prefix = `${DEFAULT_QUEUE_PREFIX}-rpc-${Date.now().toString(36)}`;
  const common = {
    ZKPIN_DEPLOYMENT: manifestPath,
    SOLANA_WS_URL: validator.wsUrl,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    INDEXER_URL: indexerUrl,
  };
  const bridgeMetricsPort = await freePort();
  const bridge = new ServiceProcess('bridge', 'device-firmware-bridge/src/main.ts', {
    ...common,
    MQTT_URL: broker.url,
    ...(broker.bridge
      ? { MQTT_USERNAME: broker.bridge.username, MQTT_PASSWORD: broker.bridge.password }
      : {}),
    MQTT_CLIENT_ID: `zkpin-bridge-${prefix}`,
    FOLLOWER_STATE: join(ledger, 'bridge-follower.json'),
    HTTP_PORT: String(await freePort()),
    BRIDGE_METRICS_PORT: String(bridgeMetricsPort),
  });
  const statusPort = await freePort();
  const pipelineStatusUrl = `http://127.0.0.1:${statusPort}/`;
  const oracleEnv = {
    ...common,
    ORACLE_KEYPAIR: join(dir, 'keys', 'oracle.json'),
    ZKPIN_DEV_ARTIFACTS: '1',
    METRICS_PORT: '0',
    STATUS_PORT: String(statusPort),
    STATUS_HOST: '127.0.0.1',
    // The follower's snapshots: what a restarted oracle reads when the indexer cannot answer.
    FOLLOWER_STATE: join(ledger, 'oracle-follower.json'),
  };
  const oracle = new ServiceProcess('oracle', 'oracle/src/main.ts', oracleEnv);
  await Promise.all([bridge.start(/bridge running/), oracle.start(/status endpoint listening/)]);
  closers.push(
    () => bridge.stop(),
    () => oracle.stop(),
    () => indexer.stop(),
  );
  const indexerClient = new IndexerClient(indexerUrl, { chain });
  log('services     bridge, oracle (prover + relayer) and indexer running as processes');
  log(`indexer      ${indexerUrl}`);
  log(`status       ${pipelineStatusUrl}v1/devices/<device>/readings`);

  // What the summary reads: the queues, the bridge's metrics, and a follower over RPC.
  const follower = new NetworkFollower(chain, network, { programIds }).start();
  await follower.ready;
  const connection = { url: redis.url };
  const watch = new PipelineWatch(connection, prefix);
  const { relayQueue, proveQueue, latencies } = watch;
  closers.unshift(() => watch.close());

  await sim.connect();
  if (o.rate > 0) sim.start(o.rate);
  closers.unshift(() => sim.stop());

  const bridgeMetrics = async (): Promise<{
    accepted: number;
    rejected: Record<string, number>;
  }> => {
    const out = { accepted: 0, rejected: {} as Record<string, number> };
    try {
      const text = await (await fetch(`http://127.0.0.1:${bridgeMetricsPort}/metrics`)).text();
      for (const line of text.split('\n')) {
        const acc = /^zkpin_bridge_accepted_total(?:\{[^}]*\})? (\d+)/.exec(line);
        if (acc) out.accepted += Number(acc[1]);
        const rej = /^zkpin_bridge_rejected_total\{[^}]*reason="([^"]+)"[^}]*\} (\d+)/.exec(line);
        if (rej && Number(rej[2]) > 0) out.rejected[rej[1]!] = Number(rej[2]);
      }
    } catch {
      // the bridge is restarting: report what the queues say
    }
    return out;
  };

  const summary = async () => {
    const m = await bridgeMetrics();
    return {
      published: sim.published,
      accepted: m.accepted,
      rejected: m.rejected,
      proofs: await watch.proofs(),
      records: follower.records,
      recordsByModel: sim.recordsByModel((hex, seq) => follower.isRecorded(hex, seq)),
      indexed: await indexedRecords(indexerClient),
      deadLetters: await watch.deadLetters(),
      ...watch.latency(),
    };
  };

  /** Every record tree's on-chain root equals the follower's replica (read over RPC). */
  const recordRootMatches = async (): Promise<boolean> => {
    for (const t of deploymentTrees(manifest).record) {
      const tree = new PublicKey(t.address);
      const info = await chain.getAccountInfo(tree);
      const replica = follower.trees.get(tree.toBase58())?.replica.root;
      if (
        !info ||
        !replica ||
        !Buffer.from(treeAccountRoot(info.data)).equals(Buffer.from(replica))
      )
        return false;
    }
    return true;
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const close of closers)
      await close().catch((e: unknown) => log(`close failed: ${String(e)}`));
    await follower.stop();
    await chain.close();
    await validator.stop();
    for (const s of services) await s.stop();
    rmSync(ledger, { recursive: true, force: true });
    if (temp) rmSync(temp, { recursive: true, force: true });
  };
  return {
    validator,
    chain,
    dir,
    manifest,
    manifestPath,
    programIds,
    network,
    payer,
    fundedWallet,
    registerDevice,
    sim,
    bridge,
    oracle,
    oracleEnv,
    indexer,
    indexerUrl,
    indexerClient,
    /** The oracle's pipeline status endpoint (what the app's `pipelineStatusUrl` names). */
    pipelineStatusUrl,
    follower,
    prefix,
    connection,
    proveQueue,
    relayQueue,
    latencies,
    summary,
    recordRootMatches,
    stop,
    /** The deployment's oracle keypair file (for tests that restart the oracle). */
    oracleKeypair: () => readFileSync(join(dir, 'keys', 'oracle.json'), 'utf8'),
  };
}

export type RpcNetwork = Awaited<ReturnType<typeof startRpcNetwork>>;
