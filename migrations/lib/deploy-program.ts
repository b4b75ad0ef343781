/**
 * Deploys (or upgrades) one program through the upgradeable BPF loader, on any `Chain`:
 * buffer → chunked writes → `DeployWithMaxDataLen` (new program) or `Upgrade` (existing one).
 *
 * Idempotent and resumable:
 * - a program whose bytes already equal the file is left alone (no transaction);
 * - the buffer lives at a seeded address (payer, `zkpin:<sha256 of the file>`), so a run that
 *   was cut off finds its buffer again and writes only the chunks that differ.
 */
import { sha256 } from '@noble/hashes/sha256';
import {
  type Keypair,
  PublicKey,
  SystemProgram,
  Transaction,
  type TransactionInstruction,
} from '@solana/web3.js';
import {
  BUFFER_HEADER_BYTES,
  LOADER_V3_PROGRAM_ID,
  PROGRAM_ACCOUNT_BYTES,
  decodeLoaderV3State,
  deployWithMaxDataLenInstruction,
  initializeBufferInstruction,
  programDataAddress,
  toHex,
  isTransientChainError,
  upgradeInstruction,
  writeInstruction,
  type Chain,
} from '@zkpin/sdk';

/** Solana's packet limit for one serialized transaction. */
const PACKET_BYTES = 1232;

/** Lamports that make an account of `size` data bytes rent-exempt (the default rent). */
export function rentExemptLamports(size: number): number {
  return (128 + size) * 3480 * 2;
}

export interface DeployProgramOptions {
  chain: Chain;
  /** Pays fees, rent and the buffer. */
  payer: Keypair;
  /** The program's address; a keypair is needed only for the first deployment. */
  program: Keypair | PublicKey;
  /** Upgrade authority (may be the payer). */
  authority: Keypair;
  /** The program's `.so` bytes. */
  elf: Uint8Array;
  /** Room for later upgrades on a first deployment (default: twice the file). */
  maxDataLen?: number;
  /** Write transactions in flight at once (default 8). */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface DeployProgramResult {
  outcome: 'unchanged' | 'deployed' | 'upgraded';
  program: PublicKey;
  programData: PublicKey;
  /** Transactions sent by this run. */
  transactions: number;
  /** Buffer chunks written by this run (a resumed run writes only what was missing). */
  chunksWritten: number;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** The buffer a deployment of `elf` by `payer` uses: `createWithSeed(payer, seed, loader)`. */
export async function bufferAddress(
  payer: PublicKey,
  elf: Uint8Array,
): Promise<{ address: PublicKey; seed: string }> {
  const seed = `zkpin:${toHex(sha256(elf)).slice(0, 26)}`; // seeds are at most 32 bytes
  return {
    address: await PublicKey.createWithSeed(payer, seed, LOADER_V3_PROGRAM_ID),
    seed,
  };
}

/** The largest write chunk that keeps a write transaction within one packet. */
function chunkBytes(payer: PublicKey, buffer: PublicKey, authority: PublicKey): number {
  const probe = new Transaction({
    feePayer: payer,
    recentBlockhash: PublicKey.default.toBase58(),
  }).add(writeInstruction(buffer, authority, 0, new Uint8Array(0)));
  const signers = payer.equals(authority) ? 1 : 2;
  return PACKET_BYTES - (1 + 64 * signers + probe.compileMessage().serialize().length) - 8;
}

export async function deployProgram(o: DeployProgramOptions): Promise<DeployProgramResult> {
  const { chain, payer, authority, elf } = o;
  const log = o.log ?? (() => undefined);
  const program = o.program instanceof PublicKey ? o.program : o.program.publicKey;
  const programData = programDataAddress(program);
  let transactions = 0;
  const send = async (ixs: TransactionInstruction[], signers: Keypair[]) => {
    const unique = [payer, ...signers].filter(
      (k, i, all) => all.findIndex((x) => x.publicKey.equals(k.publicKey)) === i,
    );
    await chain.send(new Transaction().add(...ixs), unique);
    transactions += 1;
  };
  /**
   * A buffer write is idempotent (the same bytes at the same offset), so one whose
   * transaction expired unseen, or met a transient RPC fault, is simply written again.
   */
  const write = async (at: number, bytes: Uint8Array) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send([writeInstruction(buffer, authority.publicKey, at, bytes)], [authority]);
      } catch (e) {
        if (attempt >= 4 || !isTransientChainError(e)) throw e;
        log(`${program.toBase58()}: write at ${at} failed (${(e as Error).message}); again`);
      }
    }
  };

  // 1. Is the program already there, with these bytes?
  const action = await programAction(chain, program, authority.publicKey, elf);
  if (action === 'unchanged') {
    log(`${program.toBase58()}: unchanged`);
    return { outcome: 'unchanged', program, programData, transactions, chunksWritten: 0 };
  }
  const upgrade = action === 'upgrade';
  if (!upgrade && o.program instanceof PublicKey)
    throw new Error(`${program.toBase58()} is not deployed: its keypair is needed to deploy it`);

  // 2. The buffer: create it, or find the one a cut-off run left.
  const { address: buffer, seed } = await bufferAddress(payer.publicKey, elf);
  let current = new Uint8Array(elf.length);
  const info = await chain.getAccountInfo(buffer);
  if (info) {
    const state = decodeLoaderV3State(info.data);
    if (state.kind !== 'buffer' || !state.authority?.equals(authority.publicKey))
      throw new Error(`buffer ${buffer.toBase58()} exists but is not this deployment's`);
    current = new Uint8Array(state.bytes);
    log(`${program.toBase58()}: resuming with buffer ${buffer.toBase58()}`);
  } else {
    const space = BUFFER_HEADER_BYTES + elf.length;
    await send(
      [
        SystemProgram.createAccountWithSeed({
          fromPubkey: payer.publicKey,
          basePubkey: payer.publicKey,
          newAccountPubkey: buffer,
          seed,
          lamports: rentExemptLamports(space),
          space,
          programId: LOADER_V3_PROGRAM_ID,
        }),
        initializeBufferInstruction(buffer, authority.publicKey),
      ],
      [],
    );
  }

  // 3. Write the chunks that differ, a few transactions in flight at once.
  const size = chunkBytes(payer.publicKey, buffer, authority.publicKey);
  const todo: number[] = [];
  for (let at = 0; at < elf.length; at += size) {
    if (!sameBytes(current.subarray(at, at + size), elf.subarray(at, at + size))) todo.push(at);
  }
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const at = todo[next++]!;
      await write(at, elf.subarray(at, at + size));
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 8, todo.length) }, worker));
  log(`${program.toBase58()}: wrote ${todo.length} chunks of ${size} bytes`);

  // 4. Deploy or upgrade from the buffer (which the loader closes).
  if (upgrade) {
    await send(
      [
        upgradeInstruction({
          program,
          buffer,
          spill: payer.publicKey,
          authority: authority.publicKey,
        }),
      ],
      [authority],
    );
  } else {
    const programKey = o.program as Keypair;
    const maxDataLen = o.maxDataLen ?? elf.length * 2;
    if (maxDataLen < elf.length) throw new RangeError('maxDataLen is smaller than the program');
    await send(
      [
        SystemProgram.createAccount({
          fromPubkey: payer.publicKey,
          newAccountPubkey: program,
          lamports: rentExemptLamports(PROGRAM_ACCOUNT_BYTES),
          space: PROGRAM_ACCOUNT_BYTES,
          programId: LOADER_V3_PROGRAM_ID,
        }),
        deployWithMaxDataLenInstruction({
          payer: payer.publicKey,
          program,
          buffer,
          authority: authority.publicKey,
          maxDataLen,
        }),
      ],
      [programKey, authority],
    );
  }
  log(`${program.toBase58()}: ${upgrade ? 'upgraded' : 'deployed'}`);
  return {
    outcome: upgrade ? 'upgraded' : 'deployed',
    program,
    programData,
    transactions,
    chunksWritten: todo.length,
  };
}

