/**
 * The indexer's tables (migrations/0001_initial.sql) behind typed reads and one write: a
 * chain transaction's changes (or a batch's, a handful of multi-row statements), applied in
 * one database transaction together with the transactions' rows and the cursor, so a crash
 * leaves either all of it or none of it, and a transaction seen twice (its signature already
 * in `transactions`) changes nothing.
 */
import { PublicKey } from '@solana/web3.js';
import {
  FOLLOWER_SNAPSHOT_VERSION,
  MAX_PAGE_LIMIT,
  RECORDED_SEQS_PER_DEVICE,
  TREE_KIND_DEVICE,
  TREE_KIND_RECORD,
  indexedDeviceLeaf,
  snapshotDeviceLeaf,
  toHex,
  type IndexerResult,
  type DeviceSignature,
  type IndexedAttestation,
  type IndexedDevice,
  type IndexedModel,
  type IndexedRecord,
  type IndexedTree,
} from '@zkpin/sdk';
import type { Database, SqlClient } from './database.ts';
import { migrate } from './migrations.ts';
import type { Change } from './transaction-decoder.ts';

export interface Cursor {
  signature: string;
  slot: number;
}

export interface TreeRow {
  address: string;
  network: string;
  kind: number;
  number: number;
  maxDepth: number;
  maxBufferSize: number;
  canopyDepth: number;
  seq: bigint;
  root: Uint8Array;
}

/** A tree's sequence number and root after a transaction's changes. */
export interface TreeHead {
  seq: bigint;
  root: Uint8Array;
}

export interface AppliedTransaction {
  signature: string;
  slot: number;
  changes: Change[];
  /** Per tree the transaction changed (tree events included), its head after them. */
  heads: Map<string, TreeHead>;
  /** vk hashes of models the transaction registered (read from their accounts). */
  vkHashes: Map<string, Uint8Array>;
}

/**
 * A page: `cursor` continues after its last item (present whenever the page has items; an
 * empty page gives back the cursor it was asked with, so a client can poll for items appended
 * later). A page with fewer than `limit` items is the end of the list for now.
 */
export interface Page<T> {
  items: T[];
  cursor: string | null;
}

const bytes = (v: unknown): Uint8Array => v as Uint8Array;

// Columns cast to text keep their names: ORDER BY must name the table's column
// (`records.seq`), or it sorts the text alias.
const DEVICE_LEAF_COLUMNS = `device, network, tree, leaf_index, tree_seq::text AS tree_seq, owner, maker,
  bjj_key_hash, model_id::text AS model_id, seq::text AS seq, status, leaf, slot::text AS slot, signature`;
/** A `devices` row: its leaf's columns and its newest record's (migration 0005). */
const DEVICE_COLUMNS = `${DEVICE_LEAF_COLUMNS},
  last_record_timestamp::text AS last_record_timestamp, last_record_slot::text AS last_record_slot`;
const RECORD_COLUMNS = `tree, leaf_index, tree_seq::text AS tree_seq, device, seq::text AS seq,
  model_id::text AS model_id, timestamp::text AS timestamp, class, score::text AS score,
  input_commitment, public_input, leaf, slot::text AS slot, signature`;

type Row = Record<string, unknown>;

/** One version of a device's leaf (a `device_versions` row): no newest record of its own. */
export type DeviceVersion = Omit<IndexedDevice, 'lastRecordTimestamp' | 'lastRecordSlot'>;

function deviceVersionFrom(r: Row): DeviceVersion {
  return {
    device: r['device'] as string,
    network: r['network'] as string,
    tree: r['tree'] as string,
    leafIndex: Number(r['leaf_index']),
    treeSeq: r['tree_seq'] as string,
    owner: r['owner'] as string,
    maker: r['maker'] as string,
    bjjKeyHash: toHex(bytes(r['bjj_key_hash'])),
    modelId: Number(r['model_id']),
    seq: r['seq'] as string,
    status: Number(r['status']),
    leafHash: toHex(bytes(r['leaf'])),
    slot: Number(r['slot']),
    signature: r['signature'] as string,
  };
}

function deviceFrom(r: Row): IndexedDevice {
  const slot = (r['last_record_slot'] ?? null) as string | null;
  return {
    ...deviceVersionFrom(r),
    lastRecordTimestamp: (r['last_record_timestamp'] as string | null) ?? null,
    lastRecordSlot: slot === null ? null : Number(slot),
  };
}

function recordFrom(r: Row): IndexedRecord {
  return {
    tree: r['tree'] as string,
    leafIndex: Number(r['leaf_index']),
    treeSeq: r['tree_seq'] as string,
    device: r['device'] as string,
    seq: r['seq'] as string,
    modelId: Number(r['model_id']),
    timestamp: r['timestamp'] as string,
    class: Number(r['class']),
    score: r['score'] as string,
    inputCommitment: toHex(bytes(r['input_commitment'])),
    publicInput: toHex(bytes(r['public_input'])),
    leafHash: toHex(bytes(r['leaf'])),
    slot: Number(r['slot']),
    signature: r['signature'] as string,
  };
}

