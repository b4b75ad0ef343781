/**
 * Deploys zkpin to one cluster, step by step, each step idempotent: it reads the chain first
 * and acts only when the chain differs from the plan. So a second run sends nothing, and a
 * run cut off anywhere resumes where it stopped (the keys it needs were written to the
 * deployment directory before any transaction used them).
 *
 *   1. program keypairs (per deployment), programs built for their ids
 *   2. both programs through the upgradeable loader; upgrade authority handed over
 *   3. the network (oracles, permissionless), 4. makers (+ approval page 0 for our makers)
 *   5. models (verifying keys from the circuit artifacts), 6. device and record trees
 *   7. the relayer's address lookup table, 8. the manifest (`<dir>/manifest.json`)
 *
 * Every step can also only `plan`: what it would send and what that costs (rent + fees),
 * which is what `--dry-run` prints.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AnchorProvider, Wallet, type Program } from '@coral-xyz/anchor';
import {
  AddressLookupTableAccount,
  LAMPORTS_PER_SOL,
  PublicKey,
  SystemProgram,
  Transaction,
  type Keypair,
} from '@solana/web3.js';
import {
  DEPLOYMENT_MANIFEST_VERSION,
  DeviceEd25519Key,
  APPROVAL_PAGE_ACCOUNT_BYTES,
  LOADER_V3_PROGRAM_ID,
  PROGRAM_ACCOUNT_BYTES,
  PROGRAMDATA_HEADER_BYTES,
  TREE_KIND_DEVICE,
  TREE_KIND_RECORD,
  approvalPagePda,
  createApprovalPage,
  createRelayerLookupTable,
  createTree,
  decodeLoaderV3State,
  deviceRegistryProgram,
  encodeVerifyingKey,
  makerPda,
  modelPda,
  networkPda,
  parseDeploymentManifest,
  programDataAddress,
  setAuthorityInstruction,
  toHex,
  treeAccountShape,
  treeAccountSize,
  verifyingKeyHash,
  type DeploymentManifest,
  type DeploymentTree,
  type DeviceRegistry,
  type ProgramIds,
  type RpcChain,
  type TreeShape,
} from '@zkpin/sdk';
import { REPO_ROOT } from '@zkpin/sdk/testing';
import {
  clusterName,
  isLocalCluster,
  keypairFile,
  resolveIn,
  resolveKey,
  type DeployConfig,
  type ResolvedKey,
} from './config.ts';
import { deployProgram, deploymentTransactions, programAction } from './deploy-program.ts';

/** Solana's base fee per signature. */
export const LAMPORTS_PER_SIGNATURE = 5_000;

export interface DeployOptions {
  chain: RpcChain;
  /** The deployment directory: deploy.json, keys/, programs/, manifest.json. */
  dir: string;
  config: DeployConfig;
  cluster: string;
  rpcUrl: string;
  payer: Keypair;
  dryRun: boolean;
  log: (line: string) => void;
}

export interface PlannedStep {
  step: string;
  /** What it does; undefined when the chain already matches. */
  action?: string;
  rentLamports: number;
  feeLamports: number;
}

export interface DeployResult {
  steps: PlannedStep[];
  /** Transactions sent (0 on a dry run and on a run that found everything in place). */
  transactions: number;
  manifest?: DeploymentManifest;
  manifestPath: string;
}

const PROGRAMS = [
  { name: 'device_registry', entry: 'deviceRegistry' },
  {
    name: 'inference_attestation',
    entry: 'inferenceAttestation',
  },
] as const;

const sha256Hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const fee = (signatures: number, transactions = 1) =>
  signatures * transactions * LAMPORTS_PER_SIGNATURE;
export const sol = (lamports: number) => (lamports / LAMPORTS_PER_SOL).toFixed(6);

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).includes(
    Buffer.from(needle),
  );
}

function writeJsonAtomic(path: string, value: unknown): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(value, null, 2) + '\n');
  renameSync(tmp, path);
}

