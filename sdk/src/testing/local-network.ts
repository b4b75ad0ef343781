/**
 * `localNetwork()`: a whole zkpin network on the embedded LiteSVM chain, in one call — both
 * programs deployed from target/deploy, the network with its oracle set, one maker (approval
 * page 0), one model, a device tree and a record tree, followed by a `NetworkFollower` — with
 * helpers to register, revoke and transfer devices. The tests, the benchmarks and the local
 * network (`npm start`) all build their network here.
 *
 * The model's default verifying key is the committed development key (INSECURE ceremony,
 * circuits/generated/*.dev-vk.json), so proofs of the development prover verify.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Program } from '@coral-xyz/anchor';
import { Keypair, PublicKey, Transaction, type TransactionInstruction } from '@solana/web3.js';
import { inferenceAttestationProgram, type InferenceAttestation } from '../attestation.ts';
import type { TxResult } from '../chain.ts';
import { DeviceEd25519Key, bjjKeyHashBytes, type DeviceKeys } from '../device-keys.ts';
import { generateDeviceKeys } from '../node/babyjub.ts';
import { EmbeddedChain } from './embedded-chain.ts';
import { LocalChain, type LocalChainProvider } from './local-chain.ts';
import { REPO_ROOT, programPath } from './programs.ts';
import {
  registerModel,
  setUpNetwork,
  type NetworkSetup,
  type RegisterModelOptions,
} from '../network-setup.ts';
import { NetworkFollower } from '../network-follower.ts';
import { DEVICE_REGISTRY_PROGRAM_ID, INFERENCE_ATTESTATION_PROGRAM_ID } from '../program-ids.ts';
import { deviceRegistryProgram, type DeviceRegistry } from '../programs.ts';
import {
  deviceTreeFor,
  proofAccounts,
  registerDeviceInstructions,
  type DeviceLeaf,
} from '../registry-client.ts';
import type { TreeShape } from '../tree-account.ts';

/** The committed development verifying key of the reference model (written by `npm run build:circuits`). */
const DEV_VK_FILE = 'circuits/generated/zkpin_anomaly_v1.dev-vk.json';

/** The development model: its 576-byte verifying key and the sha256 of its ONNX file. */
export function devModel(): { verifyingKey: Uint8Array; onnxSha256: Uint8Array } {
  const f = JSON.parse(readFileSync(join(REPO_ROOT, DEV_VK_FILE), 'utf8')) as {
    vk_bytes_hex: string;
    onnx_sha256: string;
  };
  return {
    verifyingKey: new Uint8Array(Buffer.from(f.vk_bytes_hex, 'hex')),
    onnxSha256: new Uint8Array(Buffer.from(f.onnx_sha256, 'hex')),
  };
}

/** A LiteSVM chain with device_registry and inference_attestation deployed (`npm run build:programs`). */
export function localChainWithPrograms(): LocalChain {
  const chain = new LocalChain();
  for (const [id, name] of [
    [DEVICE_REGISTRY_PROGRAM_ID, 'device_registry'],
    [INFERENCE_ATTESTATION_PROGRAM_ID, 'inference_attestation'],
  ] as const) {
    const so = programPath(name);
    if (!existsSync(so)) throw new Error(`${so} is missing: run npm run build:programs`);
    chain.deploy(id, so);
  }
  return chain;
}

export interface LocalNetworkOptions {
  /** The chain to set up on (another network's, say); default: `localChainWithPrograms()`. */
  chain?: LocalChain;
  /** Pins the cluster clock at these unix seconds before anything is sent. */
  unixTimestamp?: bigint;
  /** Network authority (funded here); fixed keys keep PDA bumps, and compute units, repeatable. */
  authority?: Keypair;
  /** The oracle set (each funded here); default one fresh oracle. */
  oracles?: Keypair[];
  permissionless?: boolean;
  /** The maker's authority key; default a fresh one. */
  makerKey?: DeviceEd25519Key;
  /** Default owner of registered devices (funded here). */
  owner?: Keypair;
  /**
   * The model; default id 1, version 1, the development verifying key and ONNX hash, and the
   * reference model's shape (window 16, 4 classes).
   */
  model?: {
    id?: number;
    version?: number;
    verifyingKey?: Uint8Array;
    onnxSha256?: Uint8Array;
    window?: number;
    classes?: number;
  };
  /** Default: `DEVICE_TREE_SHAPE` / `RECORD_TREE_SHAPE` (production shapes). */
  deviceTree?: TreeShape;
  recordTree?: TreeShape;
  /** Device and record trees of each kind (default 1; `LOCAL_NETWORK_SHARDS` for a dev network). */
  shards?: number;
}

