/**
 * The app's configuration, fetched at load time from `zkpin-app.json` next to index.html
 * (`npm start` writes it for the local network; an operator serves their own). It holds no
 * secret: a Solana RPC URL the browser can reach, the indexer's URL, optionally the oracle's
 * pipeline status endpoint, and the deployment manifest (`migrations/deploy.ts` writes it) for
 * the network and program ids.
 */
import { z } from 'zod';
import {
  deploymentProgramIds,
  isLocalCluster,
  parseDeploymentManifest,
  type DeploymentManifest,
  type ProgramIds,
} from '@zkpin/sdk';
import { PublicKey } from '@solana/web3.js';

const schema = z.strictObject({
  rpcUrl: z.string().url(),
  wsUrl: z.string().url().optional(),
  indexerUrl: z.string().url(),
  pipelineStatusUrl: z.string().url().optional(),
  manifest: z.unknown(),
});

export interface AppConfig {
  rpcUrl: string;
  wsUrl: string | undefined;
  indexerUrl: string;
  /** The oracle's pipeline status endpoint; without it the device page says the status is off. */
  pipelineStatusUrl: string | undefined;
  manifest: DeploymentManifest;
  network: PublicKey;
  programIds: ProgramIds;
  /** The development wallet is offered only here. */
  localCluster: boolean;
}

export class ConfigError extends Error {}

export async function loadConfig(url = './zkpin-app.json'): Promise<AppConfig> {
  let raw: unknown;
  try {
    const res = await fetch(url, { cache: 'no-store' });
    if (!res.ok) throw new ConfigError(`${url}: HTTP ${res.status}`);
    raw = await res.json();
  } catch (e) {
    throw new ConfigError(
      `the app's configuration (${url}) could not be read: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const r = schema.safeParse(raw);
  if (!r.success)
    throw new ConfigError(
      `${url} is not a zkpin app configuration: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  const manifest = parseDeploymentManifest(r.data.manifest);
  return {
    rpcUrl: r.data.rpcUrl,
    wsUrl: r.data.wsUrl,
    indexerUrl: r.data.indexerUrl,
    pipelineStatusUrl: r.data.pipelineStatusUrl,
    manifest,
    network: new PublicKey(manifest.network.address),
    programIds: deploymentProgramIds(manifest),
    // The deployment's own RPC URL and the one the app uses both on this machine: the rule the
    // oracle and migrations apply to the development keys (a manifest's name is only a label).
    localCluster: isLocalCluster(manifest.cluster.rpcUrl) && isLocalCluster(r.data.rpcUrl),
  };
}