/**
 * What deploying `elf` at `program` would do: nothing (the same bytes are there), an upgrade,
 * or a first deployment. Throws for a program this authority cannot upgrade (another loader,
 * immutable, another authority, too small).
 */
export async function programAction(
  chain: Pick<Chain, 'getAccountInfo'>,
  program: PublicKey,
  authority: PublicKey,
  elf: Uint8Array,
): Promise<'unchanged' | 'upgrade' | 'deploy'> {
  const existing = await chain.getAccountInfo(program);
  if (!existing) return 'deploy';
  if (!existing.owner.equals(LOADER_V3_PROGRAM_ID))
    throw new Error(
      `${program.toBase58()} is owned by ${existing.owner.toBase58()}, not the upgradeable loader`,
    );
  const pd = await chain.getAccountInfo(programDataAddress(program));
  const state = pd && decodeLoaderV3State(pd.data);
  if (!state || state.kind !== 'programData')
    throw new Error(`${program.toBase58()} has no programdata account`);
  if (!state.authority) {
    // An immutable program with these very bytes is as deployed as it gets.
    if (sameDeployed(state.bytes, elf)) return 'unchanged';
    throw new Error(`${program.toBase58()} is immutable (no upgrade authority)`);
  }
  if (sameDeployed(state.bytes, elf)) return 'unchanged';
  if (!state.authority.equals(authority))
    throw new Error(
      `${program.toBase58()}'s upgrade authority is ${state.authority.toBase58()}, not ${authority.toBase58()}`,
    );
  if (elf.length > state.bytes.length)
    throw new Error(
      `${program.toBase58()} has room for ${state.bytes.length} bytes; the new file is ${elf.length} (extend the program first)`,
    );
  return 'upgrade';
}

function sameDeployed(deployed: Uint8Array, elf: Uint8Array): boolean {
  return (
    sameBytes(deployed.subarray(0, elf.length), elf) &&
    deployed.subarray(elf.length).every((b) => b === 0)
  );
}

/** Transactions of a deployment or upgrade of `elf` from scratch: buffer, writes, deploy. */
export function deploymentTransactions(payer: PublicKey, authority: PublicKey, elf: Uint8Array) {
  const size = chunkBytes(payer, PublicKey.default, authority);
  return {
    transactions: 2 + Math.ceil(elf.length / size),
    signatures: payer.equals(authority) ? 1 : 2,
  };
}