/** A configured model's artifacts (`dev[:<model id>]`: the development ceremony's, local clusters only). */
export async function loadModel(dir: string, cluster: string, m: DeployConfig['models'][number]) {
  const dev = /^dev(?::(\d+))?$/.exec(m.artifacts);
  if (dev) {
    if (cluster !== 'local')
      throw new Error(
        `models: "artifacts": "${m.artifacts}" names the INSECURE development ceremony (anyone can forge its proofs); it is refused on ${cluster}. Give the artifacts file of your model's ceremony (docs/ceremony.md).`,
      );
    const { devProverArtifacts } = await import('@zkpin/oracle/prover');
    const a = await devProverArtifacts(dev[1] === undefined ? 1 : Number(dev[1]));
    return { a, insecureDevKeys: true };
  }
  const { readArtifactsFile } = await import('@zkpin/circuits/runtime');
  return { a: readArtifactsFile(resolveIn(dir, m.artifacts)), insecureDevKeys: false };
}

export async function deploy(o: DeployOptions): Promise<DeployResult> {
  const { chain, dir, config, payer, log } = o;
  // What the URL points at decides what is allowed (development keys, funding oracles);
  // `cluster` is only the manifest's label, which the operator may choose.
  const isLocal = isLocalCluster(o.rpcUrl);
  const connection = chain.connection;
  const steps: PlannedStep[] = [];
  let transactions = 0;
  const rentCache = new Map<number, number>();
  const rent = async (size: number) => {
    let v = rentCache.get(size);
    if (v === undefined) {
      v = await connection.getMinimumBalanceForRentExemption(size);
      rentCache.set(size, v);
    }
    return v;
  };
  /** Records a step; runs `act` unless this is a dry run or there is nothing to do. */
  const step = async (s: PlannedStep, act?: () => Promise<number | void>): Promise<void> => {
    steps.push(s);
    const cost = s.action
      ? `  rent ${sol(s.rentLamports)} SOL  fees ${sol(s.feeLamports)} SOL`
      : '';
    log(
      `${s.action ? (o.dryRun ? '  would ' : '  ') : '  ok    '}${s.step}${s.action ? `: ${s.action}` : ''}${cost}`,
    );
    if (s.action && act && !o.dryRun) transactions += (await act()) ?? 1;
  };

  // 1. Program keypairs of this deployment, and programs built for their ids.
  const programKeys = PROGRAMS.map((p) => ({
    ...p,
    ...keypairFile(join(dir, 'keys', `${p.name}-keypair.json`)),
  }));
  for (const k of programKeys)
    if (k.created) log(`  new   program keypair ${k.name}: ${k.key.publicKey.toBase58()}`);
  const ids: ProgramIds = {
    deviceRegistry: programKeys[0]!.key.publicKey,
    inferenceAttestation: programKeys[1]!.key.publicKey,
  };
  const outDir = join(dir, 'programs');
  log(
    `  build programs for ${ids.deviceRegistry.toBase58()} / ${ids.inferenceAttestation.toBase58()}`,
  );
  execFileSync('bash', [join(REPO_ROOT, 'scripts/build-programs.sh'), '--out', outDir], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      ZKPIN_DEVICE_REGISTRY_ID: ids.deviceRegistry.toBase58(),
      ZKPIN_INFERENCE_ATTESTATION_ID: ids.inferenceAttestation.toBase58(),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const elves = PROGRAMS.map((p) => new Uint8Array(readFileSync(join(outDir, `${p.name}.so`))));
  // The build must have compiled the ids in: each program holds its own, the attestation
  // program also device_registry's (it checks the registry it calls).
  if (!contains(elves[0]!, ids.deviceRegistry.toBytes()))
    throw new Error('device_registry.so does not hold its deployment id: the build used other ids');
  if (
    !contains(elves[1]!, ids.inferenceAttestation.toBytes()) ||
    !contains(elves[1]!, ids.deviceRegistry.toBytes())
  )
    throw new Error('inference_attestation.so does not hold the deployment ids');

  // 2. Programs through the upgradeable loader, then the upgrade authority.
  const upgradeAuthority = config.upgradeAuthority ?? payer.publicKey;
  const programEntries: DeploymentManifest['programs'] = {} as DeploymentManifest['programs'];
  for (const [i, p] of programKeys.entries()) {
    const elf = elves[i]!;
    const programData = programDataAddress(p.key.publicKey);
    // Unchanged bytes pass whoever holds the authority; an upgrade needs it to be the payer
    // (programAction says whose it is otherwise).
    const action = await programAction(chain, p.key.publicKey, payer.publicKey, elf);
    const tx = deploymentTransactions(payer.publicKey, payer.publicKey, elf);
    await step(
      {
        step: `${p.name} ${p.key.publicKey.toBase58()}`,
        action:
          action === 'unchanged'
            ? undefined
            : `${action} ${elf.length} bytes (${tx.transactions} transactions)`,
        rentLamports:
          action === 'deploy'
            ? (await rent(PROGRAM_ACCOUNT_BYTES)) +
              (await rent(PROGRAMDATA_HEADER_BYTES + 2 * elf.length))
            : 0,
        feeLamports:
          action === 'unchanged'
            ? 0
            : fee(tx.signatures, tx.transactions) + (action === 'deploy' ? fee(1) : 0),
      },
      async () =>
        (
          await deployProgram({
            chain,
            payer,
            program: p.key,
            authority: payer,
            elf,
            log: (l) => log(`        ${l}`),
          })
        ).transactions,
    );
    const now = await currentUpgradeAuthority(chain, p.key.publicKey);
    const handOver =
      !upgradeAuthority.equals(payer.publicKey) &&
      (now === undefined ? o.dryRun : now?.equals(payer.publicKey) === true);
    await step(
      {
        step: `${p.name} upgrade authority`,
        action: handOver ? `hand over to ${upgradeAuthority.toBase58()}` : undefined,
        rentLamports: 0,
        feeLamports: fee(1),
      },
      async () => {
        await chain.send(
          new Transaction().add(
            setAuthorityInstruction(programData, payer.publicKey, upgradeAuthority),
          ),
          [payer],
        );
      },
    );
    programEntries[p.entry] = {
      id: p.key.publicKey.toBase58(),
      programData: programData.toBase58(),
      upgradeAuthority: o.dryRun
        ? upgradeAuthority.toBase58()
        : ((await currentUpgradeAuthority(chain, p.key.publicKey))?.toBase58() ?? null),
      sha256: sha256Hex(elf),
    };
  }

  // 3–6 through device_registry's client, signed by the network authority.
  const authority = config.network.authority
    ? keypairFile(resolveIn(dir, config.network.authority)).key
    : payer;
  const provider = new AnchorProvider(connection, new Wallet(authority), {
    commitment: 'confirmed',
  });
  const program: Program<DeviceRegistry> = deviceRegistryProgram(provider, ids);
  const reg = ids.deviceRegistry;
  const network = networkPda(authority.publicKey, reg);
  const oracles: ResolvedKey[] = config.oracles.map((r) => resolveKey(dir, r));
  const oracleKeys = oracles.map((k) => k.address);

  // 3. The network.
  const net =
    o.dryRun && !(await connection.getAccountInfo(network))
      ? null
      : await program.account.network.fetchNullable(network);
  await step(
    {
      step: `network ${network.toBase58()}`,
      action: net
        ? undefined
        : `initialize (${oracleKeys.length} oracles, permissionless ${config.network.permissionless})`,
      rentLamports: net ? 0 : await rent(program.account.network.size),
      feeLamports: fee(1),
    },
    async () => {
      await program.methods
        .initializeNetwork({ oracles: oracleKeys, permissionless: config.network.permissionless })
        .accounts({ authority: authority.publicKey })
        .rpc();
    },
  );
  if (net) {
    if (!net.authority.equals(authority.publicKey))
      throw new Error(`network ${network.toBase58()} has authority ${net.authority.toBase58()}`);
    const onChain = net.oracles
      .slice(0, net.oracleCount)
      .map((k) => k.toBase58())
      .sort();
    const wanted = oracleKeys.map((k) => k.toBase58()).sort();
    const same =
      onChain.join() === wanted.join() && net.permissionless === config.network.permissionless;
    await step(
      {
        step: 'network oracles',
        action: same
          ? undefined
          : `set ${wanted.length} oracles, permissionless ${config.network.permissionless}`,
        rentLamports: 0,
        feeLamports: fee(1),
      },
      async () => {
        await program.methods
          .setOracles({ oracles: oracleKeys, permissionless: config.network.permissionless })
          .accountsPartial({ authority: authority.publicKey, network })
          .rpc();
      },
    );
  }
  // Oracles pay their own fees: a local cluster funds the ones whose keys are here.
  if (isLocal)
    for (const k of oracles)
      if (k.keypair) await fund(chain, payer, k.address, LAMPORTS_PER_SOL, step);

  // 4. Makers (and page 0 of their approval bitmap when their key is ours).
  const makers: DeploymentManifest['makers'] = [];
  for (const m of config.makers) {
    const key = resolveKey(dir, m);
    const maker = makerPda(network, key.address, reg);
    const exists = (await connection.getAccountInfo(maker)) !== null;
    await step(
      {
        step: `maker "${m.name}" ${maker.toBase58()}`,
        action: exists ? undefined : `add (authority ${key.address.toBase58()})`,
        rentLamports: exists ? 0 : await rent(program.account.maker.size),
        feeLamports: fee(1),
      },
      async () => {
        await program.methods
          .addMaker({ authority: key.address, name: m.name })
          .accountsPartial({ authority: authority.publicKey, network, maker })
          .rpc();
      },
    );
    if (key.keypair) {
      const page = approvalPagePda(maker, 0, reg);
      const pageExists = (await connection.getAccountInfo(page)) !== null;
      await step(
        {
          step: `maker "${m.name}" approval page 0`,
          action: pageExists ? undefined : 'create',
          rentLamports: pageExists ? 0 : await rent(APPROVAL_PAGE_ACCOUNT_BYTES),
          feeLamports: fee(2),
        },
        async () => {
          await createApprovalPage(program, {
            payer: authority,
            makerKey: new DeviceEd25519Key(key.keypair!.secretKey.slice(0, 32)),
            maker,
            page: 0,
          });
        },
      );
    }
    makers.push({ address: maker.toBase58(), authority: key.address.toBase58(), name: m.name });
  }

  // 5. Models: the verifying key from each model's circuit artifacts.
  const models: DeploymentManifest['models'] = [];
  for (const m of config.models) {
    const { a, insecureDevKeys } = await loadModel(dir, clusterName(o.rpcUrl), m);
    const vk = encodeVerifyingKey(a.vk);
    const circuitSha256 = sha256Hex(readFileSync(a.wasmPath));
    const model = modelPda(network, a.modelId, reg);
    const existing =
      (await connection.getAccountInfo(model)) && (await program.account.model.fetch(model));
    if (existing && toHex(Uint8Array.from(existing.vk)) !== toHex(vk))
      throw new Error(
        `model ${a.modelId} (${model.toBase58()}) is registered with another verifying key (vk hash ${verifyingKeyHash(Uint8Array.from(existing.vk))}, the artifacts' is ${verifyingKeyHash(vk)}): register the new circuit under a new model id`,
      );
    if (existing && (existing.window !== a.window || existing.classes !== a.classes))
      throw new Error(
        `model ${a.modelId} (${model.toBase58()}) is registered with window ${existing.window} and ${existing.classes} classes, the artifacts say window ${a.window} and ${a.classes} classes: register the new circuit under a new model id`,
      );
    await step(
      {
        step: `model ${a.modelId} ${model.toBase58()}`,
        action: existing
          ? undefined
          : `register (vk hash ${verifyingKeyHash(vk).slice(0, 16)}…${insecureDevKeys ? ', INSECURE development keys' : ''})`,
        rentLamports: existing ? 0 : await rent(program.account.model.size),
        feeLamports: fee(1),
      },
      async () => {
        await program.methods
          .registerModel({
            modelId: a.modelId,
            version: m.version,
            onnxSha256: Array.from(Buffer.from(a.onnxSha256, 'hex')),
            circuitSha256: Array.from(Buffer.from(circuitSha256, 'hex')),
            vk: Array.from(vk),
            window: a.window,
            classes: a.classes,
          })
          .accountsPartial({ authority: authority.publicKey, network, model })
          .rpc();
      },
    );
    // What the chain holds (a model registered by an earlier run keeps its own hashes).
    models.push({
      id: a.modelId,
      address: model.toBase58(),
      version: existing ? existing.version : m.version,
      vkHash: verifyingKeyHash(vk),
      onnxSha256: existing ? toHex(Uint8Array.from(existing.onnxSha256)) : a.onnxSha256,
      circuitSha256: existing ? toHex(Uint8Array.from(existing.circuitSha256)) : circuitSha256,
      window: a.window,
      classes: a.classes,
      ...(a.classNames ? { classNames: a.classNames } : {}),
      insecureDevKeys,
    });
  }

  // 6. The network's device and record trees: `config.trees.shards` of each kind (shards),
  // each from its own keypair file (`keys/<kind>-tree.json`, then `-tree-1.json`, ...), so a
  // second run finds them; the first of each kind is the one earlier deployments had.
  const shards = { device: [] as DeploymentTree[], record: [] as DeploymentTree[] };
  for (const [kind, kindId, shape] of [
    ['device', TREE_KIND_DEVICE, config.trees.device],
    ['record', TREE_KIND_RECORD, config.trees.record],
  ] as const) {
    for (let i = 0; i < config.trees.shards; i++) {
      const file = i === 0 ? `${kind}-tree.json` : `${kind}-tree-${i}.json`;
      const treeKey = keypairFile(join(dir, 'keys', file)).key;
      const existing = o.dryRun && !net ? null : await connection.getAccountInfo(treeKey.publicKey);
      const netNow =
        i === 0 && !existing && !(o.dryRun && !net)
          ? await program.account.network.fetchNullable(network)
          : null;
      // A network deployed before its tree keypairs were kept: its first tree is the Network's.
      const current = kind === 'device' ? netNow?.deviceTree : netNow?.recordTree;
      const have = existing
        ? treeKey.publicKey
        : current && !current.equals(PublicKey.default)
          ? current
          : undefined;
      await step(
        {
          step: `${kind} tree ${i + 1}/${config.trees.shards}`,
          action: have
            ? undefined
            : `create ${treeKey.publicKey.toBase58()} (depth ${shape.maxDepth}, buffer ${shape.maxBufferSize}, canopy ${shape.canopyDepth}, ${treeAccountSize(shape)} bytes)`,
          rentLamports: have ? 0 : await rent(treeAccountSize(shape)),
          feeLamports: fee(2),
        },
        async () => {
          await createTree(program, { authority, network, kind: kindId, shape, tree: treeKey });
        },
      );
      const address = have ?? treeKey.publicKey;
      let actual: TreeShape = shape;
      if (!o.dryRun) {
        const info = await connection.getAccountInfo(address);
        if (!info) throw new Error(`${kind} tree ${address.toBase58()} was not created`);
        actual = treeAccountShape(info.data);
      }
      shards[kind].push({ address: address.toBase58(), ...actual });
    }
  }
  const trees: DeploymentManifest['trees'] = {
    device: shards.device[0]!,
    record: shards.record[0]!,
    shards,
  };

  // 7. The relayer's address lookup table (v0 transactions leave room for a priority fee).
  let lookupTable: string | null = null;
  if (config.lookupTable) {
    const statePath = join(dir, 'lookup-table.json');
    const saved = existsSync(statePath)
      ? (JSON.parse(readFileSync(statePath, 'utf8')) as { address: string; network: string })
      : undefined;
    const treeKeys = {
      deviceTrees: shards.device.map((t) => new PublicKey(t.address)),
      recordTrees: shards.record.map((t) => new PublicKey(t.address)),
    };
    const wanted = [
      modelPda(network, models[0]!.id, reg),
      ...treeKeys.deviceTrees,
      ...treeKeys.recordTrees,
    ];
    let valid = false;
    if (saved && saved.network === network.toBase58()) {
      const info = await connection.getAccountInfo(new PublicKey(saved.address));
      if (info) {
        const table = AddressLookupTableAccount.deserialize(info.data);
        // A table holding the network would hide attestations from getSignaturesForAddress.
        valid =
          wanted.every((w) => table.addresses.some((a) => a.equals(w))) &&
          !table.addresses.some((a) => a.equals(network));
      }
    }
    await step(
      {
        step: 'relayer lookup table',
        action: valid ? undefined : `create and extend (${wanted.length + 4} addresses)`,
        rentLamports: valid ? 0 : await rent(56 + 32 * (wanted.length + 4)),
        feeLamports: fee(1 + Math.floor((wanted.length + 4) / 20)),
      },
      async () => {
        const t = await createRelayerLookupTable(
          chain,
          payer,
          {
            network,
            modelId: models[0]!.id,
            deviceTree: new PublicKey(trees.device.address),
            recordTree: new PublicKey(trees.record.address),
            ...treeKeys,
          },
          ids,
        );
        writeJsonAtomic(statePath, { address: t.key.toBase58(), network: network.toBase58() });
      },
    );
    if (existsSync(statePath))
      lookupTable = (JSON.parse(readFileSync(statePath, 'utf8')) as { address: string }).address;
  }

  const manifestPath = join(dir, 'manifest.json');
  if (o.dryRun) return { steps, transactions, manifestPath };

  // 8. The manifest: only what the chain holds (a second run writes the same bytes).
  const manifest = parseDeploymentManifest({
    version: DEPLOYMENT_MANIFEST_VERSION,
    cluster: { name: o.cluster, rpcUrl: o.rpcUrl, genesisHash: await connection.getGenesisHash() },
    programs: programEntries,
    network: {
      address: network.toBase58(),
      authority: authority.publicKey.toBase58(),
      permissionless: config.network.permissionless,
      oracles: oracleKeys.map((k) => k.toBase58()),
    },
    makers,
    models,
    trees,
    lookupTable,
  });
  const text = JSON.stringify(manifest, null, 2) + '\n';
  if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== text)
    writeJsonAtomic(manifestPath, manifest);
  return { steps, transactions, manifest, manifestPath };
}

