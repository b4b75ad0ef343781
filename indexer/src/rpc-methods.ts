/**
 * The JSON-RPC methods: params already validated with the SDK's schemas (indexer-api.ts),
 * each returns the `value` of its answer or throws an `RpcError`.
 */
import {
  INDEXER_ERROR_CODES,
  TREE_KIND_DEVICE,
  toHex,
  type IndexerMethod,
  type IndexerResult,
  type MerkleProofValue,
} from '@zkpin/sdk';
import { z } from 'zod';
import type { BackfillProgress, Ingest } from './ingest.ts';
import { InvalidCursorError, type IndexerStore, type TreeRow } from './store.ts';
import { indexerMethods } from '@zkpin/sdk';

export class RpcError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export interface MethodContext {
  store: IndexerStore;
  ingest: Ingest;
  /** Health turns `behind` past this many slots of lag. */
  maxLagSlots: number;
}

type Params<M extends IndexerMethod> = z.output<(typeof indexerMethods)[M]['params']>;
type Handler<M extends IndexerMethod> = (
  p: Params<M>,
  c: MethodContext,
) => Promise<IndexerResult<M>>;

const notFound = (what: string) =>
  new RpcError(INDEXER_ERROR_CODES.NOT_FOUND, `${what} is not known to this indexer`);

/** Runs a store read, turning a cursor the store refuses into invalid params. */
async function read<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof InvalidCursorError)
      throw new RpcError(INDEXER_ERROR_CODES.INVALID_PARAMS, e.message, { cursor: e.cursor });
    throw e;
  }
}

/**
 * The proof of a leaf from the tree's replica, when the replica holds `leafHash` there (the
 * row read from the store and the replica can be one change apart while ingest applies one:
 * the caller reads again).
 */
function proofOf(
  c: MethodContext,
  tree: string,
  leafIndex: number,
  leafHash: string,
): MerkleProofValue | undefined {
  const t = c.ingest.replicas.get(tree);
  if (!t) throw notFound(`tree ${tree}`);
  if (t.outOfSync)
    throw new RpcError(
      INDEXER_ERROR_CODES.TREE_NOT_IN_SYNC,
      `tree ${tree}: ${t.outOfSync}; no proof is served until it is repaired`,
    );
  const p = c.ingest.replicas.proof(tree, leafIndex);
  return p && p.leaf === leafHash ? p : undefined;
}

const READ_ATTEMPTS = 5;

/** A device and its proof (undefined: unknown device). */
async function deviceProof(
  c: MethodContext,
  key: string,
): Promise<IndexerResult<'getDeviceProof'> | undefined> {
  for (let i = 0; i < READ_ATTEMPTS; i++) {
    const device = await c.store.device(key);
    if (!device) return undefined;
    const proof = proofOf(c, device.tree, device.leafIndex, device.leafHash);
    if (proof) return { device, proof };
  }
  throw new RpcError(INDEXER_ERROR_CODES.INTERNAL_ERROR, 'the device changed while read: retry');
}

/** A record and its proof (undefined: unknown record). */
async function recordProof(
  c: MethodContext,
  device: string,
  seq: string,
): Promise<IndexerResult<'getRecordProof'> | undefined> {
  for (let i = 0; i < READ_ATTEMPTS; i++) {
    const record = await c.store.record(device, seq);
    if (!record) return undefined;
    const proof = proofOf(c, record.tree, record.leafIndex, record.leafHash);
    if (proof) return { record, proof };
  }
  throw new RpcError(INDEXER_ERROR_CODES.INTERNAL_ERROR, 'the record changed while read: retry');
}

function treeValue(t: TreeRow & { leafCount: number }): IndexerResult<'getTree'> {
  return {
    address: t.address,
    network: t.network,
    kind: t.kind === TREE_KIND_DEVICE ? 'device' : 'record',
    number: t.number,
    maxDepth: t.maxDepth,
    maxBufferSize: t.maxBufferSize,
    canopyDepth: t.canopyDepth,
    seq: t.seq.toString(),
    root: toHex(t.root),
    leafCount: t.leafCount,
  };
}

/** The backfill's progress while it is under way, with its rate and time left. */
export function backfillValue(
  b: BackfillProgress | undefined,
  now = Date.now(),
): IndexerResult<'getIndexerHealth'>['backfill'] {
  if (!b || b.finishedAt !== undefined) return null;
  const seconds = Math.max(0.001, (now - b.startedAt) / 1000);
  const perSecond = b.applied / seconds;
  return {
    total: b.total,
    applied: b.applied,
    startedAt: new Date(b.startedAt).toISOString(),
    transactionsPerSecond: Math.round(perSecond * 10) / 10,
    etaSeconds: b.applied > 0 ? Math.ceil((b.total - b.applied) / perSecond) : null,
  };
}

