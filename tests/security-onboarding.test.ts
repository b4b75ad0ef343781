/**
 * Attacks on onboarding and network administration, performed against the built
 * device_registry in LiteSVM (issue "Security": H-1, L-3, I-2). Each attack replays or forges
 * exactly what an attacker could hold: the bytes of an earlier, successful transaction.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Keypair, SystemProgram, Transaction, type TransactionInstruction } from '@solana/web3.js';
import {
  DEVICE_STATUS_ACTIVE,
  DEVICE_STATUS_REVOKED,
  DeviceEd25519Key,
  TREE_KIND_DEVICE,
  approvalPagePda,
  createApprovalPage,
  createTree,
  deviceRegistryProgram,
  initApprovalPageInstruction,
  isApprovalUsed,
  networkPda,
  registerDeviceFromApproval,
  signApproval,
  signClaim,
  treeAccountSize,
  type NetworkFollower,
  type NetworkSetup,
  type TreeShape,
} from '@zkpin/sdk';
import { localNetwork, type LocalNetwork } from '@zkpin/sdk/testing';
import { onboardingInstructions, randomBjjKeyHash, rejection, withAccount } from './helpers.ts';

const SMALL: TreeShape = { maxDepth: 5, maxBufferSize: 8, canopyDepth: 2 };

let ctx: LocalNetwork;
let setup: NetworkSetup;
let owner: Keypair;
let follower: NetworkFollower;

beforeEach(async () => {
  ctx = await localNetwork({
    oracles: [], // the administration tests start from an empty oracle set
    deviceTree: SMALL,
    recordTree: { maxDepth: 5, maxBufferSize: 8, canopyDepth: 0 },
  });
  ({ follower, setup, owner } = ctx);
});

/** Registers a fresh device; returns the exact instructions that were sent (an attacker's copy). */
async function onboard(
  o: { serial?: number; expiresAt?: bigint; deviceKey?: DeviceEd25519Key } = {},
) {
  const d = await ctx.registerDevice({
    deviceKey: o.deviceKey ?? new DeviceEd25519Key(),
    bjjKeyHash: randomBjjKeyHash(),
    serial: o.serial,
    expiresAt: o.expiresAt,
  });
  return { ixs: d.instructions, deviceKey: d.deviceKey, hex: d.hex };
}

function replay(ixs: TransactionInstruction[], signer = owner) {
  return () => ctx.chain.send(new Transaction().add(...ixs), [signer]);
}

function leafCount(): number {
  return [...follower.devices.values()].length;
}

async function revoke(hex: string) {
  await ctx.revokeDevice(hex);
}

