/**
 * The instruction scenario behind `npm run bench:programs` and tests/compute-units.test.ts:
 * every device_registry instruction on a production-shaped network (device tree depth 20 /
 * buffer 64 / canopy 10, record tree depth 24 / buffer 64), with fixed keys so PDA bump
 * searches, and so the compute units, are repeatable.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Keypair, PublicKey, Transaction } from '@solana/web3.js';
import {
  DEVICE_REGISTRY_PROGRAM_ID,
  DEVICE_TREE_SHAPE,
  APPROVAL_PAGE_ACCOUNT_BYTES,
  DeviceEd25519Key,
  RECORD_TREE_SHAPE,
  SERIALS_PER_APPROVAL_PAGE,
  TREE_KIND_DEVICE,
  createApprovalPage,
  createTree,
  deviceRegistryProgram,
  makerPda,
  modelPda,
  treeAccountSize,
} from '@zkpin/sdk';
import { REPO_ROOT, localNetwork } from '@zkpin/sdk/testing';

const seed = (n: number) => new Uint8Array(32).fill(n);

/** Compute-unit ceilings per instruction: asserted by tests, reported by the benchmark. */
export const CU_CEILINGS: Record<string, number> = {
  initialize_network_cu: 15_000,
  set_oracles_cu: 5_000,
  add_maker_cu: 10_000,
  set_maker_active_cu: 3_000,
  register_model_cu: 90_000,
  set_model_active_cu: 3_000,
  init_tree_device_depth20_cu: 45_000,
  register_device_cu: 40_000,
  init_approval_page_cu: 20_000,
  transfer_device_cu: 30_000,
  revoke_device_cu: 30_000,
};

