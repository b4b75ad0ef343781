/**
 * H-2: events that cannot be hidden, performed against the built programs in LiteSVM.
 *
 * - A transaction whose logs overflow the log limit (log-heavy instructions before the
 *   owner's own `transfer_device`) still executes; its `DeviceUpdated` must still reach every
 *   follower: events are self-CPIs (inner instructions), not log lines.
 * - Nobody but device_registry can make an event instruction succeed (an attestation's
 *   `RecordAttested` included).
 * - A follower that misses a transaction anyway notices (tree sequence numbers, root check)
 *   and rebuilds itself from the chain instead of poisoning the pipeline.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Keypair, Transaction, TransactionInstruction, type PublicKey } from '@solana/web3.js';
import {
  DEVICE_REGISTRY_PROGRAM_ID,
  DeviceEd25519Key,
  EVENT_IX_TAG,
  NetworkFollower,
  networkPda,
  proofAccounts,
  type ChainTransaction,
  type NetworkSetup,
  type TransactionListener,
} from '@zkpin/sdk';
import {
  EmbeddedChain,
  TOOLCHAIN_PROBE_PROGRAM_ID,
  localNetwork,
  programPath,
  type LocalNetwork,
} from '@zkpin/sdk/testing';
import { randomBjjKeyHash } from './helpers.ts';

let ctx: LocalNetwork;
let setup: NetworkSetup;
let owner: Keypair;

beforeEach(async () => {
  ctx = await localNetwork({
    deviceTree: { maxDepth: 5, maxBufferSize: 8, canopyDepth: 2 },
    recordTree: { maxDepth: 5, maxBufferSize: 8, canopyDepth: 0 },
  });
  ctx.chain.deploy(TOOLCHAIN_PROBE_PROGRAM_ID, programPath('toolchain_probe'));
  ({ setup, owner } = ctx);
});

async function onboard(): Promise<string> {
  const d = await ctx.registerDevice({
    deviceKey: new DeviceEd25519Key(),
    bjjKeyHash: randomBjjKeyHash(),
  });
  return d.hex;
}

async function transferIx(follower: NetworkFollower, hex: string, to: PublicKey) {
  const p = follower.proof(hex)!;
  return ctx.registry.methods
    .transferDevice({
      current: { leaf: p.state.leaf, leafIndex: p.state.leafIndex, root: Array.from(p.root) },
      newOwner: to,
    })
    .accountsPartial({ signer: owner.publicKey, network: setup.network, deviceTree: p.state.tree })
    .remainingAccounts(proofAccounts(p.nodes))
    .instruction();
}

/** An instruction of the toolchain probe that writes a few hundred bytes of logs. */
function logSpam(): TransactionInstruction {
  return new TransactionInstruction({
    programId: TOOLCHAIN_PROBE_PROGRAM_ID,
    keys: [],
    data: Buffer.from([0, 1, 2, 3]),
  });
}

