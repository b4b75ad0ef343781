/**
 * The indexer's JSON-RPC 2.0 API, once for both sides: the zod schemas of every method's
 * params and result (the indexer validates requests with them, the client its answers), the
 * error codes, and `IndexerClient`, a typed client over `fetch` that checks every Merkle
 * proof it receives (the leaf recomputed from the returned data, the path up to the root)
 * and, given a chain, the root against the tree account's changelog. Isomorphic: no Node
 * builtins.
 *
 * Conventions: public keys base58; hashes and bytes lower-case hex; u64/i64 values (seq,
 * tree sequence numbers, timestamps, scores) decimal strings; slots and u32 numbers. Every
 * answer is `{ context: { slot, finalizedSlot }, value }`: `slot` is the slot the indexer had
 * applied every `confirmed` transaction of the network up to when it answered;
 * `finalizedSlot` the slot up to which those transactions were found `finalized` by the
 * cluster. Data of a slot at or before `finalizedSlot` (each device, record, attestation and
 * signature names its `slot`) cannot be rolled back; later data is `confirmed` only, and
 * `isFinal` tells which.
 */
import { PublicKey } from '@solana/web3.js';
import BN from 'bn.js';
import { z } from 'zod';
import { recordLeafHash } from './attestation.ts';
import { fromHex, toHex } from './field.ts';
import { followerSnapshotSchema } from './follower-snapshot.ts';
import { hashPair } from './merkle-replica.ts';
import { deviceLeafHash, type DeviceLeaf } from './registry-client.ts';
import { treeAccountRootAt } from './tree-account.ts';
import { MAX_CLASSES, MAX_WINDOW, MIN_CLASSES } from './model-shape.ts';

/** JSON-RPC error codes the indexer answers with (stable: never renumbered). */
export const INDEXER_ERROR_CODES = {
  PARSE_ERROR: -32700,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMS: -32602,
  INTERNAL_ERROR: -32603,
  /** The device, record, attestation or tree is not known to the indexer. */
  NOT_FOUND: -32001,
  /** `minContextSlot` was not reached within the wait; retry later. */
  MIN_CONTEXT_SLOT_NOT_REACHED: -32002,
  /** The batch holds more requests than `maxBatch`. */
  BATCH_TOO_LARGE: -32003,
  /** The request body is larger than the limit (HTTP 413). */
  REQUEST_TOO_LARGE: -32004,
  /** The indexer's replica of the tree is not in step with the chain: no proof is served. */
  TREE_NOT_IN_SYNC: -32005,
  /** The client sent more requests than its rate limit allows (HTTP 429, `Retry-After`). */
  RATE_LIMITED: -32006,
} as const;

export const MAX_PAGE_LIMIT = 1000;
/** Most keys one call of getDevices, getDeviceProofs or getRecordProofs takes. */
export const MAX_KEYS_PER_CALL = 100;

const base58 = z
  .string()
  .regex(/^[1-9A-HJ-NP-Za-km-z]{32,44}$/, 'a base58 public key')
  .refine((s) => {
    try {
      return new PublicKey(s).toBase58() === s;
    } catch {
      return false;
    }
  }, 'a base58 public key');
const hex = (bytes: number) =>
  z.string().regex(new RegExp(`^[0-9a-f]{${bytes * 2}}$`), `${bytes} bytes of lower-case hex`);
const u64 = z.string().regex(/^(0|[1-9][0-9]{0,19})$/, 'a decimal u64');
const i64 = z.string().regex(/^(0|-?[1-9][0-9]{0,18})$/, 'a decimal i64');
const u32 = z.number().int().min(0).max(0xffff_ffff);
const slot = z.number().int().min(0);

const common = { minContextSlot: slot.optional() };

