/**
 * deployProgram (migrations/lib/deploy-program.ts) against the upgradeable loader itself
 * (LiteSVM's builtin loader v3 behind the `Chain` interface): a first deployment, a second
 * run that sends nothing, an upgrade, a run cut off halfway that resumes, and refusals.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Keypair, PublicKey, Transaction, TransactionInstruction } from '@solana/web3.js';
import { LOADER_V3_PROGRAM_ID, decodeLoaderV3State, type Chain } from '@zkpin/sdk';
import { EmbeddedChain, LocalChain, programPath } from '@zkpin/sdk/testing';
import { deployProgram } from '../lib/deploy-program.ts';

const callee = new Uint8Array(readFileSync(programPath('probe_callee')));
const probe = new Uint8Array(readFileSync(programPath('toolchain_probe')));

function funded(): { chain: EmbeddedChain; local: LocalChain; payer: Keypair } {
  const local = new LocalChain();
  const payer = Keypair.generate();
  local.airdrop(payer.publicKey, 100);
  return { chain: new EmbeddedChain(local), local, payer };
}

/** probe_callee succeeds only when account 0 signed: a real call of the deployed bytes. */
async function call(chain: Chain, program: PublicKey, payer: Keypair) {
  const ix = new TransactionInstruction({
    programId: program,
    keys: [{ pubkey: payer.publicKey, isSigner: true, isWritable: false }],
    data: Buffer.from('hi'),
  });
  return chain.send(new Transaction().add(ix), [payer]);
}

/** A chain whose sends fail from the `n`-th on, like an RPC node that went away mid-run. */
function cutAfter(inner: Chain, n: number): Chain {
  let sent = 0;
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key === 'send')
        return (...args: Parameters<Chain['send']>) =>
          ++sent > n ? Promise.reject(new Error('connection reset')) : target.send(...args);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

describe('deployProgram (upgradeable loader)', () => {
  it('deploys a program that runs, and a second run sends nothing', async () => {
    const { chain, payer } = funded();
    const program = Keypair.generate();
    const first = await deployProgram({ chain, payer, program, authority: payer, elf: callee });
    expect(first.outcome).toBe('deployed');
    expect(first.chunksWritten).toBeGreaterThan(3);
    const acc = await chain.getAccountInfo(program.publicKey);
    expect(acc?.owner.equals(LOADER_V3_PROGRAM_ID)).toBe(true);
    expect(acc?.executable).toBe(true);
    const pd = decodeLoaderV3State((await chain.getAccountInfo(first.programData))!.data);
    expect(pd.kind === 'programData' && pd.authority?.equals(payer.publicKey)).toBe(true);
    const called = await call(chain, program.publicKey, payer);
    expect(Buffer.from(called.returnData).subarray(32).toString()).toBe('hi');

    const again = await deployProgram({ chain, payer, program, authority: payer, elf: callee });
    expect(again).toMatchObject({ outcome: 'unchanged', transactions: 0, chunksWritten: 0 });
  });

  it('upgrades to new bytes with a separate upgrade authority, and refuses a stranger', async () => {
    const { chain, payer } = funded();
    const authority = Keypair.generate();
    const program = Keypair.generate();
    await deployProgram({
      chain,
      payer,
      program,
      authority,
      elf: callee,
      maxDataLen: probe.length + 1024,
    });
    const up = await deployProgram({
      chain,
      payer,
      program: program.publicKey,
      authority,
      elf: probe,
    });
    expect(up.outcome).toBe('upgraded');
    const pd = decodeLoaderV3State((await chain.getAccountInfo(up.programData))!.data);
    expect(pd.kind === 'programData' && Buffer.from(pd.bytes.subarray(0, probe.length))).toEqual(
      Buffer.from(probe),
    );
    await expect(
      deployProgram({ chain, payer, program: program.publicKey, authority: payer, elf: callee }),
    ).rejects.toThrow(/upgrade authority is/);
  });

  it('resumes a deployment cut off halfway: only the missing chunks are written', async () => {
    const { chain, payer } = funded();
    const program = Keypair.generate();
    const o = { payer, program, authority: payer, elf: probe, concurrency: 1 };
    await expect(deployProgram({ ...o, chain: cutAfter(chain, 10) })).rejects.toThrow(
      /connection reset/,
    );
    expect(await chain.getAccountInfo(program.publicKey)).toBeNull();
    const resumed = await deployProgram({ ...o, chain });
    expect(resumed.outcome).toBe('deployed');
    const full = await deployProgram({ ...o, chain, program: Keypair.generate() });
    // 1 send created the buffer and 9 wrote chunks before the cut: 9 fewer chunks now.
    expect(resumed.chunksWritten).toBe(full.chunksWritten - 9);
    const pd = decodeLoaderV3State((await chain.getAccountInfo(resumed.programData))!.data);
    expect(pd.kind === 'programData' && Buffer.from(pd.bytes.subarray(0, probe.length))).toEqual(
      Buffer.from(probe),
    );
  });

  it('refuses to deploy without the program keypair', async () => {
    const { chain, payer } = funded();
    await expect(
      deployProgram({
        chain,
        payer,
        program: Keypair.generate().publicKey,
        authority: payer,
        elf: callee,
      }),
    ).rejects.toThrow(/keypair is needed/);
  });
});
