/**
 * `migrations/deploy.ts`: deploys zkpin to the cluster at SOLANA_RPC_URL and writes the
 * deployment manifest that the services read (`ZKPIN_DEPLOYMENT`).
 *
 *   npx tsx migrations/deploy.ts --dir deployments/devnet [--keypair ~/.config/solana/id.json] [--dry-run]
 *
 * --dir        the deployment directory (default deployments/<cluster>): deploy.json (what to
 *              deploy, lib/config.ts), keys/ (program, tree, oracle and maker keypairs this
 *              run creates when missing: keep them secret), programs/ (the build for this
 *              deployment's ids), manifest.json (written last).
 * --keypair    pays for everything (default: ~/.config/solana/id.json; on a local cluster,
 *              keys/payer.json, created and funded by airdrop).
 * --cluster    the cluster's name in the manifest (default: from the URL).
 * --dry-run    prints the plan and its cost (rent + fees) and sends nothing.
 *
 * SOLANA_RPC_URL (default http://127.0.0.1:8899), SOLANA_WS_URL (default: the RPC port + 1).
 * Every step reads the chain before it acts: a second run sends nothing, and a run cut off
 * anywhere resumes.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LAMPORTS_PER_SOL } from '@solana/web3.js';
import { RpcChain } from '@zkpin/sdk';
import { REPO_ROOT, airdrop } from '@zkpin/sdk/testing';
import {
  clusterName,
  isLocalCluster,
  keypairFile,
  readDeployConfig,
  readKeypair,
} from './lib/config.ts';
import { deploy, sol } from './lib/deploy-network.ts';

const { values: args } = parseArgs({
  options: {
    dir: { type: 'string' },
    keypair: { type: 'string' },
    cluster: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const log = (s: string) => process.stdout.write(`${s}\n`);

async function main(): Promise<void> {
  const rpcUrl = process.env.SOLANA_RPC_URL ?? 'http://127.0.0.1:8899';
  const dir = resolve(args.dir ?? join(REPO_ROOT, 'deployments', clusterName(rpcUrl)));
  const config = readDeployConfig(dir);
  const cluster = args.cluster ?? config.cluster ?? clusterName(rpcUrl);
  const chain = new RpcChain(rpcUrl, { wsUrl: process.env.SOLANA_WS_URL });
  const dryRun = args['dry-run'];
  try {
    const genesis = await chain.connection.getGenesisHash().catch((e: Error) => {
      throw new Error(`cannot reach ${rpcUrl}: ${e.message} (set SOLANA_RPC_URL)`);
    });
    // The URL, not the --cluster label, says whether this is a local validator.
    const isLocal = isLocalCluster(rpcUrl);
    let payer;
    if (args.keypair) payer = readKeypair(args.keypair);
    else if (isLocal) payer = keypairFile(join(dir, 'keys', 'payer.json')).key;
    else {
      const path = join(homedir(), '.config', 'solana', 'id.json');
      if (!existsSync(path))
        throw new Error(`no payer: pass --keypair (a Solana CLI keypair file); ${path} is missing`);
      payer = readKeypair(path);
    }
    log(`zkpin deploy${dryRun ? ' (dry run: nothing is sent)' : ''}`);
    log(`  cluster   ${cluster} ${rpcUrl} (genesis ${genesis.slice(0, 12)}…)`);
    log(`  directory ${dir}`);
    let balance = await chain.connection.getBalance(payer.publicKey, 'confirmed');
    if (isLocal && balance < 50 * LAMPORTS_PER_SOL && !dryRun) {
      await airdrop(chain.connection, payer.publicKey, 100);
      balance = await chain.connection.getBalance(payer.publicKey, 'confirmed');
    }
    log(`  payer     ${payer.publicKey.toBase58()} (${sol(balance)} SOL)`);

    const result = await deploy({ chain, dir, config, cluster, rpcUrl, payer, dryRun, log });
    const todo = result.steps.filter((s) => s.action);
    const rent = todo.reduce((a, s) => a + s.rentLamports, 0);
    const fees = todo.reduce((a, s) => a + s.feeLamports, 0);
    log('');
    if (dryRun) {
      log(
        todo.length === 0
          ? 'plan: nothing to do (the cluster matches the deployment)'
          : `plan: ${todo.length} steps, rent ${sol(rent)} SOL + fees ${sol(fees)} SOL = ${sol(rent + fees)} SOL (payer holds ${sol(balance)} SOL)`,
      );
      if (rent + fees > balance && todo.length > 0)
        log(`  the payer needs ${sol(rent + fees - balance)} SOL more`);
    } else {
      log(
        result.transactions === 0
          ? `nothing to do: ${result.manifestPath} is current`
          : `done: ${result.transactions} transactions; manifest ${result.manifestPath}`,
      );
    }
  } finally {
    await chain.close();
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`deploy failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