export const deviceSchema = z.strictObject({
  device: base58,
  network: base58,
  tree: base58,
  leafIndex: u32,
  treeSeq: u64,
  owner: base58,
  maker: base58,
  bjjKeyHash: hex(32),
  modelId: u32,
  seq: u64,
  status: z.number().int(),
  /** keccak256 of the DeviceLeafV0 bytes. */
  leafHash: hex(32),
  slot,
  signature: z.string(),
  /**
   * The device's newest record (highest seq): its reading's timestamp (unix seconds) and the
   * slot it was recorded in; null while the device has no record. Not part of the leaf.
   */
  lastRecordTimestamp: i64.nullable(),
  lastRecordSlot: slot.nullable(),
});
export type IndexedDevice = z.infer<typeof deviceSchema>;
/** The fields of an indexed device that its leaf (and leaf hash) is built from. */
export type IndexedDeviceLeafFields = Pick<
  IndexedDevice,
  'device' | 'network' | 'owner' | 'maker' | 'bjjKeyHash' | 'modelId' | 'seq' | 'status'
>;

export const recordSchema = z.strictObject({
  tree: base58,
  leafIndex: u32,
  treeSeq: u64,
  device: base58,
  seq: u64,
  modelId: u32,
  timestamp: i64,
  class: z.number().int().min(0).max(255),
  score: i64,
  inputCommitment: hex(32),
  publicInput: hex(32),
  /** keccak256 of the RecordLeafV0 bytes. */
  leafHash: hex(32),
  slot,
  signature: z.string(),
});
export type IndexedRecord = z.infer<typeof recordSchema>;

/** A model of the network (getModels): its `ModelRegistered` event and model account. */
export const modelSchema = z.strictObject({
  /** The Model account (PDA `["model", network, model_id LE]`). */
  address: base58,
  network: base58,
  modelId: u32,
  version: u32,
  onnxSha256: hex(32),
  circuitSha256: hex(32),
  /** sha256 of its 576-byte verifying key (null: the account could not be read). */
  vkHash: hex(32).nullable(),
  /** Readings per inference, 1..MAX_WINDOW (null: indexed before the event carried it). */
  window: z.number().int().min(1).max(MAX_WINDOW).nullable(),
  /** Number of classes (null: indexed before the event carried it). */
  classes: z.number().int().min(MIN_CLASSES).max(MAX_CLASSES).nullable(),
  active: z.boolean(),
  /** The registering transaction. */
  slot,
  signature: z.string(),
});
export type IndexedModel = z.infer<typeof modelSchema>;

export const attestationSchema = z.strictObject({
  recordTree: base58,
  recordIndex: u32,
  device: base58,
  modelId: u32,
  /** The model account and sha256 of its 576-byte verifying key (null: not read). */
  model: base58.nullable(),
  vkHash: hex(32).nullable(),
  seq: u64,
  timestamp: i64,
  class: z.number().int().min(0).max(255),
  score: i64,
  inputCommitment: hex(32),
  publicInput: hex(32),
  /** 256 bytes: A || B || C as submit_attestation took them (docs/contracts.md). */
  proof: hex(256),
  submitter: base58,
  deviceLeafIndex: u32,
  deviceRoot: hex(32),
  slot,
  signature: z.string(),
});
export type IndexedAttestation = z.infer<typeof attestationSchema>;

export const treeSchema = z.strictObject({
  address: base58,
  network: base58,
  kind: z.enum(['device', 'record']),
  number: u32,
  maxDepth: z.number().int(),
  maxBufferSize: z.number().int(),
  canopyDepth: z.number().int(),
  /** The tree's sequence number after the last change applied, and the root after it. */
  seq: u64,
  root: hex(32),
  /** Leaves written (the next append index). */
  leafCount: z.number().int().min(0),
});
export type IndexedTree = z.infer<typeof treeSchema>;

/** A transaction that touched a device (getSignaturesForDevice). */
export const deviceSignatureSchema = z.strictObject({ signature: z.string(), slot });
export type DeviceSignature = z.infer<typeof deviceSignatureSchema>;

