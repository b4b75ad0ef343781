/**
 * The relayer against a real JSON-RPC node (zkpin-validator, `startValidator()`) behind
 * `RpcFaultProxy`, one fault class of a cluster's RPC path per test, each through the real
 * relayer worker (real Redis, a real proof of the development prover). What each asserts is
 * read back from the chain over RPC: the record tree's sequence number (one per record), the
 * device's seq (the follower's replica, checked against the on-chain root), the signature
 * statuses of every version the proxy saw.
 *
 * Faults: the node unreachable before a send (recovered within the send) and right after a
 * broadcast (the send gives up; the reading is found on-chain, the job completes); 429 with
 * Retry-After and 503 bursts; 503 and reset connections that never stop (dead letter
 * RPC_UNAVAILABLE); a dropped sendTransaction answer (found by its signature status: recorded);
 * a broadcast that never lands (a fresh blockhash only after expiry, within one send and across
 * attempts); slow answers (request timeouts); WebSocket pass-through. And what is not a fault:
 * a program's refusal, in simulation or (its simulation's answer lost) on-chain, is a dead
 * letter at once.
 *
 * The programs sit at their fixed ids through surfpool's `surfnet_setAccount` cheatcode (the
 * program keys are not in the repository; migrations/ deploys per-deployment ids).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnchorProvider, Wallet } from '@coral-xyz/anchor';
import {
  Keypair,
  LAMPORTS_PER_SOL,
  PublicKey,
  SYSVAR_CLOCK_PUBKEY,
  SystemProgram,
  Transaction,
} from '@solana/web3.js';
import { Queue, type Job } from 'bullmq';
import {
  DEVICE_REGISTRY_PROGRAM_ID,
  INFERENCE_ATTESTATION_PROGRAM_ID,
  LOADER_V3_PROGRAM_ID,
  NetworkFollower,
  PROGRAMDATA_HEADER_BYTES,
  QUEUE_RELAY,
  RpcChain,
  bigIntToBytesBE,
  bjjKeyHashBytes,
  deadLetterReason,
  deviceRegistryProgram,
  isChainError,
  isTransientChainError,
  encodeVerifyingKey,
  fromHex,
  programDataAddress,
  readingJobId,
  registerDeviceInstructions,
  setUpNetwork,
  signReading,
  toHex,
  type DeviceKeys,
  type InFlightTransaction,
  type NetworkSetup,
  type RelayJob,
  type RpcSendOptions,
} from '@zkpin/sdk';
import { generateDeviceKeys } from '@zkpin/sdk/node';
import {
  RpcFaultProxy,
  programPath,
  startValidator,
  type LocalValidator,
  airdrop as localAirdrop,
} from '@zkpin/sdk/testing';
import { Prover, devProverArtifacts } from '@zkpin/oracle/prover';
import { createRelayer, type RelayResult } from '@zkpin/oracle/workers';
import {
  REDIS_URL,
  ensurePrograms,
  obliterate,
  randomPrefix,
  requireRedis,
  waitFor,
} from '@zkpin/oracle/test-support';

/** Short slots: a blockhash expires (150 blocks) in seconds, not a minute. */
const SLOT_MS = 40;
/** Budgets of the relayer's sends in these tests (the defaults are for clusters). */
const SEND: RpcSendOptions = {
  timeoutMs: 30_000,
  rebroadcastMs: 500,
  pollMs: 200,
  requestTimeoutMs: 2_000,
  unavailableBudgetMs: 10_000,
  backoffInitialMs: 100,
  backoffMaxMs: 1_000,
  maxResigns: 2,
};
const connection = { url: REDIS_URL };

