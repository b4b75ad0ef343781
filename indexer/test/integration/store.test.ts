/**
 * The store on real PGlite and real Postgres: migrations applied once and recorded, a
 * database newer than the build refused; record pages that never skip or repeat while the
 * device's records are appended concurrently; filters and cursors; a batch written in bulk
 * leaves what its transactions applied one by one leave, and one holding a transaction
 * applied before changes nothing; each device's newest record kept on its row (one by one, in
 * batches, and filled in by migration 0005).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Keypair } from '@solana/web3.js';
import { IndexerError } from '../../src/errors.ts';
import { openDatabase } from '../../src/database.ts';
import { migrate, readMigrations } from '../../src/migrations.ts';
import { IndexerStore, InvalidCursorError } from '../../src/store.ts';
import type { AppliedTransaction } from '../../src/store.ts';
import type { Change, DeviceChange, RecordChange } from '../../src/transaction-decoder.ts';
import { STORE_KINDS, testDatabase, type TestDatabase } from '../support/stores.ts';

const network = Keypair.generate().publicKey.toBase58();
const tree = Keypair.generate().publicKey.toBase58();

/** A record change as ingest would write it (the store does not check leaves against trees). */
function record(device: string, seq: number): RecordChange {
  const b = (v: number) => new Uint8Array(32).fill(v % 256);
  return {
    kind: 'record',
    tree,
    leafIndex: seq,
    treeSeq: BigInt(seq + 1),
    leaf: b(seq),
    device,
    modelId: 1,
    seq: BigInt(seq + 1),
    timestamp: BigInt(1_767_225_600 + seq * 60),
    class: seq % 3,
    score: BigInt(seq * 10 - 50),
    inputCommitment: b(seq + 1),
    publicInput: b(seq + 2),
  };
}

async function append(store: IndexerStore, device: string, seq: number): Promise<void> {
  await store.apply(network, {
    signature: `sig-${device.slice(0, 8)}-${seq}`,
    slot: 100 + seq,
    changes: [record(device, seq)],
    heads: new Map(),
    vkHashes: new Map(),
  });
}

/** Device `device`'s leaf version `treeSeq` in device tree `deviceTree` (leaf 0). */
function deviceVersion(deviceTree: string, device: string, treeSeq: number): DeviceChange {
  return {
    kind: 'device',
    event: treeSeq === 1 ? 'registered' : 'updated',
    tree: deviceTree,
    leafIndex: 0,
    treeSeq: BigInt(treeSeq),
    leaf: new Uint8Array(32).fill(100 + treeSeq),
    device,
    owner: Keypair.generate().publicKey.toBase58(),
    maker: 'maker',
    bjjKeyHash: new Uint8Array(32).fill(7),
    modelId: 1,
    seq: BigInt(treeSeq - 1),
    status: 0,
  };
}

function transaction(
  n: number,
  changes: Change[],
  heads: [string, number][] = [],
): AppliedTransaction {
  return {
    signature: `batch-${n}`,
    slot: 200 + n,
    changes,
    heads: new Map(
      heads.map(([t, seq]) => [t, { seq: BigInt(seq), root: new Uint8Array(32).fill(seq) }]),
    ),
    vkHashes: new Map(),
  };
}

/**
 * A device registered, then updated twice in the same batch (with a record and its
 * attestation in between), in trees created by the batch's first transaction.
 */
function batch(): AppliedTransaction[] {
  const deviceTree = Keypair.generate().publicKey.toBase58();
  const device = Keypair.generate().publicKey.toBase58();
  const shape = { number: 0, maxDepth: 20, maxBufferSize: 64, canopyDepth: 10 };
  const r = record(device, 0);
  return [
    transaction(
      1,
      [
        { kind: 'tree', address: deviceTree, treeKind: 0, ...shape },
        { kind: 'tree', address: tree, treeKind: 1, ...shape },
        deviceVersion(deviceTree, device, 1),
      ],
      [[deviceTree, 1]],
    ),
    transaction(
      2,
      [
        deviceVersion(deviceTree, device, 2),
        r,
        {
          kind: 'attestation',
          recordTree: tree,
          recordIndex: r.leafIndex,
          device,
          modelId: 1,
          seq: r.seq,
          submitter: 'submitter',
          publicInput: r.publicInput,
          proof: new Uint8Array(256).fill(9),
          timestamp: r.timestamp,
          inputCommitment: r.inputCommitment,
          class: r.class,
          score: r.score,
          deviceLeafIndex: 0,
          deviceRoot: new Uint8Array(32).fill(2),
        },
      ],
      [
        [deviceTree, 2],
        [tree, 1],
      ],
    ),
    transaction(3, [deviceVersion(deviceTree, device, 3)], [[deviceTree, 3]]),
  ];
}

