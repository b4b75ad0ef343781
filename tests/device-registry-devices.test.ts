/**
 * device_registry end to end in LiteSVM through @coral-xyz/anchor: makers, models, trees,
 * device registration with Ed25519 introspection, transfer, revoke, and the failing case of
 * every check. Tree accounts are parsed with @solana/spl-account-compression and its
 * MerkleTree builds proofs the program accepts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import BN from 'bn.js';
import { randomBytes } from 'node:crypto';
import {
  Keypair,
  PublicKey,
  SystemProgram,
  Transaction,
  TransactionInstruction,
} from '@solana/web3.js';
import { ConcurrentMerkleTreeAccount, MerkleTree } from '@solana/spl-account-compression';
import {
  BN254_R,
  DEVICE_STATUS_ACTIVE,
  DEVICE_STATUS_REVOKED,
  DeviceEd25519Key,
  MerkleReplica,
  TREE_KIND_DEVICE,
  bigIntToBytesBE,
  createTree,
  deviceLeafHash,
  deviceTreeFor,
  ed25519Instruction,
  encodeApprovalMessage,
  encodeClaimMessage,
  makerPda,
  modelPda,
  parseProgramEvents,
  proofAccounts,
  registerDeviceInstructions,
  treeAccountIsFull,
  treeAccountLeafCount,
  type DeviceLeaf,
  type NetworkSetup,
  type TreeShape,
} from '@zkpin/sdk';
import { localNetwork, type LocalNetwork } from '@zkpin/sdk/testing';
import { fixtureVerifyingKey, rejection } from './helpers.ts';

/** Compute-unit ceilings, asserted here and reported by bench/programs.ts. */
export const REGISTER_DEVICE_CU_CEILING = 40_000;

const SMALL: TreeShape = { maxDepth: 5, maxBufferSize: 8, canopyDepth: 2 };
const SMALL_RECORDS: TreeShape = { maxDepth: 5, maxBufferSize: 8, canopyDepth: 0 };

let ctx: LocalNetwork;
let setup: NetworkSetup;
let owner: Keypair;
let replica: MerkleReplica;
let leaves: DeviceLeaf[];

function randomBjjHash(): Uint8Array {
  const b = randomBytes(32);
  b[0] = 0; // < r
  return b;
}

async function registerDevice(
  over: { deviceKey?: DeviceEd25519Key; bjjKeyHash?: Uint8Array; deviceTree?: PublicKey } = {},
) {
  const { result, leaf, deviceKey } = await ctx.registerDevice({
    deviceKey: over.deviceKey ?? new DeviceEd25519Key(),
    bjjKeyHash: over.bjjKeyHash ?? randomBjjHash(),
    deviceTree: over.deviceTree,
  });
  return { result, leaf, deviceKey };
}

async function registerAndTrack() {
  const r = await registerDevice();
  replica.append(deviceLeafHash(setup.network, r.leaf));
  leaves.push(r.leaf);
  return r;
}

/**
 * `register_model` with zero hashes (through the program client, so that the program's own
 * checks answer); `pdaId` picks the model account (PDA of that id); shape default 16 x 4.
 */
function registerModel(a: {
  modelId: number;
  version: number;
  vk: Uint8Array;
  pdaId: number;
  window?: number;
  classes?: number;
}) {
  return ctx.registry.methods
    .registerModel({
      modelId: a.modelId,
      version: a.version,
      onnxSha256: new Array<number>(32).fill(0),
      circuitSha256: new Array<number>(32).fill(0),
      vk: Array.from(a.vk),
      window: a.window ?? 16,
      classes: a.classes ?? 4,
    })
    .accountsPartial({ network: setup.network, model: modelPda(setup.network, a.pdaId) })
    .rpc();
}

function onChainTree(tree = setup.deviceTree) {
  return ConcurrentMerkleTreeAccount.fromBuffer(ctx.chain.getAccountInfo(tree)!.data);
}

function events(result: { innerInstructions: Parameters<typeof parseProgramEvents>[0] }) {
  return parseProgramEvents(result.innerInstructions, ctx.registry.programId, ctx.registry.coder);
}