export const merkleProofSchema = z.strictObject({
  treeId: base58,
  leafIndex: u32,
  leaf: hex(32),
  root: hex(32),
  /** The tree's sequence number `root` is the root after. */
  rootSeq: u64,
  maxDepth: z.number().int().min(1).max(30),
  canopyDepth: z.number().int().min(0),
  /** Sibling nodes from the leaf upwards: the full path (maxDepth nodes). */
  proof: z.array(hex(32)),
  /** The path without the canopy's levels: what the programs take as remaining accounts. */
  proofWithoutCanopy: z.array(hex(32)),
});
export type MerkleProofValue = z.infer<typeof merkleProofSchema>;

/**
 * A page: `cursor` continues after its last item (present whenever the page has items; an
 * empty page gives back the cursor it was asked with, so a client can poll for items appended
 * later). A page with fewer than `limit` items is the end of the list for now.
 */
const page = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), cursor: z.string().nullable() });

/** Params and result of every method. */
export const indexerMethods = {
  getDevice: { params: z.strictObject({ device: base58, ...common }), result: deviceSchema },
  getDevicesByOwner: {
    params: z.strictObject({
      owner: base58,
      cursor: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
      ...common,
    }),
    result: page(deviceSchema),
  },
  getDeviceProof: {
    params: z.strictObject({ device: base58, ...common }),
    result: z.strictObject({ device: deviceSchema, proof: merkleProofSchema }),
  },
  getRecord: {
    params: z.strictObject({ device: base58, seq: u64, ...common }),
    result: recordSchema,
  },
  getRecordsByDevice: {
    params: z.strictObject({
      device: base58,
      cursor: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
      order: z.enum(['asc', 'desc']).optional(),
      /** Unix seconds, inclusive. */
      fromTimestamp: i64.optional(),
      /** Unix seconds, exclusive. */
      toTimestamp: i64.optional(),
      class: z.number().int().min(0).max(255).optional(),
      ...common,
    }),
    result: page(recordSchema),
  },
  getRecordProof: {
    params: z.strictObject({ device: base58, seq: u64, ...common }),
    result: z.strictObject({ record: recordSchema, proof: merkleProofSchema }),
  },
  getAttestation: {
    params: z.strictObject({ device: base58, seq: u64, ...common }),
    result: attestationSchema,
  },
  getTree: { params: z.strictObject({ tree: base58, ...common }), result: treeSchema },
  getDevices: {
    params: z.strictObject({
      devices: z.array(base58).min(1).max(MAX_KEYS_PER_CALL),
      ...common,
    }),
    /** In the order asked; null for a device the indexer does not know. */
    result: z.array(deviceSchema.nullable()),
  },
  getDevicesByMaker: {
    params: z.strictObject({
      /** The Maker account (the leaves' `maker`). */
      maker: base58,
      cursor: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
      ...common,
    }),
    result: page(deviceSchema),
  },
  getDeviceProofs: {
    params: z.strictObject({
      devices: z.array(base58).min(1).max(MAX_KEYS_PER_CALL),
      ...common,
    }),
    result: z.array(z.strictObject({ device: deviceSchema, proof: merkleProofSchema }).nullable()),
  },
  getRecordProofs: {
    params: z.strictObject({
      records: z
        .array(z.strictObject({ device: base58, seq: u64 }))
        .min(1)
        .max(MAX_KEYS_PER_CALL),
      ...common,
    }),
    result: z.array(z.strictObject({ record: recordSchema, proof: merkleProofSchema }).nullable()),
  },
  getSignaturesForDevice: {
    params: z.strictObject({
      device: base58,
      cursor: z.string().max(200).optional(),
      limit: z.number().int().min(1).max(MAX_PAGE_LIMIT).optional(),
      /** `asc` (default): oldest first. */
      order: z.enum(['asc', 'desc']).optional(),
      ...common,
    }),
    /** Registration, transfers, revocation, records and attestations, in the chain's order. */
    result: page(deviceSignatureSchema),
  },
  getTrees: { params: z.strictObject({ ...common }), result: z.array(treeSchema) },
  /** Every model of the network, by model id, with its shape (window, classes). */
  getModels: { params: z.strictObject({ ...common }), result: z.array(modelSchema) },
  getNetworkSnapshot: {
    params: z.strictObject({ ...common }),
    /**
     * What a `NetworkFollower` restores instead of reading the network's history: a
     * `FollowerSnapshot` (follower-snapshot.ts) of one instant of the indexer's state (every
     * tree's leaves and seq, every device's leaf, each device's recent recorded seqs, the
     * newest transaction applied as `cursor`). Untrusted: the follower checks it against the
     * chain. One answer (no pages); about 300 bytes per device and 45 per record-tree leaf.
     */
    result: followerSnapshotSchema,
  },
  getIndexerSlot: { params: z.strictObject({ ...common }), result: slot },
  getIndexerHealth: {
    params: z.strictObject({ ...common }),
    result: z.strictObject({
      status: z.enum(['ok', 'behind', 'starting', 'failed']),
      indexerSlot: slot,
      chainSlot: slot.nullable(),
      lagSlots: z.number().int().nullable(),
      /** Every applied transaction at or before it was found finalized by the cluster. */
      finalizedSlot: slot,
      maxLagSlots: z.number().int(),
      /** Why the indexer is not ok (a failed root check, a gap it could not repair). */
      reason: z.string().nullable(),
      /**
       * The start's backfill while it is under way (status `starting`; data methods answer
       * meanwhile with what is applied, `context.slot` says how far); null once applied.
       */
      backfill: z
        .strictObject({
          /** Transactions the history after the cursor held (0 until they are listed). */
          total: z.number().int().min(0),
          /** Of those, how many are applied. */
          applied: z.number().int().min(0),
          startedAt: z.iso.datetime(),
          /** Applied per second so far. */
          transactionsPerSecond: z.number().min(0),
          /** Seconds left at that rate; null until a page is applied. */
          etaSeconds: z.number().min(0).nullable(),
        })
        .nullable(),
    }),
  },
} as const;

