/**
 * The network follower rebuilds devices and device trees from program events alone; its
 * roots equal the on-chain roots and its proofs are accepted by the program. Attestations
 * apply from their `RecordAttested` event, and from the three events programs built before
 * it emitted (history written by older programs).
 */
import { describe, expect, it } from 'vitest';
import BN from 'bn.js';
import { DEVICE_STATUS_REVOKED, DeviceEd25519Key, NetworkFollower, toHex } from '@zkpin/sdk';
import { LegacyEventsChain, localNetwork } from '@zkpin/sdk/testing';
import { AttestedNetwork } from '../bench/attestation-scenario.ts';

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

  it('applies attestations from RecordAttested, and from the legacy DeviceUpdated + RecordAppended', async () => {
    const n = await AttestedNetwork.create();
    const { follower } = n.net;
    const hex = toHex(n.leaf.device.toBytes());
    await n.submit();
    n.track({ ...n.leaf, seq: new BN(n.vector.seq.toString()) });
    await n.submit(n.nextParams());
    const legacyChain = new LegacyEventsChain(n.chain, n.net);
    const legacy = new NetworkFollower(legacyChain, n.setup.network).start();
    // The rewritten history really carries the legacy events, and no RecordAttested.
    const names = legacyChain
      .historyNow(n.setup.network)
      .flatMap((tx) => tx.innerInstructions)
      .filter((ix) => ix.stackHeight > 1)
      .map((ix) => Buffer.from(ix.data.subarray(8, 16)).toString('hex'));
    const disc = (name: string) =>
      Buffer.from(
        [...n.registry.idl.events, ...n.attestation.idl.events].find((e) => e.name === name)!
          .discriminator,
      ).toString('hex');
    expect(names.filter((d) => d === disc('recordAppended'))).toHaveLength(2);
    expect(names.filter((d) => d === disc('attestationSubmitted'))).toHaveLength(2);
    expect(names).not.toContain(disc('recordAttested'));
    for (const f of [follower, legacy]) {
      expect(f.device(hex)!.leaf.seq.toString()).toBe(n.vector.next.seq.toString());
      expect(f.records).toBe(2);
      expect(f.isRecorded(hex, n.vector.seq)).toBe(true);
      expect(f.isRecorded(hex, n.vector.next.seq)).toBe(true);
      expect(await f.rootMatchesChain(n.setup.deviceTree)).toBe(true);
      expect(await f.rootMatchesChain(n.setup.recordTree)).toBe(true);
      expect(f.resyncs).toBe(0);
    }
    await legacy.stop();
    await n.net.close();
  });
});