beforeEach(async () => {
  ctx = await localNetwork({
    oracles: [], // the administration tests start from an empty oracle set
    model: { verifyingKey: fixtureVerifyingKey() },
    deviceTree: SMALL,
    recordTree: SMALL_RECORDS,
  });
  ({ setup, owner } = ctx);
  replica = new MerkleReplica(SMALL.maxDepth);
  leaves = [];
});

describe('network, makers and models', () => {
  it('only the authority can change the oracle set', async () => {
    const oracle = Keypair.generate().publicKey;
    await ctx.registry.methods
      .setOracles({ oracles: [oracle], permissionless: true })
      .accounts({ network: setup.network })
      .rpc();
    const n = await ctx.registry.account.network.fetch(setup.network);
    expect(n.oracleCount).toBe(1);
    expect(n.permissionless).toBe(true);

    const stranger = ctx.chain.fundedKeypair();
    const err = await rejection(
      ctx.registry.methods
        .setOracles({ oracles: [], permissionless: false })
        .accountsPartial({ authority: stranger.publicKey, network: setup.network })
        .signers([stranger])
        .rpc(),
    );
    expect(err.code).toBe(6000);
  });

  it('adds a maker as a PDA and refuses long names and strangers', async () => {
    const m = await ctx.registry.account.maker.fetch(setup.maker);
    expect(Buffer.from(m.name).toString().replace(/\0+$/, '')).toBe('zkpin devkits');
    expect(m.active).toBe(true);
    expect(new PublicKey(setup.makerKey.publicKey).equals(m.authority)).toBe(true);

    const key = Keypair.generate().publicKey;
    const long = await rejection(
      ctx.registry.methods
        .addMaker({ authority: key, name: 'x'.repeat(33) })
        .accountsPartial({ network: setup.network, maker: makerPda(setup.network, key) })
        .rpc(),
    );
    expect(long.code).toBe(6013);

    const stranger = ctx.chain.fundedKeypair();
    const unauthorized = await rejection(
      ctx.registry.methods
        .addMaker({ authority: key, name: 'acme' })
        .accountsPartial({
          authority: stranger.publicKey,
          network: setup.network,
          maker: makerPda(setup.network, key),
        })
        .signers([stranger])
        .rpc(),
    );
    expect(unauthorized.code).toBe(6000);
  });

  it('registers a model with its verifying key and rejects invalid keys and duplicates', async () => {
    const model = await ctx.registry.account.model.fetch(setup.model);
    expect(Buffer.from(model.vk).equals(Buffer.from(fixtureVerifyingKey()))).toBe(true);
    expect(model.active).toBe(true);
    expect({ window: model.window, classes: model.classes }).toEqual({ window: 16, classes: 4 });

    const bad = fixtureVerifyingKey();
    bad[70] = (bad[70] ?? 0) ^ 1; // beta.x.c1 off the curve
    const invalid = await rejection(registerModel({ modelId: 2, version: 1, vk: bad, pdaId: 2 }));
    expect(invalid.code).toBe(6014);

    const dup = await rejection(
      registerModel({ modelId: 1, version: 2, vk: fixtureVerifyingKey(), pdaId: 1 }),
    );
    expect(dup.code).toBe(6002);
  });

  it('registers a model of any window 1..465 with 2..255 classes, and refuses other shapes', async () => {
    for (const [i, [window, classes]] of [
      [0, 4],
      [466, 4],
      [65_535, 4],
      [16, 1],
      [16, 0],
    ].entries()) {
      const e = await rejection(
        registerModel({
          modelId: 10 + i,
          version: 1,
          vk: fixtureVerifyingKey(),
          pdaId: 10 + i,
          window,
          classes,
        }),
      );
      expect(e.code, `window ${window}, classes ${classes}`).toBe(6036);
      expect(ctx.chain.getAccountInfo(modelPda(setup.network, 10 + i))).toBeNull();
    }
    for (const [i, [window, classes]] of [
      [48, 3],
      [1, 2],
      [465, 255],
    ].entries()) {
      await registerModel({
        modelId: 20 + i,
        version: 1,
        vk: fixtureVerifyingKey(),
        pdaId: 20 + i,
        window,
        classes,
      });
      // The event carries the shape (the indexer stores it from there).
      const ev = events(ctx.provider.lastResult!);
      expect(ev.map((e) => e.name)).toEqual(['modelRegistered']);
      expect(ev[0]!.data).toMatchObject({ modelId: 20 + i, window, classes });
      const m = await ctx.registry.account.model.fetch(modelPda(setup.network, 20 + i));
      expect({ window: m.window, classes: m.classes }).toEqual({ window, classes });
    }
  });
});

