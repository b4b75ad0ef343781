/** Reading a deployment manifest file (`ZKPIN_DEPLOYMENT`): Node only. */
import { readFileSync } from 'node:fs';
import { DeploymentManifestError, parseDeploymentManifest } from '../deployment.ts';
import type { DeploymentManifest } from '../deployment.ts';

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