export interface RegisterDeviceOptions {
  /** Default: the network's owner. */
  owner?: Keypair;
  modelId?: number;
  deviceTree?: PublicKey;
  /** The maker approval's serial and expiry (defaults of `registerDeviceInstructions`). */
  serial?: number;
  expiresAt?: bigint;
}

export interface RegisteredDevice {
  deviceKey: DeviceEd25519Key;
  /** Device key in hex, as the follower, the bridge and the topics name it. */
  hex: string;
  owner: Keypair;
  tree: PublicKey;
  leafIndex: number;
  leaf: DeviceLeaf;
  /** `[Ed25519 precompile, register_device]` as sent (an attacker's copy, for replay tests). */
  instructions: TransactionInstruction[];
  result: TxResult;
}

export class LocalNetwork {
  readonly embedded: EmbeddedChain;
  readonly provider: LocalChainProvider;
  readonly follower: NetworkFollower;

  constructor(
    readonly chain: LocalChain,
    readonly authority: Keypair,
    readonly oracles: Keypair[],
    readonly owner: Keypair,
    readonly setup: NetworkSetup,
    readonly verifyingKey: Uint8Array,
  ) {
    this.embedded = new EmbeddedChain(chain);
    this.provider = chain.provider(authority);
    this.follower = new NetworkFollower(this.embedded, setup.network).start();
  }

  /** The first oracle of the set. */
  get oracle(): Keypair {
    const o = this.oracles[0];
    if (!o) throw new Error('this network has no oracle (options.oracles was empty)');
    return o;
  }

  /**
   * Registers another model on this network (`register_model`, signed by the authority):
   * `version` defaults to 1, the hashes to zeros. Returns the model account.
   */
  async registerModel(o: Omit<RegisterModelOptions, 'authority' | 'network'>): Promise<PublicKey> {
    return registerModel(this.registry, {
      ...o,
      authority: this.authority.publicKey,
      network: this.setup.network,
    });
  }

  /** device_registry, paid and signed by the authority. */
  get registry(): Program<DeviceRegistry> {
    return deviceRegistryProgram(this.provider);
  }

  /** inference_attestation, paid by the authority. */
  get attestation(): Program<InferenceAttestation> {
    return inferenceAttestationProgram(this.provider);
  }

  /**
   * Registers a device: the maker approves its key, the device signs its claim for the owner,
   * the owner sends register_device. The device is `keys` (default: fresh keys), its leaf
   * carrying their BabyJubJub key hash; or an ed25519 `deviceKey` with any `bjjKeyHash`.
   */
  async registerDevice(
    o?: RegisterDeviceOptions & { keys?: DeviceKeys },
  ): Promise<RegisteredDevice & { keys: DeviceKeys }>;
  async registerDevice(
    o: RegisterDeviceOptions & { deviceKey: DeviceEd25519Key; bjjKeyHash: Uint8Array },
  ): Promise<RegisteredDevice>;
  async registerDevice(
    o: RegisterDeviceOptions & {
      keys?: DeviceKeys;
      deviceKey?: DeviceEd25519Key;
      bjjKeyHash?: Uint8Array;
    } = {},
  ): Promise<RegisteredDevice & { keys?: DeviceKeys }> {
    let keys: DeviceKeys | undefined;
    let deviceKey: DeviceEd25519Key;
    let bjjKeyHash: Uint8Array;
    if (o.deviceKey && o.bjjKeyHash) {
      deviceKey = o.deviceKey;
      bjjKeyHash = o.bjjKeyHash;
    } else {
      keys = o.keys ?? (await generateDeviceKeys());
      deviceKey = keys.ed25519;
      bjjKeyHash = bjjKeyHashBytes(keys.babyJub.publicKey);
    }
    const owner = o.owner ?? this.owner;
    const instructions = await registerDeviceInstructions(this.registry, {
      network: this.setup.network,
      owner: owner.publicKey,
      maker: this.setup.maker,
      makerSigner: this.setup.makerKey,
      deviceSigner: deviceKey,
      bjjKeyHash,
      modelId: o.modelId ?? this.setup.modelId,
      deviceTree:
        o.deviceTree ??
        deviceTreeFor(deviceKey.publicKey, this.setup.deviceTrees, (t) => {
          const tree = this.follower.trees.get(t.toBase58());
          return tree !== undefined && tree.replica.size >= 2 ** tree.replica.depth;
        }),
      serial: o.serial,
      expiresAt: o.expiresAt,
    });
    const result = this.chain.send(new Transaction().add(...instructions), [owner]);
    const hex = Buffer.from(deviceKey.publicKey).toString('hex');
    const state = this.follower.device(hex);
    if (!state) throw new Error(`device ${hex} registered, but the follower did not see it`);
    return { keys, deviceKey, hex, owner, ...state, instructions, result };
  }