describe('trees', () => {
  it('writes the SPL Account Compression layout: the SPL parser reads our header and root', () => {
    const t = onChainTree();
    expect(t.getMaxDepth()).toBe(SMALL.maxDepth);
    expect(t.getMaxBufferSize()).toBe(SMALL.maxBufferSize);
    expect(t.getCanopyDepth()).toBe(SMALL.canopyDepth);
    expect(t.getAuthority().equals(setup.network)).toBe(true);
    expect(Buffer.from(t.getCurrentRoot()).equals(Buffer.from(replica.root))).toBe(true);
  });

  it('refuses unsupported sizes, re-initialization, and a tree account that does not sign', async () => {
    const bad = await rejection(
      createTree(ctx.registry, {
        authority: ctx.authority,
        network: setup.network,
        kind: TREE_KIND_DEVICE,
        shape: { maxDepth: 5, maxBufferSize: 7, canopyDepth: 0 },
      }),
    );
    expect(bad.code).toBe(6015);
    const tree = Keypair.generate();
    await createTree(ctx.registry, {
      authority: ctx.authority,
      network: setup.network,
      kind: TREE_KIND_DEVICE,
      shape: SMALL,
      tree,
    });
    const again = await rejection(
      ctx.registry.methods
        .initTree({ kind: TREE_KIND_DEVICE, maxDepth: 5, maxBufferSize: 8 })
        .accountsPartial({ network: setup.network, tree: tree.publicKey })
        .signers([tree])
        .rpc(),
    );
    expect(again.code).toBe(6002);
  });
});