export type IndexerMethod = keyof typeof indexerMethods;
export type IndexerParams<M extends IndexerMethod> = z.input<(typeof indexerMethods)[M]['params']>;
export type IndexerResult<M extends IndexerMethod> = z.infer<(typeof indexerMethods)[M]['result']>;

export interface IndexerAnswer<T> {
  context: { slot: number; finalizedSlot: number };
  value: T;
}

const contextSchema = z.strictObject({ slot, finalizedSlot: slot });

/**
 * Whether data of `slot` (an item's `slot`) is final in an answer's `context`: the cluster had
 * finalized every transaction the indexer applied up to `context.finalizedSlot`. Otherwise it
 * is `confirmed` only (a cluster may still, rarely, roll it back).
 */
export function isFinal(slot: number, context: { finalizedSlot: number }): boolean {
  return slot <= context.finalizedSlot;
}

// ---------------------------------------------------------------- proof verification

/** The root `proof` leads to from `leaf` at `leafIndex` (keccak256 pairs, bottom-up). */
export function rootFromPath(leaf: Uint8Array, leafIndex: number, path: Uint8Array[]): Uint8Array {
  let node = leaf;
  let i = leafIndex;
  for (const sibling of path) {
    node = i % 2 === 0 ? hashPair(node, sibling) : hashPair(sibling, node);
    i = Math.floor(i / 2);
  }
  return node;
}

/** Why a proof does not hold, or undefined when it does (the path and its canopy-less prefix). */
export function merkleProofProblem(p: MerkleProofValue): string | undefined {
  if (p.proof.length !== p.maxDepth)
    return `the path has ${p.proof.length} nodes, the tree depth is ${p.maxDepth}`;
  if (p.leafIndex >= 2 ** p.maxDepth) return `leaf index ${p.leafIndex} is outside the tree`;
  const cut = p.maxDepth - p.canopyDepth;
  if (p.proofWithoutCanopy.length !== cut || p.proofWithoutCanopy.some((n, i) => n !== p.proof[i]))
    return 'proofWithoutCanopy is not the path without its top canopyDepth nodes';
  const root = rootFromPath(fromHex(p.leaf), p.leafIndex, p.proof.map(fromHex));
  if (toHex(root) !== p.root) return 'the path does not lead from the leaf to the root';
  return undefined;
}

