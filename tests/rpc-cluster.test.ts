/**
 * zkpin on a real JSON-RPC validator, run as an operator runs it: migrations/deploy.ts deploys
 * programs built for the deployment's own keypairs and writes the manifest; the bridge and the
 * oracle (prover + relayer) run as processes from their main.ts, reading that manifest;
 * simulated devices are onboarded over RPC and publish over MQTT; records are checked on the
 * tree account read over RPC, and in the indexer (a process too) through `IndexerClient`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keypair, PublicKey } from '@solana/web3.js';
import {
  LOADER_V3_PROGRAM_ID,
  LOCALNET_PROGRAM_IDS,
  deploymentTrees,
  decodeLoaderV3State,
  programDataAddress,
  toHex,
  treeAccountRoot,
} from '@zkpin/sdk';
import { REPO_ROOT, RpcFaultProxy } from '@zkpin/sdk/testing';
import { ServiceProcess, startRpcNetwork, type RpcNetwork } from '../scripts/lib/rpc-network.ts';

let net: RpcNetwork;

beforeAll(async () => {
  net = await startRpcNetwork({ devices: 2, rate: 0, slotMs: 200 });
}, 600_000);

afterAll(async () => {
  await net?.stop();
}, 60_000);

/** `tsx migrations/deploy.ts` against the test's validator. */
function deployCli(args: string[]) {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'migrations/deploy.ts'), ...args],
    {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        SOLANA_RPC_URL: net.validator.rpcUrl,
        SOLANA_WS_URL: net.validator.wsUrl,
      },
      encoding: 'utf8',
      timeout: 400_000,
    },
  );
  return { code: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** A port nothing listens on (one just closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 180_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('migrations/deploy.ts on the validator', () => {
  it('deployed programs built for the deployment keypairs, not the localnet ids', async () => {
    const ids = net.programIds;
    expect(ids.deviceRegistry.equals(LOCALNET_PROGRAM_IDS.deviceRegistry)).toBe(false);
    expect(ids.inferenceAttestation.equals(LOCALNET_PROGRAM_IDS.inferenceAttestation)).toBe(false);
    for (const id of [ids.deviceRegistry, ids.inferenceAttestation]) {
      const info = await net.chain.getAccountInfo(id);
      expect(info?.executable).toBe(true);
      expect(info?.owner.equals(LOADER_V3_PROGRAM_ID)).toBe(true);
    }
    // The trees belong to this deployment's registry.
    const tree = await net.chain.getAccountInfo(new PublicKey(net.manifest.trees.record.address));
    expect(tree?.owner.equals(ids.deviceRegistry)).toBe(true);
    expect(net.manifest.cluster.name).toBe('local');
    expect(net.manifest.models[0]!.insecureDevKeys).toBe(true);
    // The reference model's shape, from its artifacts, in the manifest and on its account.
    expect(net.manifest.models[0]).toMatchObject({ window: 16, classes: 4 });
    expect(net.manifest.lookupTable).not.toBeNull();
  });

  it('a second run sends nothing and leaves the manifest byte for byte', () => {
    const before = readFileSync(net.manifestPath, 'utf8');
    const again = deployCli(['--dir', net.dir]);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toMatch(/nothing to do/);
    expect(again.out).not.toMatch(/would |: deploy|: initialize|: create/);
    expect(readFileSync(net.manifestPath, 'utf8')).toBe(before);
    const dry = deployCli(['--dir', net.dir, '--dry-run']);
    expect(dry.code, dry.out).toBe(0);
    expect(dry.out).toMatch(/plan: nothing to do/);
  }, 420_000);

  it('--dry-run of a new deployment prints its plan and cost and sends nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkpin-dry-'));
    try {
      const dry = deployCli(['--dir', dir, '--dry-run']);
      expect(dry.code, dry.out).toBe(0);
      expect(dry.out).toMatch(/would device_registry \S+: deploy \d+ bytes/);
      expect(dry.out).toMatch(/would network \S+: initialize/);
      expect(dry.out).toMatch(/would model 1 \S+: register/);
      const plan = /plan: (\d+) steps, rent ([\d.]+) SOL \+ fees ([\d.]+) SOL = ([\d.]+) SOL/.exec(
        dry.out,
      );
      expect(plan, dry.out).not.toBeNull();
      // Two programs of ~230 kB and ~37 kB with room to double: a few SOL of rent.
      expect(Number(plan![2])).toBeGreaterThan(1);
      expect(Number(plan![3])).toBeGreaterThan(0);
      // Nothing was sent: the program keypairs it made are not on the chain.
      const key = JSON.parse(
        readFileSync(join(dir, 'keys', 'device_registry-keypair.json'), 'utf8'),
      ) as number[];
      const id = Keypair.fromSecretKey(Uint8Array.from(key)).publicKey;
      expect(await net.chain.getAccountInfo(id)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 420_000);
});

describe('migrations/deploy.ts cut off halfway', () => {
  it('resumes: the next run writes only what was missing, the one after sends nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'zkpin-cut-'));
    // This deployment hands its programs' upgrade authority to another key (a multisig, say).
    const upgradeAuthority = Keypair.generate().publicKey;
    writeFileSync(
      join(dir, 'deploy.json'),
      JSON.stringify({ upgradeAuthority: upgradeAuthority.toBase58() }),
    );
    // The first run talks through a proxy that counts its transactions; it is killed (SIGKILL,
    // no chance to clean up) in the middle of writing device_registry's buffer.
    const proxy = await RpcFaultProxy.start({
      upstream: net.validator.rpcUrl,
      upstreamWs: net.validator.wsUrl,
    });
    try {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(REPO_ROOT, 'migrations/deploy.ts'), '--dir', dir],
        {
          cwd: REPO_ROOT,
          env: { ...process.env, SOLANA_RPC_URL: proxy.url, SOLANA_WS_URL: proxy.wsUrl },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr.on('data', (d: Buffer) => (output += d.toString()));
      let code: number | null | undefined;
      const exited = new Promise((r) => child.once('exit', (c) => r((code = c))));
      await until(
        '40 transactions of the first run',
        () => {
          if (code !== undefined) throw new Error(`deploy exited (${code}) early:\n${output}`);
          return proxy.stats.sends.size >= 40;
        },
        400_000,
      );
      child.kill('SIGKILL');
      await exited;
      const resumed = deployCli(['--dir', dir]);
      expect(resumed.code, resumed.out).toBe(0);
      expect(resumed.out).toMatch(/resuming with buffer/);
      const written = /wrote (\d+) chunks/.exec(resumed.out);
      expect(Number(written?.[1])).toBeLessThan(230 - 30); // ~230 chunks in all, ~39 were written
      expect(resumed.out).toMatch(/done: \d+ transactions/);
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
        programs: Record<string, { id: string; upgradeAuthority: string | null }>;
      };
      for (const p of Object.values(manifest.programs)) {
        expect(p.upgradeAuthority).toBe(upgradeAuthority.toBase58());
        const pd = await net.chain.getAccountInfo(programDataAddress(new PublicKey(p.id)));
        const state = decodeLoaderV3State(pd!.data);
        expect(state.kind === 'programData' && state.authority?.equals(upgradeAuthority)).toBe(
          true,
        );
      }
      // Handed over: the programs are unchanged, so the payer has nothing to do.
      const again = deployCli(['--dir', dir]);
      expect(again.code, again.out).toBe(0);
      expect(again.out).toMatch(/nothing to do/);
    } finally {
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});

describe('bridge and oracle as processes over JSON-RPC', () => {
  /** The follower state a service logged at start (`msg`): devices and how it was built. */
  function loaded(service: ServiceProcess, msg: string) {
    const line = service.lines.find((l) => l.includes(`"msg":"${msg}"`));
    if (!line) throw new Error(`${service.name} logged no "${msg}"`);
    return JSON.parse(line) as {
      devices: number;
      backfill: { from: string; transactions: number };
    };
  }

  it("the bridge and the oracle started from the indexer's snapshot (INDEXER_URL) and know the devices", () => {
    for (const [service, msg] of [
      [net.bridge, 'device registry replayed'],
      [net.oracle, 'network replica loaded'],
    ] as const) {
      const state = loaded(service, msg);
      expect(state.backfill.from).toBe('snapshot');
      expect(state.devices).toBe(2);
      expect(service.lines.some((l) => l.includes('indexer snapshot not loaded'))).toBe(false);
    }
  });

  it('readings of both shipped models (windows of 16 and 48) become records; the tree account read over RPC has the replica root', async () => {
    // The deployment registered every shipped model with its shape; devices alternate.
    expect(net.manifest.models.map((m) => [m.id, m.window, m.classes])).toEqual([
      [1, 16, 4],
      [2, 48, 3],
    ]);
    expect(net.sim.devices.map((d) => d.model.modelId)).toEqual([1, 2]);
    for (const d of net.sim.devices)
      expect(net.follower.device(d.hex)?.leaf.modelId).toBe(d.model.modelId);
    const per = 3;
    for (let i = 0; i < per * net.sim.devices.length; i++) await net.sim.publishOne();
    const want = per * net.sim.devices.length;
    await until(`${want} records`, () => net.follower.records >= want);
    expect(await net.recordRootMatches()).toBe(true);
    for (const d of net.sim.devices)
      expect(net.follower.device(d.hex)?.leaf.seq.toString()).toBe(String(d.seq));
    const s = await net.summary();
    expect(s.deadLetters).toEqual({});
    expect(s.accepted).toBe(want);
  }, 300_000);

  it("the indexer process serves every device's records as the chain holds them, with checked proofs", async () => {
    const client = net.indexerClient;
    // Records spread over the deployment's record trees (shards): each one is one of them.
    const recordTrees = deploymentTrees(net.manifest).record.map((t) => t.address);
    expect(recordTrees.length).toBeGreaterThan(1);
    for (const d of net.sim.devices) {
      const device = new PublicKey(Buffer.from(d.hex, 'hex')).toBase58();
      // Every reading the devices sent is on-chain (the test before): seqs 1..d.seq.
      const want = Array.from({ length: Number(d.seq) }, (_, i) => String(i + 1));
      expect(want.length).toBeGreaterThan(0);
      for (const seq of want) expect(net.follower.isRecorded(d.hex, BigInt(seq))).toBe(true);
      let items: { seq: string; tree: string; leafHash: string }[] = [];
      await until(`the indexer to hold ${want.length} records of ${device}`, async () => {
        items = (await client.getRecordsByDevice({ device })).value.items;
        return items.length >= want.length;
      });
      expect(items.map((r) => r.seq)).toEqual(want);
      expect(items.every((r) => recordTrees.includes(r.tree))).toBe(true);
      // The client recomputes the leaf and the root, and compares the root with the one the
      // tree account read over RPC holds for rootSeq (it throws INDEXER_BAD_PROOF otherwise).
      const { value } = await client.getRecordProof({ device, seq: want[want.length - 1]! });
      expect(value.proof.treeId).toBe(items[items.length - 1]!.tree);
      expect(value.proof.leaf).toBe(items[items.length - 1]!.leafHash);
    }
    // Nothing is being written now: each of the indexer's record trees is the tree account's,
    // and together they hold every record.
    let leaves = 0;
    for (const recordTree of recordTrees) {
      const info = await net.chain.getAccountInfo(new PublicKey(recordTree));
      const tree = (await client.getTree({ tree: recordTree })).value;
      expect(tree.root).toBe(toHex(treeAccountRoot(info!.data)));
      leaves += tree.leafCount;
    }
    expect(leaves).toBe(net.follower.records);
    expect((await net.summary()).indexed).toBe(net.follower.records);
  }, 300_000);

  it('an oracle restarted after new registrations knows them from the chain and goes on', async () => {
    await net.oracle.stop();
    await net.sim.onboard(1); // registered while no oracle runs
    const newest = net.sim.devices[net.sim.devices.length - 1]!;
    await until('the follower to see the new device', () => !!net.follower.device(newest.hex));
    // The indexer does not answer (nothing listens there): the oracle says so and takes the
    // snapshot the first oracle saved in FOLLOWER_STATE as it stopped.
    const oracle = new ServiceProcess('oracle', 'oracle/src/main.ts', {
      ...net.oracleEnv,
      INDEXER_URL: `http://127.0.0.1:${await closedPort()}/`,
    });
    try {
      await oracle.start(/relayer started/);
      const fallback = oracle.lines.find((l) => l.includes('indexer snapshot not loaded'));
      const said = JSON.parse(fallback!) as { fallback: string; reason: string };
      expect(said.fallback).toBe(net.oracleEnv.FOLLOWER_STATE);
      expect(said.reason).toMatch(/did not answer: fetch failed/);
      const state = loaded(oracle, 'network replica loaded');
      expect(state.devices).toBe(net.sim.devices.length);
      // From the snapshot the first oracle saved as it stopped, plus what came after it.
      expect(state.backfill.from).toBe('snapshot');
      expect(state.backfill.transactions).toBeGreaterThanOrEqual(1);
      await net.sim.connect();
      const before = net.follower.records;
      // One reading from each device, the new one included (the bridge followed its
      // registration live while the oracle was down).
      for (let i = 0; i < net.sim.devices.length; i++) await net.sim.publishOne();
      await until('records from every device', () =>
        net.sim.devices.every(
          (d) => net.follower.device(d.hex)?.leaf.seq.toString() === String(d.seq),
        ),
      );
      expect(net.follower.records).toBeGreaterThan(before);
      expect(await net.recordRootMatches()).toBe(true);
      expect((await net.summary()).deadLetters).toEqual({});
    } finally {
      await oracle.stop();
    }
  }, 300_000);
});