describe('register_device', () => {
  it('appends the leaf; SPL parser and SPL MerkleTree agree with the on-chain root; event carries the leaf', async () => {
    const { result, leaf } = await registerAndTrack();
    expect(result.computeUnits).toBeLessThanOrEqual(REGISTER_DEVICE_CU_CEILING);
    await registerAndTrack();
    await registerAndTrack();

    const root = Buffer.from(onChainTree().getCurrentRoot());
    expect(root.equals(Buffer.from(replica.root))).toBe(true);
    const spl = new MerkleTree([
      ...leaves.map((l) => Buffer.from(deviceLeafHash(setup.network, l))),
      ...new Array<Buffer>(32 - leaves.length).fill(Buffer.alloc(32)),
    ]);
    expect(spl.root.equals(root)).toBe(true);

    const ev = events(result);
    expect(ev.map((e) => e.name)).toEqual(['deviceRegistered']);
    // Events are inner instructions (self-CPI), not log lines.
    expect(result.logs.some((l) => l.startsWith('Program data:'))).toBe(false);
    const data = ev[0]!.data as {
      leafIndex: number;
      leaf: DeviceLeaf;
      tree: PublicKey;
      treeSeq: BN;
    };
    expect(data.leafIndex).toBe(0);
    expect(data.treeSeq.toNumber()).toBe(1);
    expect(data.tree.equals(setup.deviceTree)).toBe(true);
    expect(data.leaf.device.equals(leaf.device)).toBe(true);
    expect(data.leaf.status).toBe(DEVICE_STATUS_ACTIVE);

    const n = await ctx.registry.account.network.fetch(setup.network);
    expect(n.devices.toNumber()).toBe(3);
    const m = await ctx.registry.account.maker.fetch(setup.maker);
    expect(m.devices.toNumber()).toBe(3);
  });

  it('needs the Ed25519 precompile instruction right before it', async () => {
    const ixs = await registerDeviceInstructions(ctx.registry, {
      network: setup.network,
      owner: owner.publicKey,
      maker: setup.maker,
      makerSigner: setup.makerKey,
      deviceSigner: new DeviceEd25519Key(),
      bjjKeyHash: randomBjjHash(),
      modelId: setup.modelId,
      deviceTree: setup.deviceTree,
    });
    expect(() => ctx.chain.send(new Transaction().add(ixs[1]!), [owner])).toThrow(/0x1784/); // 6020
    const memo = SystemProgram.transfer({
      fromPubkey: owner.publicKey,
      toPubkey: owner.publicKey,
      lamports: 1,
    });
    expect(() => ctx.chain.send(new Transaction().add(ixs[0]!, memo, ixs[1]!), [owner])).toThrow(
      /0x1784/,
    );
  });

  /** The Ed25519 instruction from chosen (key, message) pairs, then `register`. */
  function customSend(
    entries: { key: DeviceEd25519Key; message: Uint8Array }[],
    register: TransactionInstruction,
    patch?: (data: Buffer) => void,
  ) {
    const ed = ed25519Instruction(
      entries.map((e) => ({
        publicKey: e.key.publicKey,
        signature: e.key.sign(e.message),
        message: e.message,
      })),
    );
    patch?.(ed.data);
    return () => ctx.chain.send(new Transaction().add(ed, register), [owner]);
  }

  async function registerIx(deviceKey: DeviceEd25519Key, bjj: Uint8Array) {
    const serial = 77;
    const expiresAt = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const ixs = await registerDeviceInstructions(ctx.registry, {
      network: setup.network,
      owner: owner.publicKey,
      maker: setup.maker,
      makerSigner: setup.makerKey,
      deviceSigner: deviceKey,
      bjjKeyHash: bjj,
      modelId: setup.modelId,
      deviceTree: setup.deviceTree,
      serial,
      expiresAt,
    });
    const claim = (o: PublicKey = owner.publicKey) =>
      encodeClaimMessage({
        network: setup.network.toBytes(),
        device: deviceKey.publicKey,
        owner: o.toBytes(),
        maker: setup.maker.toBytes(),
        serial,
      });
    const approval = encodeApprovalMessage({
      network: setup.network.toBytes(),
      maker: setup.maker.toBytes(),
      device: deviceKey.publicKey,
      bjjKeyHash: bjj,
      modelId: setup.modelId,
      serial,
      expiresAt,
    });
    return { register: ixs[1]!, claim: claim(), approval, claimFor: claim };
  }

  it('checks the signatures: the device over its claim, then the maker over its approval', async () => {
    const device = new DeviceEd25519Key();
    const bjj = randomBjjHash();
    const { register, claim, approval, claimFor } = await registerIx(device, bjj);
    const otherMaker = new DeviceEd25519Key();
    const maker = setup.makerKey;

    // Only one signature.
    expect(customSend([{ key: device, message: claim }], register)).toThrow(/0x1785/); // 6021
    // Maker signature by a key that is not the maker's authority.
    expect(
      customSend(
        [
          { key: device, message: claim },
          { key: otherMaker, message: approval },
        ],
        register,
      ),
    ).toThrow(/0x1786/); // 6022
    // Order swapped.
    expect(
      customSend(
        [
          { key: maker, message: approval },
          { key: device, message: claim },
        ],
        register,
      ),
    ).toThrow(/0x1786/);
    // A claim for another owner (valid signature, wrong bytes): a front-runner's copy.
    expect(
      customSend(
        [
          { key: device, message: claimFor(Keypair.generate().publicKey) },
          { key: maker, message: approval },
        ],
        register,
      ),
    ).toThrow(/0x1787/); // 6023
    // Both keys over the same message (the v1 scheme).
    expect(
      customSend(
        [
          { key: device, message: approval },
          { key: maker, message: approval },
        ],
        register,
      ),
    ).toThrow(/0x1787/);
    // Offsets that point into another instruction (index 1 = register_device itself).
    expect(
      customSend(
        [
          { key: device, message: claim },
          { key: maker, message: approval },
        ],
        register,
        (d) => d.writeUInt16LE(1, 2 + 12),
      ),
    ).toThrow(); // the precompile or the program rejects it
    // And the right one works.
    expect(
      customSend(
        [
          { key: device, message: claim },
          { key: maker, message: approval },
        ],
        register,
      ),
    ).not.toThrow();
  });

  it('refuses inactive makers and models, wrong model ids, bad bjj hashes and the record tree', async () => {
    await ctx.registry.methods
      .setMakerActive(false)
      .accountsPartial({ network: setup.network, maker: setup.maker })
      .rpc();
    await expect(registerDevice()).rejects.toThrow(/0x1778/); // 6008
    await ctx.registry.methods
      .setMakerActive(true)
      .accountsPartial({ network: setup.network, maker: setup.maker })
      .rpc();

    await ctx.registry.methods
      .setModelActive(false)
      .accountsPartial({ network: setup.network, model: setup.model })
      .rpc();
    await expect(registerDevice()).rejects.toThrow(/0x1779/); // 6009
    await ctx.registry.methods
      .setModelActive(true)
      .accountsPartial({ network: setup.network, model: setup.model })
      .rpc();

    const tooBig = bigIntToBytesBE(BN254_R, 32);
    await expect(registerDevice({ bjjKeyHash: tooBig })).rejects.toThrow(/0x178d/); // 6029
    await expect(registerDevice({ deviceTree: setup.recordTree })).rejects.toThrow(/0x1780/); // 6016
    await expect(registerDevice()).resolves.toBeTruthy();
  });

  it('a full tree is refused; the network grows by another tree (shards)', async () => {
    const tiny: TreeShape = { maxDepth: 3, maxBufferSize: 8, canopyDepth: 0 };
    const t1 = await createTree(ctx.registry, {
      authority: ctx.authority,
      network: setup.network,
      kind: TREE_KIND_DEVICE,
      shape: tiny,
    });
    const data = (t: PublicKey) => ctx.chain.getAccountInfo(t)!.data;
    for (let i = 0; i < 8; i++) {
      expect(treeAccountLeafCount(data(t1))).toBe(i);
      expect(treeAccountIsFull(data(t1))).toBe(false);
      await registerDevice({ deviceTree: t1 });
    }
    // What clients read to skip a full tree (deviceTreeFor's isFull: the app, the sdk).
    expect(treeAccountLeafCount(data(t1))).toBe(8);
    expect(treeAccountIsFull(data(t1))).toBe(true);
    expect(
      deviceTreeFor(new Uint8Array(32), [t1, setup.deviceTree], (t) => treeAccountIsFull(data(t))),
    ).toEqual(setup.deviceTree);
    await expect(registerDevice({ deviceTree: t1 })).rejects.toThrow(/0x1782/); // 6018 DeviceTreeFull
    const t2 = await createTree(ctx.registry, {
      authority: ctx.authority,
      network: setup.network,
      kind: TREE_KIND_DEVICE,
      shape: tiny,
    });
    await expect(registerDevice({ deviceTree: t1 })).rejects.toThrow(/0x1782/); // still full
    await expect(registerDevice({ deviceTree: t2 })).resolves.toBeTruthy();
    // Every device tree of the network with room takes devices, not only the newest.
    await expect(registerDevice({ deviceTree: setup.deviceTree })).resolves.toBeTruthy();
    const n = await ctx.registry.account.network.fetch(setup.network);
    expect(n.deviceTrees).toBe(3);
    expect(n.deviceTree.equals(t2)).toBe(true); // the one added last
  });

  it('register_device refuses every tree that is not a device tree of this network', async () => {
    // Another network's device tree (header authority = that network).
    const other = await localNetwork({
      chain: ctx.chain,
      oracles: [],
      model: { verifyingKey: fixtureVerifyingKey() },
      deviceTree: SMALL,
      recordTree: SMALL_RECORDS,
    });
    await expect(registerDevice({ deviceTree: other.setup.deviceTree })).rejects.toThrow(
      /0x1780/, // 6016 WrongDeviceTree
    );
    // This network's record tree (header authority = the record-trees PDA).
    await expect(registerDevice({ deviceTree: setup.recordTree })).rejects.toThrow(/0x1780/);
    // A registry-owned account of tree size that init_tree never initialized (anyone can
    // create one with SystemProgram.createAccount).
    const raw = Keypair.generate();
    const size = ctx.chain.getAccountInfo(setup.deviceTree)!.data.length;
    ctx.chain.send(
      new Transaction().add(
        SystemProgram.createAccount({
          fromPubkey: ctx.authority.publicKey,
          newAccountPubkey: raw.publicKey,
          lamports: 1_000_000_000,
          space: size,
          programId: ctx.registry.programId,
        }),
      ),
      [ctx.authority, raw],
    );
    await expect(registerDevice({ deviceTree: raw.publicKey })).rejects.toThrow(
      /0x178e/, // 6030 InvalidTree
    );
    // A byte-for-byte copy of this network's device tree owned by another program.
    const copy = Keypair.generate().publicKey;
    ctx.chain.setAccount(copy, {
      data: ctx.chain.getAccountInfo(setup.deviceTree)!.data,
      owner: SystemProgram.programId,
    });
    await expect(registerDevice({ deviceTree: copy })).rejects.toThrow(/0x1776/); // 6006 InvalidAccountOwner
    // Other registry accounts are no trees.
    await expect(registerDevice({ deviceTree: setup.model })).rejects.toThrow(/0x178e/);
    await expect(registerDevice()).resolves.toBeTruthy();
  });
});