  /** revoke_device with the follower's proof, signed by `signer` (default the device's owner). */
  async revokeDevice(device: string | { hex: string }, o: { signer?: Keypair } = {}) {
    const { p, signer } = this.proofFor(device, o.signer);
    await this.registry.methods
      .revokeDevice({ leaf: p.state.leaf, leafIndex: p.state.leafIndex, root: Array.from(p.root) })
      .accountsPartial({
        signer: signer.publicKey,
        network: this.setup.network,
        deviceTree: p.state.tree,
      })
      .remainingAccounts(proofAccounts(p.nodes))
      .signers([signer])
      .rpc();
    return this.provider.lastResult!;
  }

  /** transfer_device to `newOwner` with the follower's proof, signed by `signer` (default the owner). */
  async transferDevice(
    device: string | { hex: string },
    newOwner: PublicKey,
    o: { signer?: Keypair } = {},
  ) {
    const { p, signer } = this.proofFor(device, o.signer);
    await this.registry.methods
      .transferDevice({
        current: { leaf: p.state.leaf, leafIndex: p.state.leafIndex, root: Array.from(p.root) },
        newOwner,
      })
      .accountsPartial({
        signer: signer.publicKey,
        network: this.setup.network,
        deviceTree: p.state.tree,
      })
      .remainingAccounts(proofAccounts(p.nodes))
      .signers([signer])
      .rpc();
    return this.provider.lastResult!;
  }

  /** Stops the follower and the chain's listeners. */
  async close(): Promise<void> {
    await this.follower.stop();
    await this.embedded.close();
  }

  private proofFor(device: string | { hex: string }, signer?: Keypair) {
    const hex = typeof device === 'string' ? device : device.hex;
    const p = this.follower.proof(hex);
    if (!p) throw new Error(`device ${hex} is not registered on this network`);
    const owner = signer ?? this.knownOwner(p.state.leaf.owner);
    return { p, signer: owner };
  }

  private knownOwner(owner: PublicKey): Keypair {
    if (owner.equals(this.owner.publicKey)) return this.owner;
    throw new Error(
      `the device's owner ${owner.toBase58()} is not the network's owner: pass signer`,
    );
  }
}

/** Deploys (unless `o.chain` is given), funds the keys and sets up the network; see the file comment. */
export async function localNetwork(o: LocalNetworkOptions = {}): Promise<LocalNetwork> {
  const chain = o.chain ?? localChainWithPrograms();
  if (o.unixTimestamp !== undefined) chain.setUnixTimestamp(o.unixTimestamp);
  const authority = o.authority ?? Keypair.generate();
  chain.airdrop(authority.publicKey, 1_000);
  const oracles = o.oracles ?? [Keypair.generate()];
  for (const k of oracles) chain.airdrop(k.publicKey, 1_000);
  const owner = o.owner ?? Keypair.generate();
  chain.airdrop(owner.publicKey, 100);
  const dev = o.model?.verifyingKey ? undefined : devModel();
  const verifyingKey = o.model?.verifyingKey ?? dev!.verifyingKey;
  const setup = await setUpNetwork(deviceRegistryProgram(chain.provider(authority)), {
    authority,
    oracles: oracles.map((k) => k.publicKey),
    permissionless: o.permissionless,
    makerKey: o.makerKey,
    modelId: o.model?.id,
    modelVersion: o.model?.version,
    verifyingKey,
    onnxSha256: o.model?.onnxSha256 ?? dev?.onnxSha256,
    window: o.model?.window,
    classes: o.model?.classes,
    deviceTree: o.deviceTree,
    recordTree: o.recordTree,
    shards: o.shards,
  });
  return new LocalNetwork(chain, authority, oracles, owner, setup, verifyingKey);
}