describe('H-1: a maker approval registers one device leaf, ever', () => {
  it('a replayed registration is refused (no duplicate leaf), and the bit is set on-chain', async () => {
    const { ixs } = await onboard({ serial: 5 });
    expect(replay(ixs)).toThrow(/0x178f/); // 6031 ApprovalUsed
    const tree = follower.trees.get(setup.deviceTree.toBase58())!;
    expect(tree.seq).toBe(1n); // one leaf only
    const page = ctx.chain.getAccountInfo(approvalPagePda(setup.maker, 0))!;
    expect(isApprovalUsed(page.data, 5)).toBe(true);
    expect(isApprovalUsed(page.data, 6)).toBe(false);
  });

  it('after revoke_device the owner cannot bring the device back with the old approval', async () => {
    const { ixs, hex } = await onboard();
    await revoke(hex);
    expect(follower.device(hex)!.leaf.status).toBe(DEVICE_STATUS_REVOKED);
    expect(replay(ixs)).toThrow(/0x178f/);
    expect(follower.device(hex)!.leaf.status).toBe(DEVICE_STATUS_REVOKED);
  });

  it('only a new approval from the maker (another serial) brings a revoked device back', async () => {
    const { hex, deviceKey } = await onboard({ serial: 1 });
    await revoke(hex);
    await onboard({ serial: 2, deviceKey });
    expect(follower.device(hex)!.leaf.status).toBe(DEVICE_STATUS_ACTIVE);
    expect(follower.device(hex)!.leafIndex).toBe(1);
  });

  it('after transfer_device the previous owner cannot replay the approval to take the device back', async () => {
    const { ixs, hex } = await onboard();
    const buyer = ctx.chain.fundedKeypair();
    await ctx.transferDevice(hex, buyer.publicKey);
    expect(replay(ixs)).toThrow(/0x178f/);
    expect(follower.device(hex)!.leaf.owner.equals(buyer.publicKey)).toBe(true);
    expect(leafCount()).toBe(1);
  });

  it('replays cannot fill a device tree', async () => {
    const { ixs } = await onboard();
    for (let i = 0; i < 5; i++) expect(replay(ixs)).toThrow(/0x178f/);
    expect(follower.trees.get(setup.deviceTree.toBase58())!.seq).toBe(1n);
  });

  it('after rotation to a new device tree the approval does not register the device again', async () => {
    const { ixs } = await onboard();
    const next = await createTree(ctx.registry, {
      authority: ctx.authority,
      network: setup.network,
      kind: TREE_KIND_DEVICE,
      shape: SMALL,
    });
    // The same signatures with the new tree account (the tree is not signed).
    const moved = withAccount(ixs[1]!, setup.deviceTree, next);
    expect(replay([ixs[0]!, moved])).toThrow(/0x178f/);
  });

  it('a front-runner who copies the approval and claim cannot register the device to itself', async () => {
    const { ixs } = await onboardingInstructions(ctx.registry, setup, owner.publicKey);
    const thief = ctx.chain.fundedKeypair();
    const stolen = withAccount(ixs[1]!, owner.publicKey, thief.publicKey);
    expect(replay([ixs[0]!, stolen], thief)).toThrow(/0x1787/); // 6023 Ed25519MessageMismatch
    // The owner's own transaction still goes through afterwards.
    expect(replay(ixs)).not.toThrow();
  });

  it('an expired approval is refused; the maker sets the expiry', async () => {
    const now = ctx.chain.unixTimestamp();
    await expect(onboard({ expiresAt: now - 1n })).rejects.toThrow(/0x1790/); // 6032
    const deviceKey = new DeviceEd25519Key();
    const approval = signApproval(setup.makerKey, {
      network: setup.network.toBytes(),
      maker: setup.maker.toBytes(),
      device: deviceKey.publicKey,
      bjjKeyHash: randomBjjKeyHash(),
      modelId: setup.modelId,
      serial: 9,
      expiresAt: now + 60n,
    });
    const ixs = await registerDeviceFromApproval(ctx.registry, {
      approval,
      claimSignature: signClaim(deviceKey, approval, owner.publicKey.toBytes()),
      owner: owner.publicKey,
      deviceTree: setup.deviceTree,
    });
    ctx.chain.setUnixTimestamp(now + 61n);
    expect(replay(ixs)).toThrow(/0x1790/);
    ctx.chain.setUnixTimestamp(now + 30n);
    expect(replay(ixs)).not.toThrow();
  });

  it('an approval is checked against the page of its serial and of its maker', async () => {
    // Serial 70,000 lives on page 1, which the maker has not created.
    await expect(onboard({ serial: 70_000 })).rejects.toThrow(/0x1791/); // 6033
    await createApprovalPage(ctx.registry, {
      payer: ctx.authority,
      makerKey: setup.makerKey,
      maker: setup.maker,
      page: 1,
    });
    await expect(onboard({ serial: 70_000 })).resolves.toBeTruthy();
    // Pointing serial 70,001 at page 0 (raw accounts: the client resolves the right page).
    const { ixs } = await onboardingInstructions(ctx.registry, setup, owner.publicKey, {
      serial: 70_001,
    });
    const wrongPage = withAccount(
      ixs[1]!,
      approvalPagePda(setup.maker, 1),
      approvalPagePda(setup.maker, 0),
    );
    expect(replay([ixs[0]!, wrongPage])).toThrow(/0x1791/); // 6033 ApprovalPageMismatch
  });

  it('only the maker authority creates its approval pages, each once', async () => {
    const stranger = ctx.chain.fundedKeypair();
    const ix = await initApprovalPageInstruction(ctx.registry, {
      makerAuthority: stranger.publicKey,
      maker: setup.maker,
      page: 3,
    });
    expect(() => ctx.chain.send(new Transaction().add(ix), [stranger])).toThrow(/0x1793/); // 6035
    const again = await rejection(
      createApprovalPage(ctx.registry, {
        payer: ctx.authority,
        makerKey: setup.makerKey,
        maker: setup.maker,
        page: 0,
      }),
    );
    expect(again.code).toBe(6002); // AlreadyInitialized
  });

  it('the follower replica built from events matches the chain after refused replays', async () => {
    const { hex, ixs } = await onboard();
    await revoke(hex);
    expect(replay(ixs)).toThrow(/0x178f/);
    await onboard();
    expect(follower.devices.size).toBe(2);
    expect(await follower.rootMatchesChain(setup.deviceTree)).toBe(true);
  });
});

describe('L-3 and I-2: network administration', () => {
  it('set_oracles refuses duplicate oracle keys, like initialize_network', async () => {
    const k = Keypair.generate().publicKey;
    const err = await rejection(
      ctx.registry.methods
        .setOracles({ oracles: [k, Keypair.generate().publicKey, k], permissionless: false })
        .accounts({ network: setup.network })
        .rpc(),
    );
    expect(err.code).toBe(6004); // DuplicateOracle
    const n = await ctx.registry.account.network.fetch(setup.network);
    expect(n.oracleCount).toBe(0);
  });

  it('a tree account created in an earlier transaction cannot be initialized by another network', async () => {
    const tree = Keypair.generate();
    const lamports = ctx.chain.rentExempt(treeAccountSize(SMALL));
    ctx.chain.send(
      new Transaction().add(
        SystemProgram.createAccount({
          fromPubkey: ctx.authority.publicKey,
          newAccountPubkey: tree.publicKey,
          lamports,
          space: treeAccountSize(SMALL),
          programId: ctx.registry.programId,
        }),
      ),
      [ctx.authority, tree],
    );
    // Another network's authority tries to take it (it does not hold the tree's key).
    const rival = ctx.chain.fundedKeypair();
    const rivalProgram = deviceRegistryProgram(ctx.chain.provider(rival));
    await rivalProgram.methods
      .initializeNetwork({ oracles: [], permissionless: true })
      .accounts({ authority: rival.publicKey })
      .rpc();
    const err = await rejection(
      rivalProgram.methods
        .initTree({
          kind: TREE_KIND_DEVICE,
          maxDepth: SMALL.maxDepth,
          maxBufferSize: SMALL.maxBufferSize,
        })
        .accountsPartial({ network: networkPda(rival.publicKey), tree: tree.publicKey })
        .rpc(),
    );
    expect(String(err)).toMatch(/[Ss]ignature|signer/);
    // Its creator, holding the key, still can.
    await ctx.registry.methods
      .initTree({
        kind: TREE_KIND_DEVICE,
        maxDepth: SMALL.maxDepth,
        maxBufferSize: SMALL.maxBufferSize,
      })
      .accountsPartial({ network: setup.network, tree: tree.publicKey })
      .signers([tree])
      .rpc();
    const n = await ctx.registry.account.network.fetch(setup.network);
    expect(n.deviceTree.equals(tree.publicKey)).toBe(true);
  });
});
