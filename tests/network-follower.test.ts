/**
 * The network follower rebuilds devices and device trees from program events alone; its
 * roots equal the on-chain roots and its proofs are accepted by the program.
 */
import { describe, expect, it } from 'vitest';
import { DEVICE_STATUS_REVOKED, DeviceEd25519Key } from '@zkpin/sdk';
import { localNetwork } from '@zkpin/sdk/testing';

describe('NetworkFollower', () => {
  it('follows registrations and updates from events, with roots equal to the chain', async () => {
    const net = await localNetwork();
    const { follower, setup } = net;
    expect(follower.trees.size).toBe(2);

    const keys = [new DeviceEd25519Key(), new DeviceEd25519Key(), new DeviceEd25519Key()];
    for (const k of keys) {
      const bjj = new Uint8Array(32).fill(3);
      bjj[0] = 0;
      await net.registerDevice({ deviceKey: k, bjjKeyHash: bjj });
    }
    const hex = Buffer.from(keys[1]!.publicKey).toString('hex');
    expect(follower.devices.size).toBe(3);
    expect(follower.device(hex)!.leafIndex).toBe(1);
    expect(await follower.rootMatchesChain(setup.deviceTree)).toBe(true);

    // Revoke with the follower's proof; the follower sees the new leaf.
    await net.revokeDevice(hex);
    expect(follower.device(hex)!.leaf.status).toBe(DEVICE_STATUS_REVOKED);
    expect(follower.isActive(hex)).toBe(false);
    expect(await follower.rootMatchesChain(setup.deviceTree)).toBe(true);

    await net.close();
  });
});