function treeFrom(r: Row): TreeRow {
  return {
    address: r['address'] as string,
    network: r['network'] as string,
    kind: Number(r['kind']),
    number: Number(r['number']),
    maxDepth: Number(r['max_depth']),
    maxBufferSize: Number(r['max_buffer_size']),
    canopyDepth: Number(r['canopy_depth']),
    seq: BigInt(r['seq'] as string),
    root: bytes(r['root']),
  };
}

/** Columns of the tables written many rows at a time, with their SQL types (for `unnest`). */
const TREE_LEAF_COLUMNS = {
  tree: 'text',
  tree_seq: 'bigint',
  leaf_index: 'integer',
  leaf: 'bytea',
  slot: 'bigint',
  signature: 'text',
};
const DEVICE_ROW_COLUMNS = {
  tree: 'text',
  tree_seq: 'bigint',
  leaf_index: 'integer',
  network: 'text',
  device: 'text',
  owner: 'text',
  maker: 'text',
  bjj_key_hash: 'bytea',
  model_id: 'bigint',
  seq: 'numeric',
  status: 'smallint',
  leaf: 'bytea',
  slot: 'bigint',
  signature: 'text',
};
const DEVICE_VERSION_COLUMNS = { ...DEVICE_ROW_COLUMNS, event: 'text' };
const RECORD_ROW_COLUMNS = {
  tree: 'text',
  leaf_index: 'integer',
  tree_seq: 'bigint',
  network: 'text',
  device: 'text',
  seq: 'numeric',
  model_id: 'bigint',
  timestamp: 'bigint',
  class: 'smallint',
  score: 'bigint',
  input_commitment: 'bytea',
  public_input: 'bytea',
  leaf: 'bytea',
  slot: 'bigint',
  signature: 'text',
};
const ATTESTATION_COLUMNS = {
  record_tree: 'text',
  record_index: 'integer',
  network: 'text',
  device: 'text',
  model_id: 'bigint',
  seq: 'numeric',
  timestamp: 'bigint',
  input_commitment: 'bytea',
  class: 'smallint',
  score: 'bigint',
  public_input: 'bytea',
  proof: 'bytea',
  submitter: 'text',
  device_leaf_index: 'integer',
  device_root: 'bytea',
  slot: 'bigint',
  signature: 'text',
};

/**
 * `rows` (values in `columns`' order) in one statement: one array parameter per column,
 * `INSERT ... SELECT * FROM unnest($1::text[], $2::bigint[], ...)` (PGlite and node-postgres
 * both send arrays of strings, numbers and bytes). Nothing when `rows` is empty.
 */
async function insertRows(
  tx: SqlClient,
  table: string,
  columns: Record<string, string>,
  rows: readonly unknown[][],
  onConflict = 'ON CONFLICT DO NOTHING',
): Promise<void> {
  if (rows.length === 0) return;
  const types = Object.values(columns);
  await tx.query(
    `INSERT INTO ${table} (${Object.keys(columns).join(', ')})
      SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) ${onConflict}`,
    types.map((_, i) => rows.map((r) => r[i])),
  );
}

/**
 * The `transactions` rows of `ts`, in their order (the `ordinal` default is drawn row by row,
 * so it keeps the chain's order); those already there are skipped. The signatures inserted.
 */
async function insertTransactions(
  tx: SqlClient,
  network: string,
  ts: readonly AppliedTransaction[],
): Promise<Set<string>> {
  const rows = await tx.query<Row>(
    `INSERT INTO transactions (signature, network, slot, events)
      SELECT u.signature, $1, u.slot, u.events
        FROM unnest($2::text[], $3::bigint[], $4::integer[]) WITH ORDINALITY
          AS u(signature, slot, events, position)
        ORDER BY u.position
      ON CONFLICT (signature) DO NOTHING RETURNING signature`,
    [network, ts.map((t) => t.signature), ts.map((t) => t.slot), ts.map((t) => t.changes.length)],
  );
  return new Set(rows.map((r) => r['signature'] as string));
}

/** Page cursors: opaque to clients, `v1:<value>` here (a device key or a record seq). */
function encodeCursor(value: string): string {
  return `v1:${value}`;
}
function decodeCursor(cursor: string, pattern: RegExp): string | undefined {
  if (!cursor.startsWith('v1:')) return undefined;
  const v = cursor.slice(3);
  return pattern.test(v) ? v : undefined;
}

export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super(
      `cursor ${JSON.stringify(cursor)} was not returned by this method: pass the page's cursor back as it came`,
    );
  }
}

export class IndexerStore {
  private constructor(readonly db: Database) {}

  /** The store on `db`, its schema migrated to this build's version. */
  static async open(db: Database): Promise<IndexerStore> {
    await migrate(db);
    return new IndexerStore(db);
  }

  close(): Promise<void> {
    return this.db.close();
  }

