/** Reading a deployment manifest file (`ZKPIN_DEPLOYMENT`): Node only. */
import { readFileSync } from 'node:fs';
import { PublicKey } from '@solana/web3.js';
import {
  DeploymentManifestError,
  deploymentProgramIds,
  parseDeploymentManifest,
  type DeploymentManifest,
} from '../deployment.ts';
import { LOCALNET_PROGRAM_IDS, type ProgramIds } from '../program-ids.ts';

export function readDeploymentManifest(path: string): DeploymentManifest {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DeploymentManifestError(
      [`cannot read it: ${(e as Error).message} (run migrations/deploy.ts to write it)`],
      path,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DeploymentManifestError([`not JSON: ${(e as Error).message}`], path);
  }
  return parseDeploymentManifest(json, path);
}

/** Where a service runs: from the manifest, or (without one) from NETWORK and the localnet ids. */
export interface ServiceDeployment {
  rpcUrl: string;
  network: PublicKey;
  programIds: ProgramIds;
  /** The relayer's lookup table, when the deployment made one. */
  lookupTable?: PublicKey;
  manifest?: DeploymentManifest;
}

/**
 * A service's deployment from its settings: `ZKPIN_DEPLOYMENT` (the manifest; the way to run
 * against a cluster), else `NETWORK` on the localnet build's program ids. `SOLANA_RPC_URL`
 * overrides the manifest's endpoint (another node of the same cluster); a `NETWORK` that
 * differs from the manifest's is refused.
 */
export function serviceDeployment(s: {
  deployment?: string;
  network?: string;
  rpcUrl?: string;
}): ServiceDeployment {
  if (s.deployment) {
    const manifest = readDeploymentManifest(s.deployment);
    if (s.network && s.network !== manifest.network.address)
      throw new Error(
        `NETWORK ${s.network} is not the network of ZKPIN_DEPLOYMENT (${manifest.network.address}); unset NETWORK`,
      );
    return {
      rpcUrl: s.rpcUrl ?? manifest.cluster.rpcUrl,
      network: new PublicKey(manifest.network.address),
      programIds: deploymentProgramIds(manifest),
      lookupTable: manifest.lookupTable ? new PublicKey(manifest.lookupTable) : undefined,
      manifest,
    };
  }
  if (!s.network || !s.rpcUrl)
    throw new Error(
      'set ZKPIN_DEPLOYMENT to the deployment manifest (migrations/deploy.ts writes it), or both SOLANA_RPC_URL and NETWORK (a network on the localnet program ids)',
    );
  return {
    rpcUrl: s.rpcUrl,
    network: new PublicKey(s.network),
    programIds: LOCALNET_PROGRAM_IDS,
  };
}
