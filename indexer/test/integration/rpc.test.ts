/**
 * The JSON-RPC API end to end on real PGlite and real Postgres: an indexer on a local network
 * (embedded chain), every method through `IndexerClient`, proofs verified by the client and
 * accepted on-chain (transfer_device with the indexer's device proof; record proofs against
 * the record tree account's root), real attestations (the committed vector's two Groth16
 * proofs) with their proof bytes and vk hash, the JSON-RPC errors of bad requests, the rate
 * limit, and a corrupted replica rebuilt from the chain's history (or, when the history cannot
 * rebuild it, refused with TREE_NOT_IN_SYNC).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import BN from 'bn.js';
import { Keypair, PublicKey } from '@solana/web3.js';
import {
  DEVICE_STATUS_REVOKED,
  INDEXER_ERROR_CODES,
  IndexerClient,
  fromHex,
  indexerMethods,
  isIndexerClientError,
  proofAccounts,
  toHex,
  treeAccountRoot,
  treeAccountSequenceNumber,
  verifyingKeyHash,
  type DeviceLeaf,
} from '@zkpin/sdk';
import { localNetwork, type LocalNetwork } from '@zkpin/sdk/testing';
import { AttestedNetwork } from '../../../bench/attestation-scenario.ts';
import type { IndexerStore } from '../../src/store.ts';
import { post, startIndexer, type TestIndexer } from '../support/indexer.ts';
import { STORE_KINDS, testDatabase, type TestDatabase } from '../support/stores.ts';

describe.each(STORE_KINDS)('JSON-RPC on %s', (kind) => {
  let tdb: TestDatabase;
  let store: IndexerStore;
  let indexer: TestIndexer | undefined;

  beforeEach(async () => {
    tdb = await testDatabase(kind);
    store = await tdb.open();
  });

  afterEach(async () => {
    await indexer?.stop();
    indexer = undefined;
    await store.close();
    await tdb.drop();
  });

  describe('devices and trees', () => {
    let net: LocalNetwork;

    beforeEach(async () => {
      net = await localNetwork();
    });
    afterEach(() => net.close());

    it('answers devices, owners (paged), trees, slot and health; a device proof verifies and transfer_device accepts it', async () => {
      const a = await net.registerDevice();
      const b = await net.registerDevice();
      const c = await net.registerDevice();
      // A second model of another shape (the reference model is 16 readings, 4 classes).
      const model2 = await net.registerModel({
        modelId: 2,
        verifyingKey: net.verifyingKey,
        window: 48,
        classes: 3,
      });
      indexer = await startIndexer(net.embedded, store, net.setup.network, {
        client: { chain: net.embedded },
      });
      const client = indexer.client;
      const ids = [a, b, c].map((d) => d.leaf.device.toBase58());

      const got = await client.getDevice({ device: ids[0]! });
      expect(got.context.slot).toBe(indexer.ingest.slot);
      expect(got.value).toMatchObject({
        device: ids[0],
        network: net.setup.network.toBase58(),
        tree: net.setup.deviceTree.toBase58(),
        leafIndex: a.leafIndex,
        owner: net.owner.publicKey.toBase58(),
        seq: '0',
        status: 1,
        // No record yet.
        lastRecordTimestamp: null,
        lastRecordSlot: null,
      });

      // Pages of one: every device once, in device-key order, then no cursor.
      const seen: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await client.getDevicesByOwner({
          owner: net.owner.publicKey.toBase58(),
          limit: 1,
          cursor,
        });
        seen.push(...page.value.items.map((d) => d.device));
        if (page.value.items.length < 1) break;
        cursor = page.value.cursor!;
      }
      expect(seen).toEqual([...ids].sort());

      // By keys (in the order asked, null for an unknown one), by maker, all trees.
      const unknown = Keypair.generate().publicKey.toBase58();
      const many = await client.getDevices({ devices: [ids[2]!, unknown, ids[0]!] });
      expect(many.value.map((d) => d?.device ?? null)).toEqual([ids[2], null, ids[0]]);
      const byMaker = await client.getDevicesByMaker({ maker: net.setup.maker.toBase58() });
      expect(byMaker.value.items.map((d) => d.device)).toEqual([...ids].sort());
      const trees = await client.getTrees();
      expect(trees.value.map((t) => [t.address, t.kind]).sort()).toEqual(
        [
          [net.setup.deviceTree.toBase58(), 'device'],
          [net.setup.recordTree.toBase58(), 'record'],
        ].sort(),
      );
      // Models, by id, with their shapes from the ModelRegistered events.
      const models = (await client.getModels()).value;
      expect(models.map((m) => [m.modelId, m.address, m.window, m.classes, m.active])).toEqual([
        [1, net.setup.model.toBase58(), 16, 4, true],
        [2, model2.toBase58(), 48, 3, true],
      ]);
      expect(models[1]).toMatchObject({
        network: net.setup.network.toBase58(),
        version: 1,
        vkHash: verifyingKeyHash(net.verifyingKey),
        circuitSha256: '00'.repeat(32),
      });
      const proofs = await client.getDeviceProofs({ devices: [ids[0]!, unknown, ids[2]!] });
      expect(proofs.value.map((p) => p?.proof.leafIndex ?? null)).toEqual([
        a.leafIndex,
        null,
        c.leafIndex,
      ]);

      // The indexer's proof, checked by the client (leaf, path, root against the account) ...
      const { value: proved } = await client.getDeviceProof({ device: ids[1]! });
      const info = (await net.embedded.getAccountInfo(net.setup.deviceTree))!;
      expect(proved.proof.root).toBe(toHex(treeAccountRoot(info.data)));
      expect(proved.proof.rootSeq).toBe(treeAccountSequenceNumber(info.data).toString());
      expect(proved.proof.proofWithoutCanopy).toHaveLength(
        net.setup.deviceTreeShape.maxDepth - net.setup.deviceTreeShape.canopyDepth,
      );
      // ... and accepted by device_registry.
      const newOwner = Keypair.generate();
      const d = proved.device;
      const leaf: DeviceLeaf = {
        device: new PublicKey(d.device),
        owner: new PublicKey(d.owner),
        maker: new PublicKey(d.maker),
        bjjKeyHash: Array.from(fromHex(d.bjjKeyHash)),
        modelId: d.modelId,
        seq: new BN(d.seq),
        status: d.status,
      };
      await net.registry.methods
        .transferDevice({
          current: {
            leaf,
            leafIndex: proved.proof.leafIndex,
            root: Array.from(fromHex(proved.proof.root)),
          },
          newOwner: newOwner.publicKey,
        })
        .accountsPartial({
          signer: net.owner.publicKey,
          network: net.setup.network,
          deviceTree: net.setup.deviceTree,
        })
        .remainingAccounts(proofAccounts(proved.proof.proofWithoutCanopy.map(fromHex)))
        .signers([net.owner])
        .rpc();
      await indexer.ingest.idle();
      const moved = await client.getDevice({
        device: ids[1]!,
        minContextSlot: indexer.ingest.slot,
      });
      expect(moved.value.owner).toBe(newOwner.publicKey.toBase58());
      expect(moved.value.treeSeq).toBe('4');
      // The proof after the transfer is of the new leaf, and revoke_device accepts it too.
      await net.revokeDevice(b, { signer: newOwner });
      await indexer.ingest.idle();
      expect((await client.getDevice({ device: ids[1]! })).value.status).toBe(
        DEVICE_STATUS_REVOKED,
      );
      const after = await client.getDeviceProof({ device: ids[1]! });
      expect(after.value.proof.rootSeq).toBe('5');

      const tree = await client.getTree({ tree: net.setup.deviceTree.toBase58() });
      const treeInfo = (await net.embedded.getAccountInfo(net.setup.deviceTree))!;
      expect(tree.value).toMatchObject({
        kind: 'device',
        seq: '5',
        leafCount: 3,
        root: toHex(treeAccountRoot(treeInfo.data)),
        maxDepth: net.setup.deviceTreeShape.maxDepth,
        canopyDepth: net.setup.deviceTreeShape.canopyDepth,
      });
      const slot = await client.getIndexerSlot();
      expect(slot.value).toBe(indexer.ingest.slot);
      const health = await client.getIndexerHealth();
      expect(health.value.status).toBe('ok');
      expect(health.value.lagSlots).toBeLessThanOrEqual(1);
      expect(indexer.ingest.stats.rootMismatches).toBe(0);

      // Prometheus: ingest counters, slot, lag, request latency by method.
      const metrics = await (await fetch(new URL('/metrics', indexer.url))).text();
      const value = (name: string) =>
        Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1]);
      expect(value('zkpin_indexer_transactions_total')).toBe(indexer.ingest.stats.transactions);
      expect(value('zkpin_indexer_root_mismatches_total')).toBe(0);
      expect(value('zkpin_indexer_slot')).toBe(indexer.ingest.slot);
      expect(value('zkpin_indexer_up')).toBe(1);
      expect(metrics).toMatch(
        /zkpin_indexer_request_seconds_count\{method="getDeviceProof",outcome="ok"\} [1-9]/,
      );
    });

    it('a tampered proof is refused by IndexerClient with INDEXER_BAD_PROOF', async () => {
      const a = await net.registerDevice();
      indexer = await startIndexer(net.embedded, store, net.setup.network);
      const tamper = (async (input: RequestInfo | URL, init?: RequestInit) => {
        const res = await fetch(input, init);
        const body = (await res.json()) as {
          result: { value: { proof: { proof: string[]; proofWithoutCanopy: string[] } } };
        };
        const p = body.result.value.proof;
        p.proof[0] = 'ff'.repeat(32);
        p.proofWithoutCanopy[0] = 'ff'.repeat(32);
        return new Response(JSON.stringify(body), { status: 200 });
      }) as typeof fetch;
      const client = new IndexerClient(indexer.url, { fetch: tamper });
      const e = await client
        .getDeviceProof({ device: a.leaf.device.toBase58() })
        .catch((x: unknown) => x);
      expect(isIndexerClientError(e, 'INDEXER_BAD_PROOF')).toBe(true);
      expect((e as Error).message).toMatch(/does not lead from the leaf to the root/);
    });

    it('a replica whose root differs from the chain is rebuilt from the history and served again', async () => {
      const a = await net.registerDevice();
      indexer = await startIndexer(net.embedded, store, net.setup.network, {
        client: { chain: net.embedded },
      });
      const tree = net.setup.deviceTree.toBase58();
      // Corrupt the replica and the stored change of a's leaf (so the store alone cannot
      // repair it), then a real change of the tree: its root check fails.
      indexer.ingest.replicas.get(tree)!.replica.set(7, new Uint8Array(32).fill(9));
      await store.db.query('UPDATE tree_leaves SET leaf = $2 WHERE tree = $1 AND tree_seq = 1', [
        tree,
        new Uint8Array(32).fill(9),
      ]);
      const b = await net.registerDevice();
      await indexer.ingest.idle();
      expect(indexer.ingest.stats.rootMismatches).toBe(1);
      expect(indexer.ingest.stats.treesRepaired).toBe(1);
      // Served again, checked by the client against the tree account, for both devices.
      for (const d of [a, b]) {
        const p = await indexer.client.getDeviceProof({ device: d.leaf.device.toBase58() });
        expect(p.value.proof.leafIndex).toBe(d.leafIndex);
      }
      expect((await indexer.client.getIndexerHealth()).value.status).toBe('ok');
      const leaves = await store.treeLeaves(tree);
      expect(leaves.map((l) => l.leafIndex)).toEqual([0, 1]);
      expect(toHex(leaves[0]!.leaf)).toBe(
        (await indexer.client.getDevice({ device: a.leaf.device.toBase58() })).value.leafHash,
      );
      const metrics = await (await fetch(new URL('/metrics', indexer.url))).text();
      expect(metrics).toMatch(/^zkpin_indexer_trees_repaired_total 1$/m);
      // The next change is checked against the rebuilt replica: no new mismatch.
      await net.registerDevice();
      await indexer.ingest.idle();
      expect(indexer.ingest.stats.rootMismatches).toBe(1);
    });

    it('a mismatch the history cannot rebuild is not served: TREE_NOT_IN_SYNC, health failed', async () => {
      const a = await net.registerDevice();
      let historyGone = false;
      const chain = new Proxy(net.embedded, {
        get(target, prop, receiver) {
          if (prop === 'history' && historyGone) return () => Promise.resolve([]);
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
        },
      });
      indexer = await startIndexer(chain, store, net.setup.network);
      historyGone = true;
      const tree = indexer.ingest.replicas.get(net.setup.deviceTree.toBase58())!;
      tree.replica.set(7, new Uint8Array(32).fill(9));
      await net.registerDevice();
      await indexer.ingest.idle();
      expect(indexer.ingest.stats.rootMismatches).toBe(1);
      expect(indexer.ingest.stats.treesRepaired).toBe(0);
      const e = await indexer.client
        .getDeviceProof({ device: a.leaf.device.toBase58() })
        .catch((x: unknown) => x);
      expect((e as { context: { rpcCode: number } }).context.rpcCode).toBe(
        INDEXER_ERROR_CODES.TREE_NOT_IN_SYNC,
      );
      const health = await indexer.client.getIndexerHealth();
      expect(health.value.status).toBe('failed');
      expect(health.value.reason).toMatch(/differs from the chain/);
    });

    it('limits requests per client IP: HTTP 429, RATE_LIMITED, Retry-After; batches count each request', async () => {
      indexer = await startIndexer(net.embedded, store, net.setup.network, {
        rateLimit: { perSecond: 1, burst: 3 },
      });
      const req = { jsonrpc: '2.0', id: 1, method: 'getIndexerSlot' };
      const send = (body: unknown) =>
        fetch(indexer!.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      expect((await send([req, req])).status).toBe(200);
      expect((await send(req)).status).toBe(200);
      const limited = await send(req);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      const body = (await limited.json()) as { error: { code: number; message: string } };
      expect(body.error.code).toBe(INDEXER_ERROR_CODES.RATE_LIMITED);
      expect(body.error.message).toMatch(/too many requests from 127\.0\.0\.1/);
      const e = await indexer.client.getIndexerSlot().catch((x: unknown) => x);
      expect((e as { context: { rpcCode: number } }).context.rpcCode).toBe(
        INDEXER_ERROR_CODES.RATE_LIMITED,
      );
      // Metrics are not limited.
      expect((await fetch(new URL('/metrics', indexer.url))).status).toBe(200);
      // Browsers on other origins may call it (CORS preflight, then the answer).
      const preflight = await fetch(indexer.url, {
        method: 'OPTIONS',
        headers: { origin: 'http://app.example', 'access-control-request-method': 'POST' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('content-type');
      expect(limited.headers.get('access-control-allow-origin')).toBe('*');
      // A forged X-Forwarded-For does not give a client a fresh bucket.
      const forged = await fetch(indexer.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7' },
        body: JSON.stringify(req),
      });
      expect(forged.status).toBe(429);
    });

    it('behind a trusted proxy, charges each forwarded client its own bucket', async () => {
      indexer = await startIndexer(net.embedded, store, net.setup.network, {
        rateLimit: { perSecond: 1, burst: 2 },
        trustedProxies: ['127.0.0.1'],
      });
      const as = (client: string) =>
        fetch(indexer!.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            // What a client wrote itself, then what its proxy appended.
            'x-forwarded-for': `203.0.113.1, ${client}`,
          },
          body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getIndexerSlot' }),
        });
      expect((await as('198.51.100.1')).status).toBe(200);
      expect((await as('198.51.100.1')).status).toBe(200);
      const limited = await as('198.51.100.1');
      expect(limited.status).toBe(429);
      expect(((await limited.json()) as { error: { message: string } }).error.message).toMatch(
        /too many requests from 198\.51\.100\.1/,
      );
      expect((await as('198.51.100.2')).status).toBe(200);
    });

    it('answers bad requests with the JSON-RPC error codes', async () => {
      indexer = await startIndexer(net.embedded, store, net.setup.network, {
        maxBatch: 5,
        maxBodyBytes: 8192,
        minContextSlotWaitMs: 100,
      });
      const url = indexer.url;
      const code = (r: { json: unknown }) => (r.json as { error: { code: number } }).error.code;
      const req = (method: string, params?: unknown, id: unknown = 1) => ({
        jsonrpc: '2.0',
        id,
        method,
        params,
      });

      expect(code(await post(url, '{"jsonrpc":'))).toBe(INDEXER_ERROR_CODES.PARSE_ERROR);
      expect(code(await post(url, { id: 1, method: 'getIndexerSlot' }))).toBe(
        INDEXER_ERROR_CODES.INVALID_REQUEST,
      );
      expect(code(await post(url, req('getIndexerSlot', [1])))).toBe(
        INDEXER_ERROR_CODES.INVALID_REQUEST,
      );
      expect(code(await post(url, []))).toBe(INDEXER_ERROR_CODES.INVALID_REQUEST);
      expect(code(await post(url, req('getAsset', {})))).toBe(INDEXER_ERROR_CODES.METHOD_NOT_FOUND);
      expect(code(await post(url, req('getDevice', { device: 'not-a-key' })))).toBe(
        INDEXER_ERROR_CODES.INVALID_PARAMS,
      );
      expect(
        code(await post(url, req('getDevice', { device: net.owner.publicKey.toBase58(), x: 1 }))),
      ).toBe(INDEXER_ERROR_CODES.INVALID_PARAMS);
      const device = Keypair.generate().publicKey.toBase58();
      expect(code(await post(url, req('getRecordsByDevice', { device, limit: 1001 })))).toBe(
        INDEXER_ERROR_CODES.INVALID_PARAMS,
      );
      expect(code(await post(url, req('getRecordsByDevice', { device, cursor: 'v1:x' })))).toBe(
        INDEXER_ERROR_CODES.INVALID_PARAMS,
      );
      expect(code(await post(url, req('getDevice', { device })))).toBe(
        INDEXER_ERROR_CODES.NOT_FOUND,
      );
      const keys = Array.from({ length: 101 }, () => device);
      expect(code(await post(url, req('getDevices', { devices: keys })))).toBe(
        INDEXER_ERROR_CODES.INVALID_PARAMS,
      );
      const far = indexer.ingest.slot + 1_000;
      const late = await post(url, req('getIndexerSlot', { minContextSlot: far }));
      expect(code(late)).toBe(INDEXER_ERROR_CODES.MIN_CONTEXT_SLOT_NOT_REACHED);

      // A batch: one answer per request with an id, in order; a notification gets none.
      const batch = await post(url, [
        req('getIndexerSlot', {}, 'a'),
        { jsonrpc: '2.0', method: 'getIndexerSlot' },
        req('nope', {}, 'b'),
      ]);
      const answers = batch.json as { id: string; result?: unknown; error?: { code: number } }[];
      expect(answers.map((x) => x.id)).toEqual(['a', 'b']);
      expect(answers[0]!.result).toEqual({
        context: { slot: indexer.ingest.slot, finalizedSlot: indexer.ingest.finalizedSlot },
        value: indexer.ingest.slot,
      });
      expect(answers[1]!.error!.code).toBe(INDEXER_ERROR_CODES.METHOD_NOT_FOUND);

      expect(
        code(
          await post(
            url,
            Array.from({ length: 6 }, (_, i) => req('getIndexerSlot', {}, i)),
          ),
        ),
      ).toBe(INDEXER_ERROR_CODES.BATCH_TOO_LARGE);
      const big = await post(url, req('getDevice', { device: 'x'.repeat(10_000) }));
      expect(big.status).toBe(413);
      expect(code(big)).toBe(INDEXER_ERROR_CODES.REQUEST_TOO_LARGE);
      // OpenRPC discovery: every method with its params by name.
      const doc = (await post(url, req('rpc.discover'))).json as {
        result: { openrpc: string; methods: { name: string; params: { name: string }[] }[] };
      };
      expect(doc.result.openrpc).toBe('1.2.6');
      expect(doc.result.methods.map((m) => m.name)).toEqual(Object.keys(indexerMethods));
      const getRecords = doc.result.methods.find((m) => m.name === 'getRecordsByDevice')!;
      expect(getRecords.params.map((p) => p.name)).toContain('fromTimestamp');

      // The client surfaces the indexer's error with its code.
      const e = await indexer.client.getDevice({ device }).catch((x: unknown) => x);
      expect(isIndexerClientError(e, 'INDEXER_RPC_ERROR')).toBe(true);
      expect((e as { context: { rpcCode: number } }).context.rpcCode).toBe(
        INDEXER_ERROR_CODES.NOT_FOUND,
      );
    });
  });

  describe('records and attestations', () => {
    let n: AttestedNetwork;

    beforeEach(async () => {
      n = await AttestedNetwork.create();
    });
    afterEach(() => n.net.close());

    it('indexes real attestations: records, their proofs against the record tree account, the Groth16 proof and vk hash', async () => {
      indexer = await startIndexer(n.net.embedded, store, n.setup.network, {
        client: { chain: n.net.embedded },
      });
      const client = indexer.client;
      await n.submit();
      n.track({ ...n.leaf, seq: new BN(n.vector.seq.toString()) });
      await n.submit(n.nextParams());
      await indexer.ingest.idle();
      const device = n.leaf.device.toBase58();

      const first = await client.getRecord({ device, seq: n.vector.seq.toString() });
      expect(first.value).toMatchObject({
        device,
        tree: n.setup.recordTree.toBase58(),
        leafIndex: 0,
        treeSeq: '1',
        class: n.vector.class,
        score: n.vector.score.toString(),
        timestamp: n.vector.timestamp.toString(),
        inputCommitment: toHex(n.vector.inputCommitment),
        publicInput: toHex(n.vector.publicInput),
      });

      const page = await client.getRecordsByDevice({ device, limit: 1 });
      expect(page.value.items.map((r) => r.seq)).toEqual([n.vector.seq.toString()]);
      const rest = await client.getRecordsByDevice({ device, cursor: page.value.cursor! });
      expect(rest.value.items.map((r) => r.seq)).toEqual([n.vector.next.seq.toString()]);
      const end = await client.getRecordsByDevice({ device, cursor: rest.value.cursor! });
      expect(end.value).toEqual({ items: [], cursor: rest.value.cursor });
      const desc = await client.getRecordsByDevice({ device, order: 'desc' });
      expect(desc.value.items.map((r) => r.leafIndex)).toEqual([1, 0]);
      const byClass = await client.getRecordsByDevice({ device, class: n.vector.next.class });
      expect(byClass.value.items.every((r) => r.class === n.vector.next.class)).toBe(true);
      const before = await client.getRecordsByDevice({
        device,
        toTimestamp: n.vector.next.timestamp.toString(),
      });
      expect(before.value.items.map((r) => r.seq)).toEqual(
        n.vector.next.timestamp > n.vector.timestamp ? [n.vector.seq.toString()] : [],
      );

      // Checked by the client against the record tree account's changelog.
      const proof = await client.getRecordProof({ device, seq: n.vector.seq.toString() });
      const info = (await n.net.embedded.getAccountInfo(n.setup.recordTree))!;
      expect(proof.value.proof.root).toBe(toHex(treeAccountRoot(info.data)));
      expect(proof.value.proof.rootSeq).toBe('2');

      const both = await client.getRecordProofs({
        records: [
          { device, seq: n.vector.seq.toString() },
          { device, seq: '999' },
          { device, seq: n.vector.next.seq.toString() },
        ],
      });
      expect(both.value.map((p) => p?.proof.leafIndex ?? null)).toEqual([0, null, 1]);

      // Every device answer names the newest record (the second), and the device proof still
      // checks (the leaf is rebuilt from the leaf's fields only).
      const second = await client.getRecord({ device, seq: n.vector.next.seq.toString() });
      const last = {
        lastRecordTimestamp: n.vector.next.timestamp.toString(),
        lastRecordSlot: second.value.slot,
      };
      expect((await client.getDevice({ device })).value).toMatchObject(last);
      const owned = await client.getDevicesByOwner({ owner: n.leaf.owner.toBase58() });
      expect(owned.value.items.find((d) => d.device === device)).toMatchObject(last);
      expect((await client.getDevices({ devices: [device] })).value[0]).toMatchObject(last);
      const byMaker = await client.getDevicesByMaker({ maker: n.leaf.maker.toBase58() });
      expect(byMaker.value.items.find((d) => d.device === device)).toMatchObject(last);
      expect((await client.getDeviceProof({ device })).value.device).toMatchObject(last);
      expect((await client.getDeviceProofs({ devices: [device] })).value[0]?.device).toMatchObject(
        last,
      );

      const att = await client.getAttestation({ device, seq: n.vector.next.seq.toString() });
      expect(att.value).toMatchObject({
        recordTree: n.setup.recordTree.toBase58(),
        recordIndex: 1,
        proof: toHex(n.vector.next.proof),
        submitter: n.oracle.publicKey.toBase58(),
        model: n.setup.model.toBase58(),
        vkHash: verifyingKeyHash(n.vector.vk),
        class: n.vector.next.class,
      });
      expect(indexer.ingest.stats.rootMismatches).toBe(0);
    });
  });
});
