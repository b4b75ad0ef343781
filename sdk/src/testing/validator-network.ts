/**
 * `validatorNetwork()`: a zkpin network on a local JSON-RPC validator (`startValidator()`):
 * device_registry placed at its program id, a funded authority, the network with one maker,
 * the development model, a device tree and a record tree (`setUpNetwork`), and a helper that
 * registers devices. The RPC-mode counterpart of `localNetwork()` for tests and benchmarks.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AnchorProvider, Wallet, type Program } from '@coral-xyz/anchor';
import { Keypair, Transaction } from '@solana/web3.js';
import { RpcChain } from '../chain.ts';
import { DeviceEd25519Key } from '../device-keys.ts';
import { setUpNetwork, type NetworkSetup } from '../network-setup.ts';
import { DEVICE_REGISTRY_PROGRAM_ID } from '../program-ids.ts';
import { deviceRegistryProgram, type DeviceRegistry } from '../programs.ts';
import { registerDeviceInstructions } from '../registry-client.ts';
import { devModel } from './local-network.ts';
import { programPath } from './programs.ts';
import { airdrop, placeProgram, type LocalValidator } from './validator.ts';

export interface ValidatorNetwork {
  chain: RpcChain;
  authority: Keypair;
  registry: Program<DeviceRegistry>;
  setup: NetworkSetup;
  /**
   * Registers `n` devices owned by the authority (fresh keys, a random BabyJubJub key hash),
   * `concurrency` transactions in flight; their keys in hex, in serial order.
   */
  registerDevices(n: number, o?: { concurrency?: number }): Promise<string[]>;
  close(): Promise<void>;
}

export async function validatorNetwork(validator: LocalValidator): Promise<ValidatorNetwork> {
  const chain = new RpcChain(validator.rpcUrl, { wsUrl: validator.wsUrl });
  const authority = Keypair.generate();
  const c = chain.connection;
  await airdrop(c, authority.publicKey, 1_000);
  const elf = new Uint8Array(readFileSync(programPath('device_registry')));
  await placeProgram(validator.rpcUrl, DEVICE_REGISTRY_PROGRAM_ID, elf, authority.publicKey);
  const registry = deviceRegistryProgram(
    new AnchorProvider(c, new Wallet(authority), { commitment: 'confirmed' }),
  );
  const setup = await setUpNetwork(registry, { authority, verifyingKey: devModel().verifyingKey });
  let serial = 0;

  async function registerOne(s: number): Promise<string> {
    const device = new DeviceEd25519Key();
    const bjjKeyHash = randomBytes(32);
    bjjKeyHash[0] = 0; // below the field's modulus
    const ixs = await registerDeviceInstructions(registry, {
      network: setup.network,
      owner: authority.publicKey,
      maker: setup.maker,
      makerSigner: setup.makerKey,
      deviceSigner: device,
      bjjKeyHash,
      modelId: setup.modelId,
      deviceTree: setup.deviceTree,
      serial: s,
    });
    await chain.send(new Transaction().add(...ixs), [authority]);
    return Buffer.from(device.publicKey).toString('hex');
  }

  return {
    chain,
    authority,
    registry,
    setup,
    async registerDevices(n, o = {}) {
      const out: string[] = [];
      const step = o.concurrency ?? 1;
      for (let i = 0; i < n; i += step) {
        const batch = Array.from({ length: Math.min(step, n - i) }, () => serial++);
        out.push(...(await Promise.all(batch.map(registerOne))));
      }
      return out;
    },
    close: () => chain.close(),
  };
}
