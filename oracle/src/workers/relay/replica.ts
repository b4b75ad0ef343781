/**
 * The device leaf and its Merkle proof, from the oracle's replica of the device tree
 * (NetworkFollower), checked against the on-chain root before a transaction is built.
 */
import type { Job } from 'bullmq';
import type { DeviceProof, NetworkFollower } from '@zkpin/sdk';
import { deadLetter, transient } from '../errors.ts';

/**
 * The device's proof once its tree's replica matches the on-chain root. Throws a dead letter
 * when the device has no replica, a transient error when the replica is still behind after
 * `waitMs`.
 */
export async function syncedDeviceProof(
  follower: NetworkFollower,
  job: Job,
  deviceHex: string,
  waitMs: number,
): Promise<DeviceProof> {
  const proof = follower.proof(deviceHex);
  if (!proof) throw deadLetter('UNKNOWN_DEVICE', `device ${deviceHex}: no replica of its tree`);
  if (!(await follower.ensureInSync(proof.state.tree, waitMs))) {
    throw transient(
      job,
      `device tree replica of ${proof.state.tree.toBase58()} does not match the on-chain root after ${waitMs} ms`,
    );
  }
  return follower.proof(deviceHex)!; // the wait may have brought new leaves
}