let validator: LocalValidator;
let proxy: RpcFaultProxy;
let direct: RpcChain;
let follower: NetworkFollower;
let prover: Prover;
let setup: NetworkSetup;
let registry: ReturnType<typeof deviceRegistryProgram>;
/** Blocks a blockhash stays valid: `lastValidBlockHeight` = its block height + this. */
const BLOCKHASH_LIFETIME = 150;
/** The same, as measured at start (a read of the block height may trail by a block). */
let measuredLifetime: number;
const oracle = Keypair.generate();
const owner = Keypair.generate();
const closers: (() => Promise<unknown>)[] = [];

async function rpc<T>(method: string, params: unknown[]): Promise<T> {
  const res = await fetch(validator.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** A program at its fixed id: its ProgramData and program accounts, written by the cheatcode. */
async function placeProgram(id: PublicKey, name: string): Promise<void> {
  const elf = readFileSync(programPath(name));
  const programData = programDataAddress(id);
  const header = Buffer.alloc(PROGRAMDATA_HEADER_BYTES); // ProgramData, slot 0, no authority
  header.writeUInt32LE(3, 0);
  const account = Buffer.alloc(36); // Program { programdata_address }
  account.writeUInt32LE(2, 0);
  programData.toBuffer().copy(account, 4);
  for (const [address, data, executable] of [
    [programData, Buffer.concat([header, elf]), false],
    [id, account, true],
  ] as const) {
    await rpc('surfnet_setAccount', [
      address.toBase58(),
      {
        lamports: 10 * LAMPORTS_PER_SOL,
        data: data.toString('hex'),
        owner: LOADER_V3_PROGRAM_ID.toBase58(),
        executable,
      },
    ]);
  }
}

async function airdrop(to: PublicKey, sol: number): Promise<void> {
  await localAirdrop(direct.connection, to, sol);
}

/** A tree account's sequence_number (u64 after the 56-byte header): one per change. */
async function treeSequence(tree: PublicKey): Promise<bigint> {
  const info = await direct.getAccountInfo(tree);
  if (!info) throw new Error(`tree ${tree.toBase58()} not found`);
  return info.data.readBigUInt64LE(56);
}

interface TestDevice {
  keys: DeviceKeys;
  hex: string;
}

async function addDevice(): Promise<TestDevice> {
  const keys = await generateDeviceKeys();
  const ixs = await registerDeviceInstructions(registry, {
    network: setup.network,
    owner: owner.publicKey,
    maker: setup.maker,
    makerSigner: setup.makerKey,
    deviceSigner: keys.ed25519,
    bjjKeyHash: bjjKeyHashBytes(keys.babyJub.publicKey),
    modelId: setup.modelId,
    deviceTree: setup.deviceTree,
  });
  await direct.send(new Transaction().add(...ixs), [owner]);
  const hex = toHex(keys.ed25519.publicKey);
  await waitFor(() => follower.device(hex), 10_000, `the follower to see device ${hex}`);
  return { keys, hex };
}

/** The device's seq on-chain: the replica's leaf, once the replica's root is the chain's. */
async function seqOnChain(d: TestDevice): Promise<bigint> {
  await waitFor(
    () => follower.rootMatchesChain(setup.deviceTree),
    10_000,
    'the device tree replica to match the chain',
  );
  return BigInt(follower.device(d.hex)!.leaf.seq.toString());
}

/** The cluster clock (the Clock sysvar's unix_timestamp), which the program checks readings against. */
async function chainTime(): Promise<bigint> {
  const info = await direct.getAccountInfo(SYSVAR_CLOCK_PUBKEY);
  if (!info) throw new Error('no Clock sysvar');
  return info.data.readBigInt64LE(32);
}

/** A relay job for reading `seq` of `d`, proven by the development prover. */
async function relayPayload(d: TestDevice, seq: bigint): Promise<RelayJob> {
  const reading = signReading(d.keys, {
    network: setup.network.toBytes(),
    seq,
    timestamp: await chainTime(),
    modelId: setup.modelId,
    readings: [3, 5, 2, 4, 6, 3, 5, 4, 3, 2, 4, 5, 3, 4, 70, 3],
    salt: new Uint8Array(32).fill(Number(seq % 256n)),
  });
  const a = await prover.prove(reading);
  return {
    device: d.hex,
    seq: seq.toString(),
    modelId: a.fields.modelId,
    timestamp: a.fields.timestamp.toString(),
    inputCommitment: toHex(bigIntToBytesBE(a.fields.inputCommitment, 32)),
    class: a.fields.class,
    score: a.fields.score.toString(),
    proof: toHex(a.proofBytes),
    acceptedAt: Date.now(),
    prevSeq: null,
  };
}

/** A relay queue and a relayer on a fresh prefix, sending through the proxy with `send`. */
function pipeline(send: RpcSendOptions = SEND) {
  const prefix = randomPrefix();
  const relayQueue = new Queue(QUEUE_RELAY, { connection, prefix });
  const chain = new RpcChain(proxy.url, { wsUrl: validator.wsUrl, send });
  const relayer = createRelayer({
    connection,
    prefix,
    chain,
    follower,
    submitter: oracle,
    setup: { network: setup.network, recordTree: setup.recordTree },
  });
  /** Every version the relayer signed, in order (the job's progress). */
  const versions: InFlightTransaction[] = [];
  relayer.worker.on('progress', (_job, p) => {
    const v = (p as { inFlight?: InFlightTransaction }).inFlight;
    if (v) versions.push(v);
  });
  closers.push(async () => {
    await relayer.close();
    await relayQueue.close();
    await chain.close();
    await obliterate(connection, prefix);
  });
  return { relayQueue, versions };
}

async function settled(q: Queue, id: string, timeoutMs = 90_000): Promise<Job> {
  await waitFor(
    async () => {
      const s = await (await q.getJob(id))?.getState();
      return s === 'completed' || s === 'failed';
    },
    timeoutMs,
    `job ${id} to settle`,
  );
  return (await q.getJob(id))!;
}

/** Signatures the proxy saw in `sendTransaction` requests, oldest first. */
const sentSignatures = () => [...proxy.stats.sends.keys()];

async function landed(signature: string): Promise<boolean> {
  const { value } = await direct.connection.getSignatureStatuses([signature], {
    searchTransactionHistory: true,
  });
  return value[0] != null && value[0].err === null;
}

function figures(test: string, o: Record<string, unknown>): void {
  console.log(JSON.stringify({ test, ...o }));
}

beforeAll(async () => {
  await requireRedis();
  ensurePrograms();
  const artifacts = await devProverArtifacts(1);
  prover = await Prover.create(artifacts);
  validator = await startValidator({ slotMs: SLOT_MS });
  direct = new RpcChain(validator.rpcUrl, { wsUrl: validator.wsUrl });
  await placeProgram(DEVICE_REGISTRY_PROGRAM_ID, 'device_registry');
  await placeProgram(INFERENCE_ATTESTATION_PROGRAM_ID, 'inference_attestation');
  const authority = Keypair.generate();
  for (const k of [authority, oracle, owner]) await airdrop(k.publicKey, 100);
  registry = deviceRegistryProgram(
    new AnchorProvider(direct.connection, new Wallet(authority), { commitment: 'confirmed' }),
  );
  setup = await setUpNetwork(registry, {
    authority,
    oracles: [oracle.publicKey],
    verifyingKey: encodeVerifyingKey(artifacts.vk),
    onnxSha256: fromHex(artifacts.onnxSha256),
    modelId: artifacts.modelId,
  });
  follower = new NetworkFollower(direct, setup.network).start();
  await follower.ready;
  proxy = await RpcFaultProxy.start({ upstream: validator.rpcUrl, upstreamWs: validator.wsUrl });
  const { value } = await rpc<{ value: { lastValidBlockHeight: number } }>('getLatestBlockhash', [
    { commitment: 'confirmed' },
  ]);
  const height = await rpc<number>('getBlockHeight', [{ commitment: 'confirmed' }]);
  measuredLifetime = value.lastValidBlockHeight - height;
  expect(measuredLifetime).toBeGreaterThanOrEqual(BLOCKHASH_LIFETIME);
  expect(measuredLifetime).toBeLessThanOrEqual(BLOCKHASH_LIFETIME + 2);
}, 600_000);

afterAll(async () => {
  for (const c of closers.reverse()) await c().catch(() => undefined);
  await follower?.stop();
  await direct?.close();
  await proxy?.close();
  await validator?.stop();
  prover?.close();
});

describe('relayer through RPC faults (zkpin-validator behind RpcFaultProxy)', () => {
  it('the node unreachable for 3 s before the send: retried within the send, recorded once', async () => {
    const d = await addDevice();
    const payload = await relayPayload(d, 1n);
    const p = pipeline();
    proxy.resetStats();
    const records = await treeSequence(setup.recordTree);
    await proxy.down(3_000);
    const downAt = Date.now();
    const id = readingJobId(d.hex, 1n);
    await p.relayQueue.add(QUEUE_RELAY, payload, { jobId: id, attempts: 3 });
    const job = await settled(p.relayQueue, id);
    const r = job.returnvalue as RelayResult;
    expect(r).toMatchObject({ outcome: 'recorded' });
    // BullMQ counts the attempt that completed: one attempt, recovered within the send.
    expect(job.attemptsMade).toBe(1);
    expect(r.delivery?.rpcRetries).toBeGreaterThan(0);
    expect(r.delivery?.versions).toBe(1);
    expect(proxy.stats.sends.size).toBe(1);
    expect(await landed(r.signature!)).toBe(true);
    expect((await treeSequence(setup.recordTree)) - records).toBe(1n);
    expect(await seqOnChain(d)).toBe(1n);
    figures('down-before-send', {
      outage_ms: 3_000,
      recorded_after_outage_start_ms: job.finishedOn! - downAt,
      recorded_after_outage_end_ms: job.finishedOn! - downAt - 3_000,
      rpc_retries: r.delivery?.rpcRetries,
    });
  }, 180_000);

  it('the node unreachable right after the broadcast: the send gives up, the reading is found on-chain, one transaction, never dead-lettered', async () => {
    const d = await addDevice();
    const payload = await relayPayload(d, 1n);
    const p = pipeline({ ...SEND, unavailableBudgetMs: 1_500 });
    proxy.resetStats();
    const records = await treeSequence(setup.recordTree);
    // The broadcast is forwarded (it lands); its answer and everything after it are cut.
    let downAt = 0;
    const off = proxy.onForwarded((method) => {
      if (method !== 'sendTransaction' || downAt) return;
      downAt = Date.now();
      void proxy.down(4_000);
    });
    const id = readingJobId(d.hex, 1n);
    await p.relayQueue.add(QUEUE_RELAY, payload, {
      jobId: id,
      attempts: 8,
      backoff: { type: 'fixed', delay: 500 },
    });
    const job = await settled(p.relayQueue, id);
    off();
    await proxy.up();
    expect(await job.getState()).toBe('completed');
    // The follower saw the record: the job completes as already recorded, naming its transaction.
    expect(job.returnvalue).toEqual({ outcome: 'already_recorded' });
    const { logs } = await p.relayQueue.getJobLogs(id);
    expect(logs.some((l) => l.startsWith('send failed: CHAIN_RPC_UNAVAILABLE'))).toBe(true);
    const [only] = sentSignatures();
    expect(sentSignatures()).toHaveLength(1);
    expect(p.versions.map((v) => v.signature)).toEqual([only]);
    expect(logs.some((l) => l.includes(`the last version this job signed: ${only}`))).toBe(true);
    expect(await landed(only!)).toBe(true);
    expect((await treeSequence(setup.recordTree)) - records).toBe(1n);
    expect(await seqOnChain(d)).toBe(1n);
    figures('down-after-broadcast', {
      outage_ms: 4_000,
      attempts: job.attemptsMade,
      settled_after_outage_start_ms: job.finishedOn! - downAt,
    });
  }, 180_000);

  it('429 (Retry-After 1 s) and 503 bursts: retried with backoff, recorded once', async () => {
    const d = await addDevice();
    const payload = await relayPayload(d, 1n);
    const p = pipeline();
    proxy.resetStats();
    const records = await treeSequence(setup.recordTree);
    proxy.httpError({ status: 429, retryAfterS: 1, count: 3 });
    proxy.httpError({ status: 503, count: 4 });
    const id = readingJobId(d.hex, 1n);
    const started = Date.now();
    await p.relayQueue.add(QUEUE_RELAY, payload, { jobId: id, attempts: 3 });
    const job = await settled(p.relayQueue, id);
    proxy.clear();
    const r = job.returnvalue as RelayResult;
    expect(r).toMatchObject({ outcome: 'recorded' });
    expect(job.attemptsMade).toBe(1); // one attempt
    expect(proxy.stats.injected).toMatchObject({ http_429: 3, http_503: 4 });
    // Every injected fault was one retry of the send path (nothing else goes through it).
    expect(r.delivery?.rpcRetries).toBe(7);
    // Retry-After was honoured: three 429s cost at least three seconds.
    expect(job.finishedOn! - started).toBeGreaterThanOrEqual(3_000);
    expect((await treeSequence(setup.recordTree)) - records).toBe(1n);
    expect(await seqOnChain(d)).toBe(1n);
    figures('429-503-burst', {
      injected: proxy.stats.injected,
      rpc_retries: r.delivery?.rpcRetries,
      relay_ms: r.relayMs,
    });
  }, 180_000);

  it('faults that never stop (503 on sendTransaction; reset connections): dead letters RPC_UNAVAILABLE after their attempts, nothing recorded', async () => {
    const d503 = await addDevice();
    const dReset = await addDevice();
    const payloads = [await relayPayload(d503, 1n), await relayPayload(dReset, 1n)];
    const p = pipeline({ ...SEND, unavailableBudgetMs: 1_500 });
    proxy.resetStats();
    const records = await treeSequence(setup.recordTree);

    proxy.httpError({ status: 503, methods: ['sendTransaction'] });
    const id503 = readingJobId(d503.hex, 1n);
    await p.relayQueue.add(QUEUE_RELAY, payloads[0], {
      jobId: id503,
      attempts: 3,
      backoff: { type: 'fixed', delay: 200 },
    });
    const dead503 = await settled(p.relayQueue, id503);
    proxy.clear();

    await proxy.down(undefined, 'reset');
    const idReset = readingJobId(dReset.hex, 1n);
    await p.relayQueue.add(QUEUE_RELAY, payloads[1], {
      jobId: idReset,
      attempts: 3,
      backoff: { type: 'fixed', delay: 200 },
    });
    const deadReset = await settled(p.relayQueue, idReset);
    await proxy.up();

    for (const dead of [dead503, deadReset]) {
      expect(await dead.getState()).toBe('failed');
      expect(dead.attemptsMade).toBe(3);
      expect(deadLetterReason(dead.failedReason)).toBe('RPC_UNAVAILABLE');
      expect(dead.failedReason).toMatch(/^RPC_UNAVAILABLE: 3 attempts; last error: chain: /);
    }
    expect(dead503.failedReason).toMatch(
      /CHAIN_RPC_UNAVAILABLE: JSON-RPC sendTransaction: HTTP 503/,
    );
    expect(deadReset.failedReason).toMatch(/CHAIN_RPC_UNAVAILABLE: JSON-RPC getLatestBlockhash/);
    // Nothing reached the node, and nothing was recorded.
    for (const sig of sentSignatures()) expect(proxy.sendsOf(sig).forwarded).toBe(0);
    expect(await treeSequence(setup.recordTree)).toBe(records);
    expect(await seqOnChain(d503)).toBe(0n);
    expect(await seqOnChain(dReset)).toBe(0n);
    figures('persistent-faults', {
      injected: proxy.stats.injected,
      dead_letter_503: dead503.failedReason,
      dead_letter_reset: deadReset.failedReason,
    });
  }, 180_000);

  it('a dropped sendTransaction answer: the transaction landed, it is reported recorded, once', async () => {
    const d = await addDevice();
    const payload = await relayPayload(d, 1n);
    const p = pipeline();
    proxy.resetStats();
    const records = await treeSequence(setup.recordTree);
    proxy.dropResponse({ count: 1 });
    const id = readingJobId(d.hex, 1n);
    await p.relayQueue.add(QUEUE_RELAY, payload, { jobId: id, attempts: 3 });
    const job = await settled(p.relayQueue, id);
    proxy.clear();
    const r = job.returnvalue as RelayResult;
    expect(r).toMatchObject({ outcome: 'recorded' });
    expect(job.attemptsMade).toBe(1); // one attempt
    expect(sentSignatures()).toEqual([r.signature]);
    expect(proxy.sendsOf(r.signature!).dropped).toBe(1);
    expect(r.delivery?.versions).toBe(1);
    expect(await landed(r.signature!)).toBe(true);
    expect((await treeSequence(setup.recordTree)) - records).toBe(1n);
    expect(await seqOnChain(d)).toBe(1n);
    figures('dropped-answer', { delivery: r.delivery, relay_ms: r.relayMs });
  }, 180_000);

  it("a program's refusal is an answer, not a fault: dead-lettered at once with its name, in simulation or on-chain", async () => {
    const dSim = await addDevice();
    const dChain = await addDevice();
    const p = pipeline();
    proxy.resetStats();
    const records = await treeSequence(setup.recordTree);
    // A proof of another reading: the verifier refuses it.
    const forged = async (d: TestDevice) => {
      const payload = await relayPayload(d, 1n);
      return { ...payload, score: (BigInt(payload.score) + 1n).toString() };
    };

    // Refused in simulation: nothing forwarded, one request.
    const idSim = readingJobId(dSim.hex, 1n);
    await p.relayQueue.add(QUEUE_RELAY, await forged(dSim), { jobId: idSim, attempts: 3 });
    const deadSim = await settled(p.relayQueue, idSim);
    const [simSig] = sentSignatures();
    expect(proxy.sendsOf(simSig!)).toMatchObject({ forwarded: 1, dropped: 0 });

    // The simulation's answer lost: the re-broadcast goes without simulation, the transaction
    // fails on-chain, and its status and logs say why.
    proxy.dropResponse({ count: 1 });
    const idChain = readingJobId(dChain.hex, 1n);
    await p.relayQueue.add(QUEUE_RELAY, await forged(dChain), { jobId: idChain, attempts: 3 });
    const deadChain = await settled(p.relayQueue, idChain);
    proxy.clear();
    const chainSig = sentSignatures()[1]!;
    expect(proxy.sendsOf(chainSig).dropped).toBe(1);
    expect(proxy.sendsOf(chainSig).forwarded).toBeGreaterThanOrEqual(2);

    for (const dead of [deadSim, deadChain]) {
      expect(await dead.getState()).toBe('failed');
      expect(dead.attemptsMade).toBe(1); // at once
      expect(deadLetterReason(dead.failedReason)).toBe('PROGRAM_REJECTED');
      expect(dead.failedReason).toMatch(/^PROGRAM_REJECTED: inference_attestation: InvalidProof/);
    }
    const { value } = await direct.connection.getSignatureStatuses([chainSig], {
      searchTransactionHistory: true,
    });
    expect(value[0]?.err).not.toBeNull(); // it ran, and failed
    expect(await treeSequence(setup.recordTree)).toBe(records);
    expect(await seqOnChain(dSim)).toBe(0n);
    expect(await seqOnChain(dChain)).toBe(0n);
  }, 180_000);

  it('a broadcast that never lands: signed again with a fresh blockhash only after the first expired, recorded once', async () => {
    const d = await addDevice();
    const payload = await relayPayload(d, 1n);
    const p = pipeline();
    proxy.resetStats();
    const records = await treeSequence(setup.recordTree);
    proxy.withhold({ transactions: 1 });
    const id = readingJobId(d.hex, 1n);
    await p.relayQueue.add(QUEUE_RELAY, payload, { jobId: id, attempts: 3 });
    const job = await settled(p.relayQueue, id);
    proxy.clear();
    const r = job.returnvalue as RelayResult;
    expect(r).toMatchObject({ outcome: 'recorded' });
    expect(r.delivery?.versions).toBe(2);
    const [first, second] = p.versions;
    expect(p.versions).toHaveLength(2);
    expect(sentSignatures()).toEqual([first!.signature, second!.signature]);
    expect(proxy.sendsOf(first!.signature)).toMatchObject({ forwarded: 0 });
    expect(proxy.sendsOf(first!.signature).withheld).toBeGreaterThanOrEqual(2); // re-broadcast
    expect(r.signature).toBe(second!.signature);
    // The second blockhash was fetched after the first one's last valid block height.
    expect(second!.lastValidBlockHeight - BLOCKHASH_LIFETIME).toBeGreaterThan(
      first!.lastValidBlockHeight,
    );
    expect(await landed(first!.signature)).toBe(false);
    expect(await landed(second!.signature)).toBe(true);
    expect((await treeSequence(setup.recordTree)) - records).toBe(1n);
    expect(await seqOnChain(d)).toBe(1n);
    figures('blockhash-expired', {
      slot_ms: SLOT_MS,
      blockhash_lifetime_blocks: measuredLifetime,
      withheld_broadcasts: proxy.sendsOf(first!.signature).withheld,
      delivery: r.delivery,
    });
  }, 180_000);

  it('a broadcast that never lands, then an outage: the next attempt follows that version to its expiry before it signs another', async () => {
    const d = await addDevice();
    const payload = await relayPayload(d, 1n);
    const p = pipeline({ ...SEND, unavailableBudgetMs: 1_000 });
    proxy.resetStats();
    const records = await treeSequence(setup.recordTree);
    proxy.withhold({ transactions: 1 });
    let downAt = 0;
    const off = proxy.onForwarded((method) => {
      if (method !== 'getSignatureStatuses' || downAt || proxy.stats.sends.size === 0) return;
      downAt = Date.now();
      void proxy.down(2_000);
    });
    const id = readingJobId(d.hex, 1n);
    await p.relayQueue.add(QUEUE_RELAY, payload, {
      jobId: id,
      attempts: 8,
      backoff: { type: 'fixed', delay: 500 },
    });
    const job = await settled(p.relayQueue, id);
    off();
    proxy.clear();
    const r = job.returnvalue as RelayResult;
    expect(r).toMatchObject({ outcome: 'recorded' });
    expect(job.attemptsMade).toBeGreaterThanOrEqual(2); // the first one gave up
    expect(r.delivery).toMatchObject({ resumed: true, versions: 1 });
    const [first, second] = p.versions;
    expect(p.versions).toHaveLength(2);
    expect(proxy.sendsOf(first!.signature).forwarded).toBe(0);
    expect(r.signature).toBe(second!.signature);
    expect(second!.lastValidBlockHeight - BLOCKHASH_LIFETIME).toBeGreaterThan(
      first!.lastValidBlockHeight,
    );
    expect(await landed(second!.signature)).toBe(true);
    expect((await treeSequence(setup.recordTree)) - records).toBe(1n);
    expect(await seqOnChain(d)).toBe(1n);
    figures('expiry-across-attempts', { attempts: job.attemptsMade, delivery: r.delivery });
  }, 180_000);
});

describe('RpcChain through the proxy', () => {
  it('WebSocket subscriptions pass through unchanged', async () => {
    const chain = new RpcChain(proxy.url, { wsUrl: proxy.wsUrl, send: SEND });
    closers.push(() => chain.close());
    const payer = Keypair.generate();
    await airdrop(payer.publicKey, 1);
    const seen: string[] = [];
    const off = chain.onTransaction(payer.publicKey, (tx) => seen.push(tx.signature));
    await new Promise((r) => setTimeout(r, 500)); // the subscription is made
    const r = await chain.send(
      new Transaction().add(
        SystemProgram.transfer({
          fromPubkey: payer.publicKey,
          toPubkey: Keypair.generate().publicKey,
          lamports: 1_000_000,
        }),
      ),
      [payer],
    );
    await waitFor(() => seen.includes(r.signature), 10_000, 'the logsSubscribe notification');
    off();
  }, 60_000);

  it('a confirmation timeout is a transient ChainError; the next call follows the same version (inFlight) to its expiry, then signs one more', async () => {
    const chain = new RpcChain(proxy.url, {
      wsUrl: validator.wsUrl,
      send: { ...SEND, timeoutMs: 1_500 },
    });
    closers.push(() => chain.close());
    proxy.resetStats();
    proxy.withhold({ transactions: 1 });
    const to = Keypair.generate().publicKey;
    const transfer = () =>
      new Transaction().add(
        SystemProgram.transfer({ fromPubkey: owner.publicKey, toPubkey: to, lamports: 2_000_000 }),
      );
    const signed: InFlightTransaction[] = [];
    const onSigned = (v: InFlightTransaction) => void signed.push(v);
    const e = await chain.send(transfer(), [owner], { onSigned }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isChainError(e) && e.code).toBe('CHAIN_CONFIRM_TIMEOUT');
    expect(isTransientChainError(e)).toBe(true);
    expect(signed).toHaveLength(1);
    // The next call: no timeout, the same version first.
    const r = await chain.send(transfer(), [owner], {
      inFlight: signed[0],
      onSigned,
      untilSettled: true,
    });
    proxy.clear();
    expect(r.delivery).toMatchObject({ resumed: true, versions: 1 });
    expect(signed).toHaveLength(2);
    expect(sentSignatures()).toEqual(signed.map((v) => v.signature));
    expect(proxy.sendsOf(signed[0]!.signature).forwarded).toBe(0);
    expect(r.signature).toBe(signed[1]!.signature);
    expect(signed[1]!.lastValidBlockHeight - BLOCKHASH_LIFETIME).toBeGreaterThan(
      signed[0]!.lastValidBlockHeight,
    );
    expect(await direct.connection.getBalance(to)).toBe(2_000_000);
  }, 60_000);

  it('a status answer slower than the request timeout is a fault: retried, the transfer lands once', async () => {
    const chain = new RpcChain(proxy.url, {
      wsUrl: validator.wsUrl,
      send: { ...SEND, requestTimeoutMs: 1_000 },
    });
    closers.push(() => chain.close());
    proxy.resetStats();
    proxy.delay({ ms: 3_000, methods: ['getSignatureStatuses'], count: 2 });
    const to = Keypair.generate().publicKey;
    const r = await chain.send(
      new Transaction().add(
        SystemProgram.transfer({ fromPubkey: owner.publicKey, toPubkey: to, lamports: 1_000_000 }),
      ),
      [owner],
    );
    proxy.clear();
    expect(proxy.stats.injected.delay).toBe(2);
    expect(r.delivery?.rpcRetries).toBeGreaterThanOrEqual(2);
    expect(sentSignatures()).toEqual([r.signature]);
    expect(await direct.connection.getBalance(to)).toBe(1_000_000);
  }, 60_000);
});