describe('H-2: a transaction cannot hide a tree change from followers', () => {
  it('a transfer behind log-heavy instructions truncates the logs, yet every follower sees it', async () => {
    const follower = new NetworkFollower(new EmbeddedChain(ctx.chain), setup.network).start();
    const hex = await onboard();
    const buyer = Keypair.generate().publicKey;
    const spam = Array.from({ length: 40 }, logSpam);
    const result = ctx.chain.send(
      new Transaction().add(...spam, await transferIx(follower, hex, buyer)),
      [owner],
    );
    // The attack worked on the logs: they were cut, and the registry's lines are gone...
    expect(result.logs.some((l) => /Log truncated/.test(l))).toBe(true);
    expect(result.logs.some((l) => l.includes(DEVICE_REGISTRY_PROGRAM_ID.toBase58()))).toBe(false);
    // ...but not on the events.
    expect(follower.device(hex)!.leaf.owner.equals(buyer)).toBe(true);
    expect(await follower.rootMatchesChain(setup.deviceTree)).toBe(true);
    expect(follower.resyncs).toBe(0);
    // A follower started afterwards rebuilds the same state from the chain's history.
    const late = new NetworkFollower(new EmbeddedChain(ctx.chain), setup.network).start();
    expect(late.device(hex)!.leaf.owner.equals(buyer)).toBe(true);
    expect(await late.rootMatchesChain(setup.deviceTree)).toBe(true);
  });

  it('no one but device_registry can emit its events', () => {
    const signer = ctx.chain.fundedKeypair();
    const forged = (extra: Uint8Array, account: PublicKey, signers: Keypair[]) =>
      ctx.chain.send(
        new Transaction().add(
          new TransactionInstruction({
            programId: DEVICE_REGISTRY_PROGRAM_ID,
            keys: [{ pubkey: account, isSigner: true, isWritable: false }],
            data: Buffer.concat([EVENT_IX_TAG, extra]),
          }),
        ),
        signers,
      );
    // An event claiming this network, signed by an ordinary key.
    const body = Buffer.concat([Buffer.alloc(8), setup.network.toBuffer(), Buffer.alloc(200)]);
    expect(() => forged(body, signer.publicKey, [signer])).toThrow(/0x1792/); // 6034
    // Signed by a keypair account the registry owns (a tree account whose key we hold).
    const tree = Keypair.generate();
    ctx.chain.setAccount(tree.publicKey, {
      data: new Uint8Array(64),
      owner: DEVICE_REGISTRY_PROGRAM_ID,
    });
    expect(() => forged(body, tree.publicKey, [signer, tree])).toThrow(/0x1792/);
    // An attestation's RecordAttested (a device update, a record append and a submitter)
    // made up by anyone: refused the same way, so no follower ever sees it.
    const disc = ctx.registry.idl.events.find((e) => e.name === 'recordAttested')!.discriminator;
    const attested = Buffer.concat([
      Buffer.from(disc),
      setup.network.toBuffer(),
      setup.deviceTree.toBuffer(),
      Buffer.alloc(4 + 8 + 141),
      setup.recordTree.toBuffer(),
      Buffer.alloc(4 + 8 + 125),
      signer.publicKey.toBuffer(),
    ]);
    expect(ctx.registry.coder.events.decode(attested.toString('base64'))?.name).toBe(
      'recordAttested',
    );
    expect(() => forged(attested, signer.publicKey, [signer])).toThrow(/0x1792/);
  });
});

/** An embedded chain whose live feed drops the transactions `drop` selects (a flaky websocket). */
class LossyChain extends EmbeddedChain {
  dropped = 0;
  constructor(
    local: EmbeddedChain['local'],
    private readonly drop: (tx: ChainTransaction) => boolean,
  ) {
    super(local);
  }
  override onTransaction(address: PublicKey, fn: TransactionListener): () => void {
    return super.onTransaction(address, (tx) => {
      if (this.drop(tx)) this.dropped += 1;
      else fn(tx);
    });
  }
}

describe('a follower that misses events recovers by itself', () => {
  it('a gap in a tree sequence number triggers a rebuild from the chain', async () => {
    let dropNext = false;
    const chain = new LossyChain(ctx.chain, () => {
      const d = dropNext;
      dropNext = false;
      return d;
    });
    const follower = new NetworkFollower(chain, setup.network).start();
    const hexes = [await onboard()];
    dropNext = true;
    hexes.push(await onboard()); // missed
    hexes.push(await onboard()); // shows the gap
    await new Promise((r) => setTimeout(r, 10));
    expect(chain.dropped).toBe(1);
    expect(follower.resyncs).toBe(1);
    for (const h of hexes) expect(follower.device(h)).toBeDefined();
    expect(await follower.rootMatchesChain(setup.deviceTree)).toBe(true);
  });

  it('a replica whose root differs from the chain is rebuilt by ensureInSync', async () => {
    let drop = false;
    const chain = new LossyChain(ctx.chain, () => drop);
    const follower = new NetworkFollower(chain, setup.network).start();
    await onboard();
    drop = true;
    const hex = await onboard(); // the last change of the tree: no later event shows the gap
    drop = false;
    expect(follower.device(hex)).toBeUndefined();
    expect(await follower.rootMatchesChain(setup.deviceTree)).toBe(false);
    expect(await follower.ensureInSync(setup.deviceTree, 50)).toBe(true);
    expect(follower.resyncs).toBe(1);
    // And its proof is good again: the owner can act on the device with it.
    ctx.chain.send(
      new Transaction().add(await transferIx(follower, hex, Keypair.generate().publicKey)),
      [owner],
    );
  });

  it('the network account of an event is checked: another network cannot poison this replica', async () => {
    const follower = new NetworkFollower(new EmbeddedChain(ctx.chain), setup.network).start();
    const other = await localNetwork({ chain: ctx.chain });
    expect(other.setup.network.equals(networkPda(other.authority.publicKey))).toBe(true);
    expect(follower.trees.size).toBe(2);
  });
});