describe('transfer_device and revoke_device', () => {
  function ref(index: number, leaf = leaves[index]!) {
    return { leaf, leafIndex: index, root: Array.from(replica.root) };
  }
  function proof(index: number) {
    return proofAccounts(replica.proofWithoutCanopy(index, SMALL.canopyDepth));
  }

  it('transfers with a proof from SPL MerkleTree; the new owner can transfer again', async () => {
    await registerAndTrack();
    await registerAndTrack();
    const spl = new MerkleTree([
      ...leaves.map((l) => Buffer.from(deviceLeafHash(setup.network, l))),
      ...new Array<Buffer>(30).fill(Buffer.alloc(32)),
    ]);
    const splProof = spl.getProof(1).proof.slice(0, SMALL.maxDepth - SMALL.canopyDepth);
    const newOwner = ctx.chain.fundedKeypair();
    await ctx.registry.methods
      .transferDevice({
        current: { leaf: leaves[1]!, leafIndex: 1, root: Array.from(spl.root) },
        newOwner: newOwner.publicKey,
      })
      .accountsPartial({
        signer: owner.publicKey,
        network: setup.network,
        deviceTree: setup.deviceTree,
      })
      .remainingAccounts(proofAccounts(splProof))
      .signers([owner])
      .rpc();
    const moved = { ...leaves[1]!, owner: newOwner.publicKey };
    replica.set(1, deviceLeafHash(setup.network, moved));
    leaves[1] = moved;
    expect(Buffer.from(onChainTree().getCurrentRoot()).equals(Buffer.from(replica.root))).toBe(
      true,
    );

    // The old owner no longer can; the new one can.
    const err = await rejection(
      ctx.registry.methods
        .transferDevice({ current: ref(1), newOwner: owner.publicKey })
        .accountsPartial({
          signer: owner.publicKey,
          network: setup.network,
          deviceTree: setup.deviceTree,
        })
        .remainingAccounts(proof(1))
        .signers([owner])
        .rpc(),
    );
    expect(err.code).toBe(6028);
    await ctx.registry.methods
      .transferDevice({ current: ref(1), newOwner: owner.publicKey })
      .accountsPartial({
        signer: newOwner.publicKey,
        network: setup.network,
        deviceTree: setup.deviceTree,
      })
      .remainingAccounts(proof(1))
      .signers([newOwner])
      .rpc();
  });

  it('accepts proofs made against an older root (changelog fast-forward)', async () => {
    for (let i = 0; i < 4; i++) await registerAndTrack();
    const staleRoot = Array.from(replica.root);
    const stale = [0, 1, 2].map((i) => proof(i));
    for (const i of [0, 1, 2]) {
      const to = Keypair.generate().publicKey;
      await ctx.registry.methods
        .transferDevice({
          current: { leaf: leaves[i]!, leafIndex: i, root: staleRoot },
          newOwner: to,
        })
        .accountsPartial({
          signer: owner.publicKey,
          network: setup.network,
          deviceTree: setup.deviceTree,
        })
        .remainingAccounts(stale[i]!)
        .signers([owner])
        .rpc();
      leaves[i] = { ...leaves[i]!, owner: to };
      replica.set(i, deviceLeafHash(setup.network, leaves[i]));
    }
    expect(Buffer.from(onChainTree().getCurrentRoot()).equals(Buffer.from(replica.root))).toBe(
      true,
    );
  });

  it('rejects a wrong leaf, a wrong proof, a wrong root with a wrong proof, and a record tree', async () => {
    await registerAndTrack();
    await registerAndTrack();
    const wrongLeaf = { ...leaves[0]!, seq: new BN(5) };
    const call = (current: ReturnType<typeof ref>, nodes = proof(current.leafIndex)) =>
      ctx.registry.methods
        .transferDevice({ current, newOwner: Keypair.generate().publicKey })
        .accountsPartial({
          signer: owner.publicKey,
          network: setup.network,
          deviceTree: setup.deviceTree,
        })
        .remainingAccounts(nodes)
        .signers([owner])
        .rpc();
    expect((await rejection(call(ref(0, wrongLeaf)))).code, 'wrong leaf').toBe(6024);
    expect((await rejection(call(ref(0), proof(1)))).code, 'wrong proof').toBe(6024);
    // An unknown root is only a hint (SPL semantics: the proof is fast-forwarded through the
    // changelog and must then lead to the current root). A proof with a node no change ever
    // touched cannot be repaired that way.
    const forged = replica.proofWithoutCanopy(0, SMALL.canopyDepth);
    forged[forged.length - 1] = randomBytes(32);
    expect(
      (
        await rejection(
          call({ ...ref(0), root: Array.from(randomBytes(32)) }, proofAccounts(forged)),
        )
      ).code,
    ).toBe(6024);
    // A record tree is not a device tree.
    const err = await rejection(
      ctx.registry.methods
        .transferDevice({ current: ref(0), newOwner: Keypair.generate().publicKey })
        .accountsPartial({
          signer: owner.publicKey,
          network: setup.network,
          deviceTree: setup.recordTree,
        })
        .remainingAccounts(proof(0))
        .signers([owner])
        .rpc(),
    );
    expect(err.code).toBe(6016);
  });

  it('revokes (owner or authority only); a revoked device cannot be transferred or revoked again', async () => {
    await registerAndTrack();
    await registerAndTrack();
    const stranger = ctx.chain.fundedKeypair();
    const revoke = (signer: Keypair, index: number) =>
      ctx.registry.methods
        .revokeDevice(ref(index))
        .accountsPartial({
          signer: signer.publicKey,
          network: setup.network,
          deviceTree: setup.deviceTree,
        })
        .remainingAccounts(proof(index))
        .signers([signer])
        .rpc();
    expect((await rejection(revoke(stranger, 0))).code).toBe(6028);
    await revoke(owner, 0);
    leaves[0] = { ...leaves[0]!, status: DEVICE_STATUS_REVOKED };
    replica.set(0, deviceLeafHash(setup.network, leaves[0]));
    await revoke(ctx.authority, 1);
    leaves[1] = { ...leaves[1]!, status: DEVICE_STATUS_REVOKED };
    replica.set(1, deviceLeafHash(setup.network, leaves[1]));
    expect(Buffer.from(onChainTree().getCurrentRoot()).equals(Buffer.from(replica.root))).toBe(
      true,
    );
    expect((await rejection(revoke(owner, 0))).code).toBe(6012);
  });

  it('advance_device is refused to anyone but the attestation program', async () => {
    await registerAndTrack();
    const fake = ctx.chain.fundedKeypair();
    const err = await rejection(
      ctx.registry.methods
        .advanceDevice({
          current: ref(0),
          record: {
            device: leaves[0]!.device,
            modelId: setup.modelId,
            seq: new BN(1),
            timestamp: new BN(0),
            inputCommitment: new Array<number>(32).fill(0),
            class: 0,
            score: new BN(0),
            publicInput: new Array<number>(32).fill(0),
          },
          // Whoever the event would name: only the attestation program may say.
          submitter: fake.publicKey,
        })
        .accountsPartial({
          attestationAuthority: fake.publicKey,
          network: setup.network,
          deviceTree: setup.deviceTree,
          recordTree: setup.recordTree,
        })
        .remainingAccounts(proof(0))
        .signers([fake])
        .rpc(),
    );
    expect(err.code).toBe(6025);
  });
});