export async function measureRegistry(): Promise<Record<string, number>> {
  const metrics: Record<string, number> = {};
  // A network with a full oracle set (initialize_network's worst case) and fixed keys.
  const oracles = Array.from({ length: 8 }, (_, i) => Keypair.fromSeed(seed(100 + i)));
  const vk = Buffer.from(
    (
      JSON.parse(readFileSync(join(REPO_ROOT, 'tests/vectors/groth16.json'), 'utf8')) as {
        vk_bytes_hex: string;
      }
    ).vk_bytes_hex,
    'hex',
  );
  const makerKey = new DeviceEd25519Key(seed(9));
  const owner = Keypair.fromSeed(seed(11));
  const net = await localNetwork({
    authority: Keypair.fromSeed(seed(7)),
    oracles,
    model: { verifyingKey: vk },
    makerKey,
    owner,
  });
  const chain = net.chain;
  // setUpNetwork's transactions, re-measured one by one on a second network below.
  const a2 = Keypair.fromSeed(seed(8));
  chain.airdrop(a2.publicKey, 1000);
  const p2 = chain.provider(a2);
  const r2 = deviceRegistryProgram(p2);
  await r2.methods
    .initializeNetwork({ oracles: oracles.map((k) => k.publicKey), permissionless: false })
    .accounts({ authority: a2.publicKey })
    .rpc();
  metrics.initialize_network_cu = p2.lastResult!.computeUnits;
  const net2 = PublicKey.findProgramAddressSync(
    [Buffer.from('network'), a2.publicKey.toBuffer()],
    DEVICE_REGISTRY_PROGRAM_ID,
  )[0];
  await r2.methods
    .setOracles({ oracles: oracles.map((k) => k.publicKey), permissionless: false })
    .accounts({ network: net2 })
    .rpc();
  metrics.set_oracles_cu = p2.lastResult!.computeUnits;
  const mk = new PublicKey(makerKey.publicKey);
  await r2.methods
    .addMaker({ authority: mk, name: 'zkpin devkits' })
    .accountsPartial({ network: net2, maker: makerPda(net2, mk) })
    .rpc();
  metrics.add_maker_cu = p2.lastResult!.computeUnits;
  await r2.methods
    .setMakerActive(true)
    .accountsPartial({ network: net2, maker: makerPda(net2, mk) })
    .rpc();
  metrics.set_maker_active_cu = p2.lastResult!.computeUnits;
  await r2.methods
    .registerModel({
      modelId: 1,
      version: 1,
      onnxSha256: new Array<number>(32).fill(0),
      circuitSha256: new Array<number>(32).fill(0),
      vk: Array.from(vk),
      window: 16,
      classes: 4,
    })
    .accountsPartial({ network: net2, model: modelPda(net2, 1) })
    .rpc();
  metrics.register_model_cu = p2.lastResult!.computeUnits;
  await r2.methods
    .setModelActive(true)
    .accountsPartial({ network: net2, model: modelPda(net2, 1) })
    .rpc();
  metrics.set_model_active_cu = p2.lastResult!.computeUnits;
  await createTree(r2, {
    authority: a2,
    network: net2,
    kind: TREE_KIND_DEVICE,
    shape: DEVICE_TREE_SHAPE,
    tree: Keypair.fromSeed(seed(30)),
  });
  metrics.init_tree_device_depth20_cu = p2.lastResult!.computeUnits;
  await createApprovalPage(r2, { payer: a2, makerKey, maker: makerPda(net2, mk), page: 0 });
  metrics.init_approval_page_cu = p2.lastResult!.computeUnits;

  // register_device at depth 20 (canopy 10).
  const devices = [];
  const registerCu: number[] = [];
  for (let i = 0; i < 8; i++) {
    const bjjKeyHash = new Uint8Array(32).fill(i + 1);
    bjjKeyHash[0] = 0;
    const d = await net.registerDevice({
      deviceKey: new DeviceEd25519Key(seed(40 + i)),
      bjjKeyHash,
    });
    registerCu.push(d.result.computeUnits);
    if (i === 0) {
      const tx = new Transaction().add(...d.instructions);
      tx.feePayer = owner.publicKey;
      tx.recentBlockhash = chain.latestBlockhash();
      tx.sign(owner);
      metrics.register_device_tx_bytes = tx.serialize().length;
    }
    devices.push(d);
  }
  metrics.register_device_cu = Math.max(...registerCu);
  metrics.transfer_device_cu = (
    await net.transferDevice(devices[3]!, Keypair.fromSeed(seed(12)).publicKey)
  ).computeUnits;
  metrics.revoke_device_cu = (await net.revokeDevice(devices[4]!)).computeUnits;

  // Rent: one depth-20 device tree holds 1,048,576 devices; one depth-24 record tree holds
  // 16.7M records, so 10M records need one tree.
  const deviceTreeRent = chain.rentExempt(treeAccountSize(DEVICE_TREE_SHAPE));
  const recordTreeRent = chain.rentExempt(treeAccountSize(RECORD_TREE_SHAPE));
  metrics.device_tree_bytes = treeAccountSize(DEVICE_TREE_SHAPE);
  metrics.device_tree_rent_sol_per_1m = Number((deviceTreeRent / 1e9).toFixed(4));
  // Uniqueness of onboarding: one approval bit per device, 65,536 per page, 16 pages per 1M.
  const pageRent = chain.rentExempt(APPROVAL_PAGE_ACCOUNT_BYTES);
  const pages = Math.ceil(1_048_576 / SERIALS_PER_APPROVAL_PAGE);
  metrics.approval_page_bytes = APPROVAL_PAGE_ACCOUNT_BYTES;
  metrics.approval_pages_rent_sol_per_1m = Number(((pageRent * pages) / 1e9).toFixed(4));
  metrics.device_state_rent_sol_per_1m = Number(
    ((deviceTreeRent + pageRent * pages) / 1e9).toFixed(4),
  );
  metrics.record_tree_bytes = treeAccountSize(RECORD_TREE_SHAPE);
  metrics.record_rent_lamports = Number((recordTreeRent / 10_000_000).toFixed(2));

  return metrics;
}