/** The device leaf of an indexed device (its fields, as the program encodes them). */
export function indexedDeviceLeaf(d: IndexedDeviceLeafFields): DeviceLeaf {
  return {
    device: new PublicKey(d.device),
    owner: new PublicKey(d.owner),
    maker: new PublicKey(d.maker),
    bjjKeyHash: Array.from(fromHex(d.bjjKeyHash)),
    modelId: d.modelId,
    seq: new BN(d.seq),
    status: d.status,
  };
}

/** The DeviceLeafV0 hash of an indexed device (what its tree holds). */
export function indexedDeviceLeafHash(d: IndexedDeviceLeafFields): Uint8Array {
  return deviceLeafHash(new PublicKey(d.network), indexedDeviceLeaf(d));
}

/** The RecordLeafV0 hash of an indexed record. */
export function indexedRecordLeafHash(r: IndexedRecord): Uint8Array {
  return recordLeafHash({
    device: new PublicKey(r.device),
    modelId: r.modelId,
    seq: BigInt(r.seq),
    timestamp: BigInt(r.timestamp),
    inputCommitment: fromHex(r.inputCommitment),
    class: r.class,
    score: BigInt(r.score),
    publicInput: fromHex(r.publicInput),
  });
}

// ---------------------------------------------------------------- client

export type IndexerClientErrorCode =
  'INDEXER_RPC_ERROR' | 'INDEXER_HTTP_ERROR' | 'INDEXER_BAD_ANSWER' | 'INDEXER_BAD_PROOF';

/** A failed call: the indexer's JSON-RPC error, an HTTP failure, an answer that does not check. */
export class IndexerClientError extends Error {
  constructor(
    readonly code: IndexerClientErrorCode,
    message: string,
    readonly context: { method?: string; rpcCode?: number; data?: unknown } = {},
  ) {
    super(message);
    this.name = 'IndexerClientError';
  }
}

export function isIndexerClientError(
  e: unknown,
  code?: IndexerClientErrorCode,
): e is IndexerClientError {
  return e instanceof IndexerClientError && (code === undefined || e.code === code);
}

/** What the client needs from a chain to check a root against the tree account. */
export interface TreeAccountReader {
  getAccountInfo(address: PublicKey): Promise<{ data: Uint8Array } | null>;
}

export interface IndexerClientOptions {
  fetch?: typeof fetch;
  /**
   * Checks each proof's root against the tree account too: the root the account's changelog
   * holds for `rootSeq` (a proof older than the changelog cannot be checked this way and is
   * refused).
   */
  chain?: TreeAccountReader;
  /** Longest one call may take, answer included, in ms (default: none); then INDEXER_HTTP_ERROR. */
  timeoutMs?: number;
}

export class IndexerClient {
  private nextId = 1;
  private readonly fetch: typeof fetch;

