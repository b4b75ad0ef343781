/**
 * The main job (`npm start`): a whole zkpin network on one machine — embedded LiteSVM chain
 * with both programs, the device bridge, prover and relayer workers, and N simulated devices
 * publishing signed readings over MQTT, and the indexer (JSON-RPC, its URL printed) — with a
 * live summary until Ctrl-C, then a clean shutdown.
 *
 * Options: --devices N (default 4), --rate R readings/s (default 1), --duration S (stop
 * after S seconds), --cluster embedded|local (default embedded). Redis and MQTT: REDIS_URL /
 * MQTT_URL when set, else private local ones.
 *
 * --cluster local runs the same network on a real JSON-RPC validator instead (zkpin-validator
 * on its own ports and ledger): deployed by migrations/deploy.ts into deployments/local, the
 * bridge, the oracle and the indexer as separate processes reading its manifest
 * (scripts/lib/rpc-network.ts), and the owner app (app/, built and served with its
 * configuration for this network: scripts/lib/app-server.ts), its URL printed.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '@zkpin/sdk/testing';
import { startLocalNetwork } from './lib/local-network.ts';
import { buildApp, networkAppConfig, serveApp, type AppServer } from './lib/app-server.ts';
import { startRpcNetwork } from './lib/rpc-network.ts';

const { values: args } = parseArgs({
  options: {
    devices: { type: 'string', default: '4' },
    rate: { type: 'string', default: '1' },
    duration: { type: 'string' },
    cluster: { type: 'string', default: 'embedded' },
  },
});
const log = (s: string) => process.stdout.write(`${s}\n`);
const fmt = (o: Record<string, number>) =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ') || 'none';

async function main() {
  const options = { devices: Number(args.devices), rate: Number(args.rate), log };
  if (args.cluster !== 'embedded' && args.cluster !== 'local')
    throw new Error(
      `--cluster ${args.cluster}: expected embedded (LiteSVM in process) or local (a validator over JSON-RPC)`,
    );
  log(
    args.cluster === 'local'
      ? 'cluster      local: zkpin-validator over JSON-RPC, services as processes'
      : 'cluster      embedded LiteSVM (--cluster local for a JSON-RPC validator)',
  );
  let app: AppServer | undefined;
  let net: Awaited<ReturnType<typeof startRpcNetwork | typeof startLocalNetwork>>;
  if (args.cluster === 'local') {
    const rpc = await startRpcNetwork({ ...options, dir: join(REPO_ROOT, 'deployments', 'local') });
    net = rpc;
    // The owner app, configured for this network (it needs the validator's JSON-RPC).
    await buildApp();
    app = await serveApp(networkAppConfig(rpc), Number(process.env['APP_PORT'] ?? 0));
    log(`app          ${app.url}  (owner app: connect a wallet, or the local development wallet)`);
  } else {
    net = await startLocalNetwork(options);
    log('app          needs a JSON-RPC validator: npm start -- --cluster local');
  }
  const started = Date.now();
  const line = async () => {
    const s = await net.summary();
    return (
      `[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] published ${s.published}  accepted ${s.accepted}` +
      `  proofs ${s.proofs}  records on-chain ${s.records} (${Object.entries(s.recordsByModel)
        .map(([m, n]) => `${m}: ${n}`)
        .join(
          ', ',
        )}) indexed ${s.indexed ?? '?'}  latency p50 ${s.latencyP50} ms p95 ${s.latencyP95} ms` +
      `  rejects: ${fmt(s.rejected)}  dead letters: ${fmt(s.deadLetters)}`
    );
  };
  const timer = setInterval(() => void line().then(log), 2_000);

  let stopping = false;
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    log(`\n${why}: shutting down ...`);
    log(await line());
    const deadline = setTimeout(() => {
      log('shutdown took longer than 15 s; exiting');
      process.exit(1);
    }, 15_000);
    await app?.close();
    await net.stop();
    clearTimeout(deadline);
    log('stopped cleanly');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('Ctrl-C'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  if (args.duration)
    setTimeout(() => void shutdown(`${args.duration} s elapsed`), Number(args.duration) * 1000);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
