/**
 * The local validator (zkpin-validator: an offline surfnet on surfpool-core) answers the
 * JSON-RPC methods zkpin's services and the indexer use, checked one by one against real
 * transactions: programs deployed through the upgradeable loader, a CPI whose inner
 * instruction must come back from getTransaction, logsSubscribe with a `mentions` filter,
 * getSignaturesForAddress paging with before/until, getBlock, and a ledger that survives a
 * restart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keypair, PublicKey, Transaction, TransactionInstruction } from '@solana/web3.js';
import { RpcChain, type ChainTransaction } from '@zkpin/sdk';
import { airdrop, programPath, startValidator, type LocalValidator } from '@zkpin/sdk/testing';
import { deployProgram } from '../migrations/lib/deploy-program.ts';

let ledger: string;
let validator: LocalValidator;
let chain: RpcChain;
const payer = Keypair.generate();
const callee = Keypair.generate();
const probe = Keypair.generate();

async function fund(c: RpcChain, to: PublicKey, sol: number) {
  await airdrop(c.connection, to, sol);
}

/** toolchain_probe op 5: a CPI into probe_callee signed by the probe's PDA. */
function cpi(payload: string): Transaction {
  const [pda] = PublicKey.findProgramAddressSync([Buffer.from('probe-signer')], probe.publicKey);
  return new Transaction().add(
    new TransactionInstruction({
      programId: probe.publicKey,
      keys: [
        { pubkey: pda, isSigner: false, isWritable: false },
        { pubkey: callee.publicKey, isSigner: false, isWritable: false },
      ],
      data: Buffer.concat([Buffer.from([5]), Buffer.from(payload)]),
    }),
  );
}

beforeAll(async () => {
  ledger = mkdtempSync(join(tmpdir(), 'zkpin-ledger-'));
  validator = await startValidator({ ledger });
  chain = new RpcChain(validator.rpcUrl, { wsUrl: validator.wsUrl });
  await fund(chain, payer.publicKey, 100);
  for (const [program, name] of [
    [callee, 'probe_callee'],
    [probe, 'toolchain_probe'],
  ] as const) {
    const elf = new Uint8Array(readFileSync(programPath(name)));
    const r = await deployProgram({ chain, payer, program, authority: payer, elf });
    expect(r.outcome).toBe('deployed');
  }
}, 300_000);

afterAll(async () => {
  await chain?.close();
  await validator?.stop();
  rmSync(ledger, { recursive: true, force: true });
});

describe('zkpin-validator JSON-RPC', () => {
  it('deploys through the upgradeable loader; a second run is a no-op', async () => {
    const info = await chain.getAccountInfo(probe.publicKey);
    expect(info?.executable).toBe(true);
    const elf = new Uint8Array(readFileSync(programPath('toolchain_probe')));
    const again = await deployProgram({ chain, payer, program: probe, authority: payer, elf });
    expect(again).toMatchObject({ outcome: 'unchanged', transactions: 0 });
  });

  it('sendTransaction + getTransaction: a CPI comes back with its inner instruction', async () => {
    const seen: ChainTransaction[] = [];
    const off = chain.onTransaction(probe.publicKey, (tx) => seen.push(tx)); // logsSubscribe mentions
    // The subscription becomes active asynchronously: ping until one comes back.
    for (let i = 0; i < 40 && seen.length === 0; i++) {
      await chain.send(cpi(`warm-up ${i}`), [payer]);
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(seen.length).toBeGreaterThan(0);
    await new Promise((res) => setTimeout(res, 500));
    seen.length = 0;
    const r = await chain.send(cpi('ping'), [payer]);
    expect(r.returnData.subarray(32).toString()).toBe('ping');
    expect(r.innerInstructions.map((i) => i.programId.toBase58())).toContain(
      callee.publicKey.toBase58(),
    );
    // A transaction that does not mention the probe must not reach its subscriber.
    await fund(chain, Keypair.generate().publicKey, 1);
    const deadline = Date.now() + 10_000;
    while (seen.length === 0 && Date.now() < deadline)
      await new Promise((res) => setTimeout(res, 100));
    off();
    expect(seen.map((t) => t.signature)).toEqual([r.signature]);
  });

  it('getSignaturesForAddress pages with before/until; getBlock holds the transaction', async () => {
    const sigs: string[] = [];
    for (const p of ['a', 'b', 'c', 'd']) sigs.push((await chain.send(cpi(p), [payer])).signature);
    const c = chain.connection;
    const newest = await c.getSignaturesForAddress(probe.publicKey, { limit: 2 }, 'confirmed');
    expect(newest.map((s) => s.signature)).toEqual([sigs[3], sigs[2]]);
    const older = await c.getSignaturesForAddress(
      probe.publicKey,
      { before: sigs[2], until: sigs[0], limit: 10 },
      'confirmed',
    );
    expect(older.map((s) => s.signature)).toEqual([sigs[1]]);
    const history = await chain.history(probe.publicKey);
    expect(history.map((t) => t.signature).slice(-4)).toEqual(sigs);
    const tx = await c.getTransaction(sigs[3]!, {
      commitment: 'confirmed',
      maxSupportedTransactionVersion: 0,
    });
    // Raw JSON-RPC: web3.js's getBlock parser rejects surfpool 1.3.1's `json` encoding
    // (accountKeys come as objects), so the indexer reads blocks with `signatures` details.
    const res = await fetch(validator.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'getBlock',
        params: [
          tx!.slot,
          { commitment: 'confirmed', transactionDetails: 'signatures', rewards: false },
        ],
      }),
    });
    const block = (await res.json()) as { result?: { signatures?: string[] } };
    expect(block.result?.signatures).toContain(sigs[3]);
    expect(await chain.slot()).toBeGreaterThanOrEqual(BigInt(tx!.slot));
  });

  it('keeps its ledger across a restart', async () => {
    await chain.close();
    await validator.stop();
    validator = await startValidator({ ledger });
    chain = new RpcChain(validator.rpcUrl, { wsUrl: validator.wsUrl });
    expect((await chain.getAccountInfo(probe.publicKey))?.executable).toBe(true);
    const r = await chain.send(cpi('again'), [payer]);
    expect(r.returnData.subarray(32).toString()).toBe('again');
  });
});