  constructor(
    readonly url: string,
    private readonly o: IndexerClientOptions = {},
  ) {
    this.fetch = o.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Calls `method`, validates the answer with its schema; proofs are checked by the typed methods. */
  async call<M extends IndexerMethod>(
    method: M,
    params: IndexerParams<M>,
  ): Promise<IndexerAnswer<IndexerResult<M>>> {
    const id = this.nextId++;
    const signal =
      this.o.timeoutMs === undefined ? undefined : AbortSignal.timeout(this.o.timeoutMs);
    let res: Response;
    try {
      res = await this.fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id, method, params }),
        signal,
      });
    } catch (e) {
      throw new IndexerClientError(
        'INDEXER_HTTP_ERROR',
        `${method}: the indexer at ${this.url} did not answer: ${this.failure(e, signal)}`,
        { method },
      );
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (e) {
      throw new IndexerClientError(
        'INDEXER_HTTP_ERROR',
        signal?.aborted
          ? `${method}: the indexer at ${this.url} did not answer: ${this.failure(e, signal)}`
          : `${method}: HTTP ${res.status} without a JSON body`,
        { method },
      );
    }
    const b = body as {
      error?: { code: number; message: string; data?: unknown };
      result?: unknown;
    };
    if (b.error)
      throw new IndexerClientError('INDEXER_RPC_ERROR', `${method}: ${b.error.message}`, {
        method,
        rpcCode: b.error.code,
        data: b.error.data,
      });
    const parsed = z
      .strictObject({ context: contextSchema, value: indexerMethods[method].result })
      .safeParse(b.result);
    if (!parsed.success)
      throw new IndexerClientError(
        'INDEXER_BAD_ANSWER',
        `${method}: the answer does not match the schema: ${parsed.error.message}`,
        { method },
      );
    return parsed.data as IndexerAnswer<IndexerResult<M>>;
  }

  /** Why a fetch failed: the timeout when it was the signal's, else the error's message. */
  private failure(e: unknown, signal: AbortSignal | undefined): string {
    if (signal?.aborted) return `no answer within ${this.o.timeoutMs} ms`;
    const cause = (e as { cause?: { message?: unknown } } | null)?.cause?.message;
    const message = e instanceof Error ? e.message : String(e);
    return typeof cause === 'string' ? `${message} (${cause})` : message;
  }

  getDevice(p: IndexerParams<'getDevice'>) {
    return this.call('getDevice', p);
  }
  getDevicesByOwner(p: IndexerParams<'getDevicesByOwner'>) {
    return this.call('getDevicesByOwner', p);
  }
  getRecord(p: IndexerParams<'getRecord'>) {
    return this.call('getRecord', p);
  }
  getRecordsByDevice(p: IndexerParams<'getRecordsByDevice'>) {
    return this.call('getRecordsByDevice', p);
  }
  getSignaturesForDevice(p: IndexerParams<'getSignaturesForDevice'>) {
    return this.call('getSignaturesForDevice', p);
  }
  getAttestation(p: IndexerParams<'getAttestation'>) {
    return this.call('getAttestation', p);
  }
  getDevices(p: IndexerParams<'getDevices'>) {
    return this.call('getDevices', p);
  }
  getDevicesByMaker(p: IndexerParams<'getDevicesByMaker'>) {
    return this.call('getDevicesByMaker', p);
  }
  getTrees(p: IndexerParams<'getTrees'> = {}) {
    return this.call('getTrees', p);
  }
  getModels(p: IndexerParams<'getModels'> = {}) {
    return this.call('getModels', p);
  }
  /** The network's follower snapshot, shape-checked only: `NetworkFollower` checks the rest. */
  getNetworkSnapshot(p: IndexerParams<'getNetworkSnapshot'> = {}) {
    return this.call('getNetworkSnapshot', p);
  }
  /** Device proofs (null: unknown device), each checked like `getDeviceProof`'s. */
  async getDeviceProofs(p: IndexerParams<'getDeviceProofs'>) {
    const a = await this.call('getDeviceProofs', p);
    for (const x of a.value)
      if (x)
        await this.check(
          'getDeviceProofs',
          x.proof,
          indexedDeviceLeafHash(x.device),
          x.device.tree,
          x.device.leafIndex,
        );
    return a;
  }
  /** Record proofs (null: unknown record), each checked like `getRecordProof`'s. */
  async getRecordProofs(p: IndexerParams<'getRecordProofs'>) {
    const a = await this.call('getRecordProofs', p);
    for (const x of a.value)
      if (x)
        await this.check(
          'getRecordProofs',
          x.proof,
          indexedRecordLeafHash(x.record),
          x.record.tree,
          x.record.leafIndex,
        );
    return a;
  }
  getTree(p: IndexerParams<'getTree'>) {
    return this.call('getTree', p);
  }
  getIndexerSlot(p: IndexerParams<'getIndexerSlot'> = {}) {
    return this.call('getIndexerSlot', p);
  }
  getIndexerHealth(p: IndexerParams<'getIndexerHealth'> = {}) {
    return this.call('getIndexerHealth', p);
  }

  /** The device's current leaf and proof, checked: its leaf is the device's, its path leads to its root. */
  async getDeviceProof(p: IndexerParams<'getDeviceProof'>) {
    const a = await this.call('getDeviceProof', p);
    const { device, proof } = a.value;
    await this.check(
      'getDeviceProof',
      proof,
      indexedDeviceLeafHash(device),
      device.tree,
      device.leafIndex,
    );
    return a;
  }

  /** A record and its proof, checked like a device proof. */
  async getRecordProof(p: IndexerParams<'getRecordProof'>) {
    const a = await this.call('getRecordProof', p);
    const { record, proof } = a.value;
    await this.check(
      'getRecordProof',
      proof,
      indexedRecordLeafHash(record),
      record.tree,
      record.leafIndex,
    );
    return a;
  }

  private async check(
    method: string,
    proof: MerkleProofValue,
    leaf: Uint8Array,
    tree: string,
    leafIndex: number,
  ): Promise<void> {
    const bad = (why: string) =>
      new IndexerClientError(
        'INDEXER_BAD_PROOF',
        `${method}: the indexer's proof is wrong: ${why}`,
        {
          method,
        },
      );
    if (proof.leaf !== toHex(leaf)) throw bad('its leaf is not the hash of the returned data');
    if (proof.treeId !== tree || proof.leafIndex !== leafIndex)
      throw bad('it names another tree or leaf index than the returned data');
    const problem = merkleProofProblem(proof);
    if (problem) throw bad(problem);
    if (this.o.chain) {
      const info = await this.o.chain.getAccountInfo(new PublicKey(proof.treeId));
      if (!info) throw bad(`tree ${proof.treeId} is not on the chain`);
      const root = treeAccountRootAt(info.data, BigInt(proof.rootSeq));
      if (!root) throw bad(`the tree's changelog no longer holds change ${proof.rootSeq}`);
      if (toHex(root) !== proof.root) throw bad('its root is not the on-chain root after rootSeq');
    }
  }
}