/** The program's upgrade authority: undefined when not deployed, null when immutable. */
async function currentUpgradeAuthority(
  chain: RpcChain,
  program: PublicKey,
): Promise<PublicKey | null | undefined> {
  const info = await chain.getAccountInfo(programDataAddress(program));
  if (!info || !info.owner.equals(LOADER_V3_PROGRAM_ID)) return undefined;
  const state = decodeLoaderV3State(info.data);
  return state.kind === 'programData' ? state.authority : undefined;
}

/** Tops an account up to `lamports` (local clusters: oracles whose keys live here). */
async function fund(
  chain: RpcChain,
  payer: Keypair,
  to: PublicKey,
  lamports: number,
  step: (s: PlannedStep, act?: () => Promise<number | void>) => Promise<void>,
): Promise<void> {
  const balance = await chain.connection.getBalance(to, 'confirmed');
  await step(
    {
      step: `oracle ${to.toBase58()} balance`,
      action: balance >= lamports / 2 ? undefined : `fund with ${sol(lamports)} SOL`,
      rentLamports: balance >= lamports / 2 ? 0 : lamports,
      feeLamports: fee(1),
    },
    async () => {
      await chain.send(
        new Transaction().add(
          SystemProgram.transfer({ fromPubkey: payer.publicKey, toPubkey: to, lamports }),
        ),
        [payer],
      );
    },
  );
}