  async cursor(network: string): Promise<Cursor | undefined> {
    const rows = await this.db.query<Row>(
      'SELECT signature, slot::text AS slot FROM ingest_cursor WHERE network = $1',
      [network],
    );
    const r = rows[0];
    return r ? { signature: r['signature'] as string, slot: Number(r['slot']) } : undefined;
  }

  /** The slot up to which the network's applied transactions were found finalized (0: none). */
  async finalizedSlot(network: string): Promise<number> {
    const rows = await this.db.query<Row>(
      'SELECT finalized_slot::text AS slot FROM ingest_cursor WHERE network = $1',
      [network],
    );
    return rows[0] ? Number(rows[0]['slot']) : 0;
  }

  /** Records that every transaction applied at or before `slot` is finalized (never lowers it). */
  async setFinalizedSlot(network: string, slot: number): Promise<void> {
    await this.db.query(
      `UPDATE ingest_cursor SET finalized_slot = $2
        WHERE network = $1 AND finalized_slot < $2`,
      [network, slot],
    );
  }

  /** The network's applied transactions with `after < slot <= upTo`, in the order applied. */
  async transactionsInSlots(
    network: string,
    after: number,
    upTo: number,
  ): Promise<{ signature: string; slot: number }[]> {
    const rows = await this.db.query<Row>(
      `SELECT signature, slot::text AS slot FROM transactions
        WHERE network = $1 AND slot > $2 AND slot <= $3 ORDER BY ordinal`,
      [network, after, upTo],
    );
    return rows.map((r) => ({ signature: r['signature'] as string, slot: Number(r['slot']) }));
  }

  async hasTransaction(signature: string): Promise<boolean> {
    const rows = await this.db.query('SELECT 1 FROM transactions WHERE signature = $1', [
      signature,
    ]);
    return rows.length > 0;
  }

  async transactionCount(network: string): Promise<number> {
    const rows = await this.db.query<Row>(
      'SELECT count(*)::text AS n FROM transactions WHERE network = $1',
      [network],
    );
    return Number(rows[0]!['n']);
  }

  /**
   * `network`'s trees in the byte order of their addresses (the same on Postgres and PGlite,
   * whatever the database's collation).
   */
  async trees(network: string): Promise<TreeRow[]> {
    const rows = await this.db.query<Row>(
      `SELECT address, network, kind, number::text AS number, max_depth, max_buffer_size,
        canopy_depth, seq::text AS seq, root FROM trees WHERE network = $1 ORDER BY address COLLATE "C"`,
      [network],
    );
    return rows.map(treeFrom);
  }

  /** The newest leaf at each index of `tree` (what its replica is rebuilt from). */
  async treeLeaves(tree: string): Promise<{ leafIndex: number; leaf: Uint8Array }[]> {
    const rows = await this.db.query<Row>(
      `SELECT DISTINCT ON (leaf_index) leaf_index, leaf FROM tree_leaves WHERE tree = $1
        ORDER BY leaf_index, tree_seq DESC`,
      [tree],
    );
    return rows.map((r) => ({ leafIndex: Number(r['leaf_index']), leaf: bytes(r['leaf']) }));
  }

  /**
   * Replaces `tree`'s changes (every `tree_leaves` row) with `changes`, read again from the
   * chain, and sets its head: the repair of a tree whose replica root differed from the
   * chain's. One database transaction.
   */
  replaceTreeChanges(
    tree: string,
    changes: readonly {
      treeSeq: bigint;
      leafIndex: number;
      leaf: Uint8Array;
      slot: number;
      signature: string;
    }[],
    head: TreeHead,
  ): Promise<void> {
    return this.db.transaction(async (tx) => {
      await tx.query('DELETE FROM tree_leaves WHERE tree = $1', [tree]);
      await insertRows(
        tx,
        'tree_leaves',
        TREE_LEAF_COLUMNS,
        changes.map((c) => [tree, c.treeSeq.toString(), c.leafIndex, c.leaf, c.slot, c.signature]),
      );
      await tx.query('UPDATE trees SET seq = $2, root = $3 WHERE address = $1', [
        tree,
        head.seq.toString(),
        head.root,
      ]);
    });
  }