// ---------------------------------------------------------------- OpenRPC

type JsonSchema = Record<string, unknown>;

function jsonSchema(s: z.ZodType): JsonSchema {
  const out = z.toJSONSchema(s, { unrepresentable: 'any' }) as JsonSchema;
  delete out['$schema'];
  return out;
}

/**
 * The OpenRPC document of the API (what `rpc.discover` answers), generated from the same zod
 * schemas: params by name, each result wrapped in `{ context: { slot, finalizedSlot }, value }`, the error
 * codes.
 */
export function indexerOpenRpcDocument(version = '0.1.0'): JsonSchema {
  const errors = Object.entries(INDEXER_ERROR_CODES).map(([message, code]) => ({
    code,
    message,
  }));
  return {
    openrpc: '1.2.6',
    info: {
      title: 'zkpin indexer',
      version,
      description:
        'Devices, records and attestations of one zkpin network, with Merkle proofs a client can check (sdk/src/indexer-api.ts).',
    },
    methods: Object.entries(indexerMethods).map(([name, m]) => {
      const params = jsonSchema(m.params) as {
        properties?: Record<string, JsonSchema>;
        required?: string[];
      };
      return {
        name,
        paramStructure: 'by-name',
        params: Object.entries(params.properties ?? {}).map(([p, schema]) => ({
          name: p,
          required: (params.required ?? []).includes(p),
          schema,
        })),
        result: {
          name: 'answer',
          schema: {
            type: 'object',
            properties: {
              context: jsonSchema(contextSchema),
              value: jsonSchema(m.result),
            },
            required: ['context', 'value'],
            additionalProperties: false,
          },
        },
        errors,
      };
    }),
  };
}