const handlers: { [M in IndexerMethod]: Handler<M> } = {
  async getDevice(p, c) {
    return (await c.store.device(p.device)) ?? Promise.reject(notFound(`device ${p.device}`));
  },
  getDevicesByOwner: (p, c) =>
    read(() => c.store.devicesByOwner(p.owner, { cursor: p.cursor, limit: p.limit })),
  async getDeviceProof(p, c) {
    return (await deviceProof(c, p.device)) ?? Promise.reject(notFound(`device ${p.device}`));
  },
  async getDevices(p, c) {
    const found = await c.store.devices(p.devices);
    return p.devices.map((d) => found.get(d) ?? null);
  },
  getDevicesByMaker: (p, c) =>
    read(() => c.store.devicesByMaker(p.maker, { cursor: p.cursor, limit: p.limit })),
  async getDeviceProofs(p, c) {
    const out = [];
    for (const d of p.devices) out.push((await deviceProof(c, d)) ?? null);
    return out;
  },
  async getRecordProofs(p, c) {
    const out = [];
    for (const r of p.records) out.push((await recordProof(c, r.device, r.seq)) ?? null);
    return out;
  },
  async getTrees(_p, c) {
    const out = [];
    for (const t of await c.store.trees(c.ingest.network.toBase58())) {
      const tree = await c.store.tree(t.address);
      if (tree) out.push(treeValue(tree));
    }
    return out;
  },
  getModels: (_p, c) => c.store.models(c.ingest.network.toBase58()),
  async getRecord(p, c) {
    return (
      (await c.store.record(p.device, p.seq)) ??
      Promise.reject(notFound(`record ${p.seq} of device ${p.device}`))
    );
  },
  getRecordsByDevice: (p, c) =>
    read(() =>
      c.store.recordsByDevice(p.device, {
        cursor: p.cursor,
        limit: p.limit,
        order: p.order,
        fromTimestamp: p.fromTimestamp,
        toTimestamp: p.toTimestamp,
        class: p.class,
      }),
    ),
  getSignaturesForDevice: (p, c) =>
    read(() =>
      c.store.signaturesForDevice(p.device, { cursor: p.cursor, limit: p.limit, order: p.order }),
    ),
  async getRecordProof(p, c) {
    return (
      (await recordProof(c, p.device, p.seq)) ??
      Promise.reject(notFound(`record ${p.seq} of device ${p.device}`))
    );
  },
  async getAttestation(p, c) {
    return (
      (await c.store.attestation(p.device, p.seq)) ??
      Promise.reject(notFound(`attestation ${p.seq} of device ${p.device}`))
    );
  },
  async getTree(p, c) {
    const t = await c.store.tree(p.tree);
    if (!t) throw notFound(`tree ${p.tree}`);
    return treeValue(t);
  },
  async getNetworkSnapshot(_p, c) {
    const network = c.ingest.network.toBase58();
    const snapshot = await c.store.followerSnapshot(
      network,
      c.ingest.programIds.deviceRegistry.toBase58(),
    );
    if (!snapshot)
      throw new RpcError(
        INDEXER_ERROR_CODES.NOT_FOUND,
        `no transaction of network ${network} is indexed yet: retry once the backfill is applied`,
      );
    return snapshot;
  },
  getIndexerSlot: (_p, c) => Promise.resolve(c.ingest.slot),
  async getIndexerHealth(_p, c) {
    let chainSlot: number | null = null;
    try {
      chainSlot = Number(await c.ingest.chain.slot());
    } catch {
      chainSlot = null;
    }
    const indexerSlot = c.ingest.slot;
    const lagSlots = chainSlot === null ? null : Math.max(0, chainSlot - indexerSlot);
    const outOfSync = [...c.ingest.replicas.trees.values()].find((t) => t.outOfSync);
    let status: 'ok' | 'behind' | 'starting' | 'failed' = 'ok';
    let reason: string | null = null;
    if (c.ingest.status === 'failed') [status, reason] = ['failed', c.ingest.reason];
    else if (outOfSync)
      [status, reason] = ['failed', `tree ${outOfSync.address}: ${outOfSync.outOfSync}`];
    else if (c.ingest.status === 'starting')
      [status, reason] = [
        'starting',
        `backfill under way: ${c.ingest.backfill?.applied ?? 0} of ${c.ingest.backfill?.total ?? 0} transactions applied`,
      ];
    else if (lagSlots === null) [status, reason] = ['behind', 'the chain did not answer'];
    else if (lagSlots > c.maxLagSlots)
      [status, reason] = ['behind', `${lagSlots} slots behind the chain (limit ${c.maxLagSlots})`];
    return {
      status,
      indexerSlot,
      chainSlot,
      lagSlots,
      finalizedSlot: c.ingest.finalizedSlot,
      maxLagSlots: c.maxLagSlots,
      reason,
      backfill: backfillValue(c.ingest.backfill),
    };
  },
};

export function isMethod(name: string): name is IndexerMethod {
  return Object.hasOwn(handlers, name);
}

/** Validates `params` for `method` and runs it. */
export async function runMethod(
  method: IndexerMethod,
  params: unknown,
  c: MethodContext,
): Promise<unknown> {
  const parsed = indexerMethods[method].params.safeParse(params ?? {});
  if (!parsed.success)
    throw new RpcError(
      INDEXER_ERROR_CODES.INVALID_PARAMS,
      `invalid params for ${method}: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`)
        .join('; ')}`,
      { issues: parsed.error.issues.map((i) => ({ path: i.path, message: i.message })) },
    );
  return (handlers[method] as Handler<IndexerMethod>)(parsed.data, c);
}

/** The minContextSlot of validated-or-not params, if a number. */
export function minContextSlotOf(params: unknown): number | undefined {
  const v = (params as { minContextSlot?: unknown } | undefined)?.minContextSlot;
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
}