  /**
   * Applies one chain transaction's changes in one database transaction. Returns false (and
   * changes nothing) when the transaction was applied before.
   */
  apply(network: string, t: AppliedTransaction): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      if ((await insertTransactions(tx, network, [t])).size === 0) return false;
      await this.writeChanges(tx, network, [t]);
      return true;
    });
  }

  /**
   * Applies several chain transactions, in order, in one database transaction (a backfill's
   * batch: one commit instead of one per transaction). All or nothing: throws, having changed
   * nothing, when one of them was applied before.
   *
   * A handful of statements whatever the batch's size: the `transactions` rows in the batch's
   * order (their `ordinal` keeps the chain's order), one multi-row insert per table, each
   * device's newest version and newest record, each tree's newest head and the cursor once.
   */
  applyMany(network: string, ts: readonly AppliedTransaction[]): Promise<void> {
    if (ts.length === 0) return Promise.resolve();
    return this.db.transaction(async (tx) => {
      const fresh = await insertTransactions(tx, network, ts);
      if (fresh.size !== ts.length) {
        // The first one not inserted: applied before, or twice in the batch.
        const again = ts.find((t) => !fresh.delete(t.signature));
        throw new Error(`transaction ${again?.signature} was applied already`);
      }
      await this.writeChanges(tx, network, ts);
    });
  }

  /** Signatures of `signatures` already applied. */
  async knownSignatures(signatures: readonly string[]): Promise<Set<string>> {
    if (signatures.length === 0) return new Set();
    const rows = await this.db.query<Row>(
      'SELECT signature FROM transactions WHERE signature = ANY($1)',
      [signatures],
    );
    return new Set(rows.map((r) => r['signature'] as string));
  }

  /**
   * The changes of `ts` (their `transactions` rows inserted): the rare ones (network, makers,
   * models, trees) one statement each, in order; tree leaves, device versions, records and
   * attestations one multi-row insert per table; then each device's newest version, its
   * newest record (`devices.last_record_*`), each tree's newest head and the cursor (what
   * applying them one by one would leave).
   */
  private async writeChanges(
    tx: SqlClient,
    network: string,
    ts: readonly AppliedTransaction[],
  ): Promise<void> {
    const leaves: unknown[][] = [];
    const versions: unknown[][] = [];
    const records: unknown[][] = [];
    const attestations: unknown[][] = [];
    const devices = new Map<string, { treeSeq: bigint; row: unknown[] }>();
    /** Per device, its newest record of `ts` (highest seq): seq, timestamp, slot. */
    const lastRecords = new Map<string, { seq: bigint; timestamp: bigint; slot: number }>();
    const heads = new Map<string, TreeHead & { slot: number; signature: string }>();
    let cursor: AppliedTransaction | undefined;
    for (const t of ts) {
      const at = [t.slot, t.signature];
      for (const c of t.changes)
        switch (c.kind) {
          case 'device': {
            leaves.push([c.tree, c.treeSeq.toString(), c.leafIndex, c.leaf, ...at]);
            const row = [
              c.tree,
              c.treeSeq.toString(),
              c.leafIndex,
              network,
              c.device,
              c.owner,
              c.maker,
              c.bjjKeyHash,
              c.modelId,
              c.seq.toString(),
              c.status,
              c.leaf,
              ...at,
            ];
            versions.push([...row, c.event]);
            // ON CONFLICT DO UPDATE cannot touch a row twice in one statement: the version
            // the one-by-one upserts (`devices.tree_seq < EXCLUDED.tree_seq`) would leave.
            const prev = devices.get(c.device);
            if (!prev || prev.treeSeq < c.treeSeq)
              devices.set(c.device, { treeSeq: c.treeSeq, row });
            break;
          }
          case 'record': {
            leaves.push([c.tree, c.treeSeq.toString(), c.leafIndex, c.leaf, ...at]);
            records.push([
              c.tree,
              c.leafIndex,
              c.treeSeq.toString(),
              network,
              c.device,
              c.seq.toString(),
              c.modelId,
              c.timestamp.toString(),
              c.class,
              c.score.toString(),
              c.inputCommitment,
              c.publicInput,
              c.leaf,
              ...at,
            ]);
            const last = lastRecords.get(c.device);
            if (!last || last.seq < c.seq)
              lastRecords.set(c.device, { seq: c.seq, timestamp: c.timestamp, slot: t.slot });
            break;
          }
          case 'attestation':
            attestations.push([
              c.recordTree,
              c.recordIndex,
              network,
              c.device,
              c.modelId,
              c.seq.toString(),
              c.timestamp.toString(),
              c.inputCommitment,
              c.class,
              c.score.toString(),
              c.publicInput,
              c.proof,
              c.submitter,
              c.deviceLeafIndex,
              c.deviceRoot,
              ...at,
            ]);
            break;
          default:
            await this.write(tx, network, t, c);
        }
      for (const [tree, head] of t.heads) {
        const prev = heads.get(tree);
        if (!prev || prev.seq <= head.seq)
          heads.set(tree, { ...head, slot: t.slot, signature: t.signature });
      }
      if (!cursor || cursor.slot <= t.slot) cursor = t;
    }
    await insertRows(tx, 'tree_leaves', TREE_LEAF_COLUMNS, leaves);
    await insertRows(tx, 'device_versions', DEVICE_VERSION_COLUMNS, versions);
    await insertRows(tx, 'records', RECORD_ROW_COLUMNS, records);
    await insertRows(tx, 'attestations', ATTESTATION_COLUMNS, attestations);
    await insertRows(
      tx,
      'devices',
      DEVICE_ROW_COLUMNS,
      [...devices.values()].map((d) => d.row),
      `ON CONFLICT (device) DO UPDATE SET tree = EXCLUDED.tree, tree_seq = EXCLUDED.tree_seq,
        leaf_index = EXCLUDED.leaf_index, owner = EXCLUDED.owner, maker = EXCLUDED.maker,
        bjj_key_hash = EXCLUDED.bjj_key_hash, model_id = EXCLUDED.model_id,
        seq = EXCLUDED.seq, status = EXCLUDED.status, leaf = EXCLUDED.leaf,
        slot = EXCLUDED.slot, signature = EXCLUDED.signature
        WHERE devices.tree_seq < EXCLUDED.tree_seq`,
    );
    // After the devices' rows (a device registered in the batch has one by now). Only ever
    // forward: a record whose seq is not above the row's newest changes nothing.
    if (lastRecords.size > 0) {
      const ls = [...lastRecords];
      await tx.query(
        `UPDATE devices SET last_record_seq = r.seq, last_record_timestamp = r.timestamp,
            last_record_slot = r.slot
          FROM unnest($1::text[], $2::numeric[], $3::bigint[], $4::bigint[])
            AS r(device, seq, timestamp, slot)
          WHERE devices.device = r.device
            AND (devices.last_record_seq IS NULL OR devices.last_record_seq < r.seq)`,
        [
          ls.map(([device]) => device),
          ls.map(([, l]) => l.seq.toString()),
          ls.map(([, l]) => l.timestamp.toString()),
          ls.map(([, l]) => l.slot),
        ],
      );
    }
    if (heads.size > 0) {
      const hs = [...heads];
      await tx.query(
        `UPDATE trees SET seq = h.seq, root = h.root, slot = h.slot, signature = h.signature
          FROM unnest($1::text[], $2::bigint[], $3::bytea[], $4::bigint[], $5::text[])
            AS h(address, seq, root, slot, signature)
          WHERE trees.address = h.address AND trees.seq <= h.seq`,
        [
          hs.map(([tree]) => tree),
          hs.map(([, h]) => h.seq.toString()),
          hs.map(([, h]) => h.root),
          hs.map(([, h]) => h.slot),
          hs.map(([, h]) => h.signature),
        ],
      );
    }
    if (cursor)
      await tx.query(
        `INSERT INTO ingest_cursor (network, signature, slot) VALUES ($1, $2, $3)
          ON CONFLICT (network) DO UPDATE SET signature = EXCLUDED.signature, slot = EXCLUDED.slot
          WHERE ingest_cursor.slot <= EXCLUDED.slot`,
        [network, cursor.signature, cursor.slot],
      );
  }

  /** One of the rare changes (network, makers, models, trees): one statement. */
  private async write(tx: SqlClient, network: string, t: AppliedTransaction, c: Change) {
    const at = [t.slot, t.signature];
    switch (c.kind) {
      case 'network':
        if (c.authority !== undefined)
          await tx.query(
            `INSERT INTO networks (address, authority, oracles, permissionless, slot, signature)
              VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (address) DO NOTHING`,
            [network, c.authority, c.oracles, c.permissionless, ...at],
          );
        else
          await tx.query(
            `UPDATE networks SET oracles = $2, permissionless = $3, slot = $4, signature = $5
              WHERE address = $1`,
            [network, c.oracles, c.permissionless, ...at],
          );
        return;
      case 'maker':
        await tx.query(
          `INSERT INTO makers (address, network, authority, name, active, slot, signature)
            VALUES ($1, $2, $3, $4, true, $5, $6) ON CONFLICT (address) DO NOTHING`,
          [c.address, network, c.authority, c.name, ...at],
        );
        return;
      case 'makerActive':
        await tx.query('UPDATE makers SET active = $2 WHERE address = $1', [c.address, c.active]);
        return;
      case 'model':
        await tx.query(
          `INSERT INTO models (address, network, model_id, version, onnx_sha256, circuit_sha256,
            vk_hash, window_size, classes, active, slot, signature)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, true, $10, $11)
            ON CONFLICT (address) DO NOTHING`,
          [
            c.address,
            network,
            c.modelId,
            c.version,
            c.onnxSha256,
            c.circuitSha256,
            t.vkHashes.get(c.address) ?? null,
            c.window,
            c.classes,
            ...at,
          ],
        );
        return;
      case 'modelActive':
        await tx.query('UPDATE models SET active = $2 WHERE address = $1', [c.address, c.active]);
        return;
      case 'tree':
        await tx.query(
          `INSERT INTO trees (address, network, kind, number, max_depth, max_buffer_size,
            canopy_depth, seq, root, slot, signature)
            VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $9, $10) ON CONFLICT (address) DO NOTHING`,
          [
            c.address,
            network,
            c.treeKind,
            c.number,
            c.maxDepth,
            c.maxBufferSize,
            c.canopyDepth,
            t.heads.get(c.address)?.root ?? new Uint8Array(32),
            ...at,
          ],
        );
        return;
      default:
        throw new Error(`${c.kind} changes are written in bulk by writeChanges`);
    }
  }

  // ------------------------------------------------------------------ reads

  async device(device: string): Promise<IndexedDevice | undefined> {
    const rows = await this.db.query<Row>(
      `SELECT ${DEVICE_COLUMNS} FROM devices WHERE device = $1`,
      [device],
    );
    return rows[0] && deviceFrom(rows[0]);
  }

  /** Every version of a device's leaf, oldest first. */
  async deviceVersions(device: string): Promise<DeviceVersion[]> {
    const rows = await this.db.query<Row>(
      `SELECT ${DEVICE_LEAF_COLUMNS} FROM device_versions WHERE device = $1
        ORDER BY device_versions.tree_seq`,
      [device],
    );
    return rows.map(deviceVersionFrom);
  }

  /** The devices of `ids` that the store knows, by key. */
  async devices(ids: readonly string[]): Promise<Map<string, IndexedDevice>> {
    const rows = await this.db.query<Row>(
      `SELECT ${DEVICE_COLUMNS} FROM devices WHERE device = ANY($1)`,
      [ids],
    );
    return new Map(rows.map((r) => [r['device'] as string, deviceFrom(r)]));
  }

  /** An owner's devices by device key; the cursor is the last key of the previous page. */
  devicesByOwner(
    owner: string,
    o: { cursor?: string; limit?: number } = {},
  ): Promise<Page<IndexedDevice>> {
    return this.devicesBy('owner', owner, o);
  }

  /** A maker's (its Maker account's) devices by device key. */
  devicesByMaker(
    maker: string,
    o: { cursor?: string; limit?: number } = {},
  ): Promise<Page<IndexedDevice>> {
    return this.devicesBy('maker', maker, o);
  }

  private async devicesBy(
    column: 'owner' | 'maker',
    value: string,
    o: { cursor?: string; limit?: number },
  ): Promise<Page<IndexedDevice>> {
    const limit = Math.min(o.limit ?? 100, MAX_PAGE_LIMIT);
    let after = '';
    if (o.cursor !== undefined) {
      const v = decodeCursor(o.cursor, /^[1-9A-HJ-NP-Za-km-z]{32,44}$/);
      if (v === undefined) throw new InvalidCursorError(o.cursor);
      after = v;
    }
    const rows = await this.db.query<Row>(
      `SELECT ${DEVICE_COLUMNS} FROM devices WHERE ${column} = $1 AND device > $2
        ORDER BY device LIMIT $3`,
      [value, after, limit],
    );
    const items = rows.map(deviceFrom);
    const last = items[items.length - 1];
    return { items, cursor: last ? encodeCursor(last.device) : (o.cursor ?? null) };
  }

  async record(device: string, seq: string): Promise<IndexedRecord | undefined> {
    const rows = await this.db.query<Row>(
      `SELECT ${RECORD_COLUMNS} FROM records WHERE device = $1 AND seq = $2`,
      [device, seq],
    );
    return rows[0] && recordFrom(rows[0]);
  }

  /**
   * A device's records by seq (a device's seq only grows, so records appended later sort
   * after every cursor in ascending order, and before it in descending order: pages never
   * skip or repeat). Time range `[fromTimestamp, toTimestamp)`, class filter.
   */
  async recordsByDevice(
    device: string,
    o: {
      cursor?: string;
      limit?: number;
      order?: 'asc' | 'desc';
      fromTimestamp?: string;
      toTimestamp?: string;
      class?: number;
    } = {},
  ): Promise<Page<IndexedRecord>> {
    const limit = Math.min(o.limit ?? 100, MAX_PAGE_LIMIT);
    const desc = o.order === 'desc';
    const where = ['device = $1'];
    const params: unknown[] = [device];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (o.cursor !== undefined) {
      const v = decodeCursor(o.cursor, /^(0|[1-9][0-9]{0,19})$/);
      if (v === undefined) throw new InvalidCursorError(o.cursor);
      add(desc ? 'seq < ?' : 'seq > ?', v);
    }
    if (o.fromTimestamp !== undefined) add('timestamp >= ?', o.fromTimestamp);
    if (o.toTimestamp !== undefined) add('timestamp < ?', o.toTimestamp);
    if (o.class !== undefined) add('class = ?', o.class);
    params.push(limit);
    const rows = await this.db.query<Row>(
      `SELECT ${RECORD_COLUMNS} FROM records WHERE ${where.join(' AND ')}
        ORDER BY records.seq ${desc ? 'DESC' : 'ASC'} LIMIT $${params.length}`,
      params,
    );
    const items = rows.map(recordFrom);
    const last = items[items.length - 1];
    return { items, cursor: last ? encodeCursor(last.seq) : (o.cursor ?? null) };
  }

  /**
   * The transactions that touched `device` (its registration and every leaf update, its
   * records, its attestations), in the order they were applied (`order` `desc`: newest
   * first); the cursor is the position of the previous page's last one.
   */
  async signaturesForDevice(
    device: string,
    o: { cursor?: string; limit?: number; order?: 'asc' | 'desc' } = {},
  ): Promise<Page<DeviceSignature>> {
    const limit = Math.min(o.limit ?? 100, MAX_PAGE_LIMIT);
    const desc = o.order === 'desc';
    const params: unknown[] = [device, limit];
    let after = '';
    if (o.cursor !== undefined) {
      const v = decodeCursor(o.cursor, /^[1-9][0-9]{0,18}$/);
      if (v === undefined) throw new InvalidCursorError(o.cursor);
      params.push(v);
      after = desc ? 'AND t.ordinal < $3' : 'AND t.ordinal > $3';
    }
    const rows = await this.db.query<Row>(
      `SELECT t.ordinal::text AS ordinal, t.signature, t.slot::text AS slot FROM transactions t
        WHERE t.signature IN (
          SELECT signature FROM device_versions WHERE device = $1
          UNION SELECT signature FROM records WHERE device = $1
          UNION SELECT signature FROM attestations WHERE device = $1) ${after}
        ORDER BY t.ordinal ${desc ? 'DESC' : 'ASC'} LIMIT $2`,
      params,
    );
    const items = rows.map((r) => ({
      signature: r['signature'] as string,
      slot: Number(r['slot']),
    }));
    const last = rows[rows.length - 1];
    return { items, cursor: last ? encodeCursor(last['ordinal'] as string) : (o.cursor ?? null) };
  }

  async attestation(device: string, seq: string): Promise<IndexedAttestation | undefined> {
    const rows = await this.db.query<Row>(
      `SELECT a.record_tree, a.record_index, a.device, a.model_id::text AS model_id,
        a.seq::text AS seq, a.timestamp::text AS timestamp, a.class, a.score::text AS score,
        a.input_commitment, a.public_input, a.proof, a.submitter, a.device_leaf_index,
        a.device_root, a.slot::text AS slot, a.signature, m.address AS model, m.vk_hash
        FROM attestations a LEFT JOIN models m ON m.network = a.network AND m.model_id = a.model_id
        WHERE a.device = $1 AND a.seq = $2`,
      [device, seq],
    );
    const r = rows[0];
    if (!r) return undefined;
    return {
      recordTree: r['record_tree'] as string,
      recordIndex: Number(r['record_index']),
      device: r['device'] as string,
      modelId: Number(r['model_id']),
      model: (r['model'] as string | null) ?? null,
      vkHash: r['vk_hash'] ? toHex(bytes(r['vk_hash'])) : null,
      seq: r['seq'] as string,
      timestamp: r['timestamp'] as string,
      class: Number(r['class']),
      score: r['score'] as string,
      inputCommitment: toHex(bytes(r['input_commitment'])),
      publicInput: toHex(bytes(r['public_input'])),
      proof: toHex(bytes(r['proof'])),
      submitter: r['submitter'] as string,
      deviceLeafIndex: Number(r['device_leaf_index']),
      deviceRoot: toHex(bytes(r['device_root'])),
      slot: Number(r['slot']),
      signature: r['signature'] as string,
    };
  }

  /**
   * The network's state as a `NetworkFollower` snapshot (follower-snapshot.ts), read in one
   * repeatable-read transaction: one committed state of the store (ingest writes each chain
   * transaction with the cursor in one transaction), never parts of two. Undefined while no
   * transaction of the network is applied (no cursor).
   */
  followerSnapshot(
    network: string,
    registryProgramId: string,
  ): Promise<IndexerResult<'getNetworkSnapshot'> | undefined> {
    return this.db.transaction(async (tx) => {
      await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
      const cursorRows = await tx.query<Row>(
        'SELECT signature, slot::text AS slot FROM ingest_cursor WHERE network = $1',
        [network],
      );
      const c = cursorRows[0];
      if (!c) return undefined;
      const treeRows = await tx.query<Row>(
        `SELECT address, kind, max_depth, canopy_depth, seq::text AS seq FROM trees
          WHERE network = $1 ORDER BY kind, number, address`,
        [network],
      );
      const leafRows = await tx.query<Row>(
        `SELECT DISTINCT ON (l.tree, l.leaf_index) l.tree, l.leaf_index, l.leaf
          FROM tree_leaves l JOIN trees t ON t.address = l.tree
          WHERE t.network = $1 ORDER BY l.tree, l.leaf_index, l.tree_seq DESC`,
        [network],
      );
      const deviceRows = await tx.query<Row>(
        `SELECT ${DEVICE_COLUMNS} FROM devices WHERE network = $1 ORDER BY device`,
        [network],
      );
      // Per device its newest RECORDED_SEQS_PER_DEVICE record seqs, ascending (what the
      // follower keeps: a device's seq only grows, so the newest are the highest).
      const recordedRows = await tx.query<Row>(
        `SELECT device, seq::text AS seq FROM (
            SELECT device, seq, row_number() OVER (PARTITION BY device ORDER BY seq DESC) AS n
            FROM records WHERE network = $1) r
          WHERE n <= $2 ORDER BY device, r.seq`,
        [network, RECORDED_SEQS_PER_DEVICE],
      );

      const leaves = new Map<string, Uint8Array[]>();
      for (const r of leafRows) {
        const tree = r['tree'] as string;
        const list = leaves.get(tree) ?? [];
        const at = Number(r['leaf_index']);
        while (list.length < at) list.push(new Uint8Array(32));
        list[at] = bytes(r['leaf']);
        leaves.set(tree, list);
      }
      const position = new Map<string, number>();
      let records = 0;
      const trees = treeRows.map((r, i) => {
        const address = r['address'] as string;
        position.set(address, i);
        // The table holds what init_tree emitted: a device or a record tree.
        const kind = Number(r['kind']) as typeof TREE_KIND_DEVICE | typeof TREE_KIND_RECORD;
        if (kind === TREE_KIND_RECORD) records += Number(r['seq']);
        return {
          address,
          kind,
          maxDepth: Number(r['max_depth']),
          canopyDepth: Number(r['canopy_depth']),
          seq: r['seq'] as string,
          leaves: Buffer.concat(leaves.get(address) ?? []).toString('base64'),
        };
      });
      const networkKey = new PublicKey(network);
      const devices = deviceRows.map((r): [number, number, string] => {
        const d = deviceFrom(r);
        // A device's tree is always one of the network's (-1: the snapshot is refused).
        const at = position.get(d.tree) ?? -1;
        return [at, d.leafIndex, snapshotDeviceLeaf(networkKey, indexedDeviceLeaf(d))];
      });
      const recorded = new Map<string, string[]>();
      for (const r of recordedRows) {
        const hex = toHex(new PublicKey(r['device'] as string).toBytes());
        const seqs = recorded.get(hex) ?? [];
        seqs.push(r['seq'] as string);
        recorded.set(hex, seqs);
      }
      return {
        version: FOLLOWER_SNAPSHOT_VERSION,
        network,
        registryProgramId,
        cursor: { signature: c['signature'] as string, slot: Number(c['slot']) },
        savedAt: new Date().toISOString(),
        records,
        trees,
        devices,
        recorded: [...recorded],
      };
    });
  }

  async tree(address: string): Promise<(TreeRow & { leafCount: number }) | undefined> {
    const rows = await this.db.query<Row>(
      `SELECT address, network, kind, number::text AS number, max_depth, max_buffer_size,
        canopy_depth, seq::text AS seq, root,
        (SELECT coalesce(max(leaf_index) + 1, 0) FROM tree_leaves l WHERE l.tree = t.address)
          AS leaf_count
        FROM trees t WHERE address = $1`,
      [address],
    );
    const r = rows[0];
    return r && { ...treeFrom(r), leafCount: Number(r['leaf_count']) };
  }

  /** The models of `network`, by model id. */
  async models(network: string): Promise<IndexedModel[]> {
    const rows = await this.db.query<Row>(
      `SELECT address, network, model_id::text AS model_id, version::text AS version,
        onnx_sha256, circuit_sha256, vk_hash, window_size, classes, active,
        slot::text AS slot, signature FROM models WHERE network = $1 ORDER BY model_id`,
      [network],
    );
    return rows.map((r) => ({
      address: r['address'] as string,
      network: r['network'] as string,
      modelId: Number(r['model_id']),
      version: Number(r['version']),
      onnxSha256: toHex(bytes(r['onnx_sha256'])),
      circuitSha256: toHex(bytes(r['circuit_sha256'])),
      vkHash: r['vk_hash'] ? toHex(bytes(r['vk_hash'])) : null,
      window: r['window_size'] === null ? null : Number(r['window_size']),
      classes: r['classes'] === null ? null : Number(r['classes']),
      active: r['active'] as boolean,
      slot: Number(r['slot']),
      signature: r['signature'] as string,
    }));
  }

  /** Row counts of the indexed tables (tests compare two stores with them and `dump`). */
  async dump(): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const [table, order, columns] of [
      ['networks', 'address'],
      ['makers', 'address'],
      ['models', 'address'],
      ['trees', 'address'],
      ['tree_leaves', 'tree, tree_seq'],
      ['device_versions', 'tree, tree_seq'],
      ['devices', 'device'],
      ['records', 'tree, leaf_index'],
      ['attestations', 'record_tree, record_index'],
      // The order applied, without the ordinal's numbers (a rolled-back write leaves holes).
      [
        'transactions',
        'signature',
        'signature, network, slot, events, row_number() OVER (ORDER BY ordinal) AS position',
      ],
      // Without finalized_slot: when the cluster finalizes is timing, not indexed data.
      ['ingest_cursor', 'network', 'network, signature, slot'],
    ] as [string, string, string?][]) {
      const rows = await this.db.query<Row>(
        `SELECT ${columns ?? '*'} FROM ${table} ORDER BY ${order}`,
      );
      out[table] = rows.map((r) =>
        Object.fromEntries(
          Object.entries(r).map(([k, v]) => [k, v instanceof Uint8Array ? toHex(v) : String(v)]),
        ),
      );
    }
    return out;
  }
}

export type { IndexedTree };