describe.each(STORE_KINDS)('store on %s', (kind) => {
  let tdb: TestDatabase;
  let store: IndexerStore;

  beforeEach(async () => {
    tdb = await testDatabase(kind);
    store = await tdb.open();
  });

  afterEach(async () => {
    await store.close();
    await tdb.drop();
  });

  it('applies each migration once and records it; refuses a database newer than the build', async () => {
    const known = readMigrations();
    expect(known.map((m) => m.version)).toEqual(known.map((_, i) => i + 1));
    expect(await migrate(store.db)).toEqual([]); // already applied by open()
    const rows = await store.db.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    expect(rows.map((r) => [Number(r.version), r.name])).toEqual(
      known.map((m) => [m.version, m.name]),
    );
    await store.db.query("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')");
    const e = await migrate(store.db).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(IndexerError);
    expect((e as IndexerError).code).toBe('INDEXER_MIGRATIONS');
  });

  it('pages never skip or repeat while records are appended', async () => {
    const device = Keypair.generate().publicKey.toBase58();
    for (let i = 0; i < 20; i++) await append(store, device, i);
    let appended = 20;
    const appender = (async () => {
      for (; appended < 80; appended++) {
        await append(store, device, appended);
        await new Promise((r) => setTimeout(r, 1));
      }
    })();
    // Pages of 7 while records are appended: a short page is the end for now, and the same
    // cursor later picks up what was appended since.
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    for (;;) {
      const done = appended >= 80;
      const page = await store.recordsByDevice(device, { limit: 7, cursor });
      seen.push(...page.items.map((r) => r.seq));
      pages += 1;
      cursor = page.cursor ?? undefined;
      if (page.items.length < 7) {
        if (done) break;
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    await appender;
    expect(pages).toBeGreaterThan(11);
    expect(seen).toEqual(Array.from({ length: 80 }, (_, i) => String(i + 1)));
  });

  it('filters by time range and class, orders both ways, refuses foreign cursors', async () => {
    const device = Keypair.generate().publicKey.toBase58();
    for (let i = 0; i < 12; i++) await append(store, device, i);
    const t = (i: number) => String(1_767_225_600 + i * 60);
    const range = await store.recordsByDevice(device, { fromTimestamp: t(3), toTimestamp: t(7) });
    expect(range.items.map((r) => r.seq)).toEqual(['4', '5', '6', '7']);
    const cls = await store.recordsByDevice(device, { class: 1 });
    expect(cls.items.map((r) => r.seq)).toEqual(['2', '5', '8', '11']);
    const desc = await store.recordsByDevice(device, { order: 'desc', limit: 5 });
    expect(desc.items.map((r) => r.seq)).toEqual(['12', '11', '10', '9', '8']);
    const next = await store.recordsByDevice(device, { order: 'desc', cursor: desc.cursor! });
    expect(next.items.map((r) => r.seq)).toEqual(['7', '6', '5', '4', '3', '2', '1']);
    expect(next.cursor).toBe(`v1:1`);
    expect(next.items[0]).toMatchObject({ score: '10', class: 0, leafIndex: 6, treeSeq: '7' });
    await expect(store.recordsByDevice(device, { cursor: 'abc' })).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
    // The same transaction again changes nothing (its signature is known).
    const before = await store.dump();
    await append(store, device, 3);
    expect(await store.dump()).toEqual(before);
  });

  it('writes a batch in bulk as its transactions one by one; a batch with one applied before changes nothing', async () => {
    const ts = batch();
    const device = (ts[0]!.changes[2] as DeviceChange).device;
    const deviceTree = (ts[0]!.changes[0] as { address: string }).address;
    const oneByOne = await testDatabase(kind);
    const reference = await oneByOne.open();
    try {
      for (const t of ts) expect(await reference.apply(network, t)).toBe(true);
      await store.applyMany(network, ts);
      const dump = await store.dump();
      expect(dump).toEqual(await reference.dump());
    } finally {
      await reference.close();
      await oneByOne.drop();
    }
    // The device's newest version (updated twice in the batch) and its record (written after
    // the device's row, registered in the same batch), the trees' newest heads, the cursor at
    // the batch's last transaction, the transactions in the batch's order.
    expect(await store.device(device)).toMatchObject({
      treeSeq: '3',
      seq: '2',
      lastRecordTimestamp: String(1_767_225_600),
      lastRecordSlot: 202,
    });
    expect((await store.deviceVersions(device)).map((d) => d.treeSeq)).toEqual(['1', '2', '3']);
    const trees = await store.trees(network);
    expect(trees.map((t) => [t.address, t.seq])).toEqual(
      [
        [deviceTree, 3n],
        [tree, 1n],
      ].sort((a, b) => (String(a[0]) < String(b[0]) ? -1 : 1)),
    );
    expect(await store.cursor(network)).toEqual({ signature: 'batch-3', slot: 203 });
    expect((await store.signaturesForDevice(device)).items.map((s) => s.signature)).toEqual([
      'batch-1',
      'batch-2',
      'batch-3',
    ]);
    expect(await store.record(device, '1')).toMatchObject({ leafIndex: 0, treeSeq: '1' });
    expect(await store.attestation(device, '1')).toMatchObject({ recordIndex: 0 });

    // A batch holding a transaction applied before: throws, having changed nothing.
    const before = await store.dump();
    const fresh = transaction(4, [deviceVersion(deviceTree, device, 4)], [[deviceTree, 4]]);
    await expect(store.applyMany(network, [fresh, ts[1]!])).rejects.toThrow(
      'transaction batch-2 was applied already',
    );
    expect(await store.dump()).toEqual(before);
    expect(await store.hasTransaction('batch-4')).toBe(false);
    expect(await store.apply(network, ts[2]!)).toBe(false);
    expect(await store.dump()).toEqual(before);
    // The same transaction twice in one batch is refused too.
    await expect(store.applyMany(network, [fresh, fresh])).rejects.toThrow(
      'transaction batch-4 was applied already',
    );
    expect(await store.dump()).toEqual(before);
  });

  it("keeps each device's newest record on its row: null before any, then the highest seq's timestamp and slot, never moved back", async () => {
    const deviceTree = Keypair.generate().publicKey.toBase58();
    const owner = Keypair.generate().publicKey.toBase58();
    const [a, b] = [Keypair.generate(), Keypair.generate()].map((k) => k.publicKey.toBase58());
    const t = (i: number) => String(1_767_225_600 + i * 60);
    const newest = async () => {
      const page = await store.devicesByOwner(owner);
      const byMaker = await store.devicesByMaker('maker');
      const many = await store.devices([a!, b!]);
      const out = [a!, b!].map((d) => {
        const one = page.items.find((x) => x.device === d)!;
        // Every read of a device answers the same.
        expect(byMaker.items.find((x) => x.device === d)).toEqual(one);
        expect(many.get(d)).toEqual(one);
        return [one.lastRecordTimestamp, one.lastRecordSlot];
      });
      expect(await store.device(a!)).toMatchObject({
        lastRecordTimestamp: out[0]![0],
        lastRecordSlot: out[0]![1],
      });
      return out;
    };
    await store.apply(
      network,
      transaction(10, [
        { ...deviceVersion(deviceTree, a!, 1), owner },
        { ...deviceVersion(deviceTree, b!, 1), owner, leafIndex: 1, treeSeq: 2n },
      ]),
    );
    expect(await newest()).toEqual([
      [null, null],
      [null, null],
    ]);

    // One by one (slot 211), then a batch (slots 212, 213): a's highest seq, b's only record.
    await store.apply(network, transaction(11, [record(a!, 0)]));
    expect(await newest()).toEqual([
      [t(0), 211],
      [null, null],
    ]);
    await store.applyMany(network, [
      transaction(12, [record(a!, 1), record(a!, 2)]),
      transaction(13, [record(b!, 10)]),
    ]);
    expect(await newest()).toEqual([
      [t(2), 212],
      [t(10), 213],
    ]);

    // A record with a lower seq written later (a later time) does not move it back ...
    await store.apply(network, transaction(14, [{ ...record(a!, 7), seq: 0n }]));
    expect(await newest()).toEqual([
      [t(2), 212],
      [t(10), 213],
    ]);
    // ... and the newest is the highest seq's, even with an earlier reading time.
    await store.applyMany(network, [
      transaction(15, [{ ...record(a!, 8), timestamp: BigInt(t(-5)) }]),
    ]);
    expect(await newest()).toEqual([
      [t(-5), 215],
      [t(10), 213],
    ]);
  });

  it("migration 0005 fills in existing devices' newest records", async () => {
    const old = await testDatabase(kind);
    const db = await openDatabase(old.config);
    try {
      const migrations = readMigrations();
      expect(migrations[4]?.name).toBe('device_last_record');
      await migrate(db, migrations.slice(0, 4));
      const [a, b] = [Keypair.generate(), Keypair.generate()].map((k) => k.publicKey.toBase58());
      const zeros = "decode(repeat('00', 32), 'hex')";
      for (const [i, device] of [a!, b!].entries())
        await db.query(
          `INSERT INTO devices (device, network, tree, leaf_index, tree_seq, owner, maker,
            bjj_key_hash, model_id, seq, status, leaf, slot, signature)
            VALUES ($1, $2, 'tree', $3, $3 + 1, 'owner', 'maker', ${zeros}, 1, 0, 1, ${zeros},
              100, 'sig')`,
          [device, network, i],
        );
      // a's records written out of seq order; b has none.
      for (const [seq, timestamp, slot] of [
        [2, 5_000, 120],
        [3, 4_000, 130],
        [1, 6_000, 110],
      ])
        await db.query(
          `INSERT INTO records (tree, leaf_index, tree_seq, network, device, seq, model_id,
            timestamp, class, score, input_commitment, public_input, leaf, slot, signature)
            VALUES ('rtree', $1, $1 + 1, $2, $3, $1, 1, $4, 0, 0, ${zeros}, ${zeros}, ${zeros},
              $5, 'sig')`,
          [seq, network, a!, timestamp, slot],
        );
      expect(await migrate(db, migrations.slice(0, 5))).toEqual([5]);
      const migrated = await IndexerStore.open(db);
      expect(await migrated.device(a!)).toMatchObject({
        lastRecordTimestamp: '4000',
        lastRecordSlot: 130,
      });
      expect(await migrated.device(b!)).toMatchObject({
        lastRecordTimestamp: null,
        lastRecordSlot: null,
      });
    } finally {
      await db.close();
      await old.drop();
    }
  });

  it('migration 0006 adds the model shape: null for models indexed before, written from the event after', async () => {
    const old = await testDatabase(kind);
    const db = await openDatabase(old.config);
    try {
      const migrations = readMigrations();
      expect(migrations[5]?.name).toBe('model_shape');
      await migrate(db, migrations.slice(0, 5));
      const before = Keypair.generate().publicKey.toBase58();
      const zeros = "decode(repeat('00', 32), 'hex')";
      await db.query(
        `INSERT INTO models (address, network, model_id, version, onnx_sha256, circuit_sha256,
          vk_hash, active, slot, signature) VALUES ($1, $2, 1, 1, ${zeros}, ${zeros}, NULL, true,
          100, 'sig')`,
        [before, network],
      );
      expect(await migrate(db, migrations.slice(0, 6))).toEqual([6]);
      const migrated = await IndexerStore.open(db);
      const after = Keypair.generate().publicKey.toBase58();
      await migrated.apply(network, {
        signature: 'sig-model-2',
        slot: 101,
        changes: [
          {
            kind: 'model',
            address: after,
            modelId: 2,
            version: 3,
            onnxSha256: new Uint8Array(32).fill(1),
            circuitSha256: new Uint8Array(32).fill(2),
            window: 465,
            classes: 255,
          },
        ],
        heads: new Map(),
        vkHashes: new Map([[after, new Uint8Array(32).fill(3)]]),
      });
      expect(await migrated.models(network)).toEqual([
        expect.objectContaining({ address: before, modelId: 1, window: null, classes: null }),
        {
          address: after,
          network,
          modelId: 2,
          version: 3,
          onnxSha256: '01'.repeat(32),
          circuitSha256: '02'.repeat(32),
          vkHash: '03'.repeat(32),
          window: 465,
          classes: 255,
          active: true,
          slot: 101,
          signature: 'sig-model-2',
        },
      ]);
      expect(await migrated.models(Keypair.generate().publicKey.toBase58())).toEqual([]);
    } finally {
      await db.close();
      await old.drop();
    }
  });
});
