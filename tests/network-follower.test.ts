/**
 * The network follower rebuilds devices and device trees from program events alone; its
 * roots equal the on-chain roots and its proofs are accepted by the program.
 */
import { describe, expect, it } from 'vitest';
import { Transaction } from '@solana/web3.js';
import {
  DEVICE_STATUS_REVOKED,
  DeviceEd25519Key,
  NetworkFollower,
  networkPda,
  proofAccounts,
  registerDeviceInstructions,
  setUpNetwork,
} from '@zkpin/sdk';
import { EmbeddedChain } from '@zkpin/sdk/testing';
import { fixtureVerifyingKey, newChain } from './helpers.ts';

describe('NetworkFollower', () => {
  it('follows registrations and updates from events, with roots equal to the chain', async () => {
    const ctx = newChain();
    const chain = new EmbeddedChain(ctx.chain);
    const follower = new NetworkFollower(chain, networkPda(ctx.authority.publicKey)).start();
    const setup = await setUpNetwork(ctx.registry, {
      authority: ctx.authority,
      verifyingKey: fixtureVerifyingKey(),
    });
    expect(follower.trees.size).toBe(2);

    const owner = ctx.chain.fundedKeypair();
    const keys = [new DeviceEd25519Key(), new DeviceEd25519Key(), new DeviceEd25519Key()];
    for (const k of keys) {
      const bjj = new Uint8Array(32).fill(3);
      bjj[0] = 0;
      const ixs = await registerDeviceInstructions(ctx.registry, {
        network: setup.network,
        owner: owner.publicKey,
        maker: setup.maker,
        makerSigner: setup.makerKey,
        deviceSigner: k,
        bjjKeyHash: bjj,
        modelId: setup.modelId,
        deviceTree: setup.deviceTree,
      });
      await chain.send(new Transaction().add(...ixs), [owner]);
    }
    const hex = Buffer.from(keys[1]!.publicKey).toString('hex');
    expect(follower.devices.size).toBe(3);
    expect(follower.device(hex)!.leafIndex).toBe(1);
    expect(await follower.rootMatchesChain(setup.deviceTree)).toBe(true);

    // Revoke with the follower's proof; the follower sees the new leaf.
    const p = follower.proof(hex)!;
    await ctx.registry.methods
      .revokeDevice({ leaf: p.state.leaf, leafIndex: p.state.leafIndex, root: Array.from(p.root) })
      .accountsPartial({
        signer: owner.publicKey,
        network: setup.network,
        deviceTree: setup.deviceTree,
      })
      .remainingAccounts(proofAccounts(p.nodes))
      .signers([owner])
      .rpc();
    expect(follower.device(hex)!.leaf.status).toBe(DEVICE_STATUS_REVOKED);
    expect(follower.isActive(hex)).toBe(false);
    expect(await follower.rootMatchesChain(setup.deviceTree)).toBe(true);

    follower.stop();
  });
});