describe('owner and PDA checks', () => {
  /** A byte-for-byte copy of `real` at a new address, owned by `owner`. */
  function forge(real: PublicKey, owner: PublicKey): PublicKey {
    const fake = Keypair.generate().publicKey;
    ctx.chain.setAccount(fake, { data: ctx.chain.getAccountInfo(real)!.data, owner });
    return fake;
  }
  const OTHER_PROGRAM = new PublicKey('FvJDxQExXH4AvNiVuQm3oChWonvoiWWGQJBHM1x4vq9C');

  it('refuses network, maker, model and tree accounts owned by another program', async () => {
    const fakeNetwork = forge(setup.network, OTHER_PROGRAM);
    const e1 = await rejection(
      ctx.registry.methods
        .setOracles({ oracles: [], permissionless: true })
        .accountsPartial({ network: fakeNetwork })
        .rpc(),
    );
    expect(e1.code === 6006 || /AccountOwnedByWrongProgram|3007/.test(String(e1))).toBe(true);

    // register_device with a forged maker / model / tree (raw instruction: the client-side
    // Anchor checks would stop it before the program sees it).
    for (const which of ['maker', 'model', 'deviceTree'] as const) {
      const device = new DeviceEd25519Key();
      const bjj = randomBjjHash();
      const real = { maker: setup.maker, model: setup.model, deviceTree: setup.deviceTree }[which];
      const fake = forge(real, OTHER_PROGRAM);
      const ixs = await registerDeviceInstructions(ctx.registry, {
        network: setup.network,
        owner: owner.publicKey,
        maker: setup.maker,
        makerSigner: setup.makerKey,
        deviceSigner: device,
        bjjKeyHash: bjj,
        modelId: setup.modelId,
        deviceTree: setup.deviceTree,
      });
      const idx = { maker: 2, model: 3, deviceTree: 4 }[which];
      ixs[1]!.keys[idx]!.pubkey = fake;
      expect(() => ctx.chain.send(new Transaction().add(...ixs), [owner]), which).toThrow(/0x1776/); // 6006
    }
  });

  it('refuses maker and model accounts that are not the expected PDA', async () => {
    const key = Keypair.generate().publicKey;
    const wrong = makerPda(setup.network, Keypair.generate().publicKey);
    const e1 = await rejection(
      ctx.registry.methods
        .addMaker({ authority: key, name: 'acme' })
        .accountsPartial({ network: setup.network, maker: wrong })
        .rpc(),
    );
    expect(e1.code).toBe(6001);
    const e2 = await rejection(
      registerModel({ modelId: 5, version: 1, vk: fixtureVerifyingKey(), pdaId: 6 }),
    );
    expect(e2.code).toBe(6001);
  });

  it('creates a maker PDA even when someone pre-funded its address', async () => {
    const key = Keypair.generate().publicKey;
    const pda = makerPda(setup.network, key);
    ctx.chain.setAccount(pda, {
      data: new Uint8Array(0),
      owner: SystemProgram.programId,
      lamports: 1_000,
    });
    await ctx.registry.methods
      .addMaker({ authority: key, name: 'acme' })
      .accountsPartial({ network: setup.network, maker: pda })
      .rpc();
    expect((await ctx.registry.account.maker.fetch(pda)).active).toBe(true);
  });
});
