/**
 * An embedded Solana chain (LiteSVM) that speaks web3.js 1.x transactions and backs an
 * Anchor `Provider`, so `@coral-xyz/anchor` clients drive our programs in-process.
 *
 * The embedded half of the chain-access interface (`Chain`, chain.ts) through `EmbeddedChain`;
 * Node only (litesvm), so it is in `@zkpin/sdk/testing`, never in the main entry.
 */
import {
  AddressLookupTableAccount,
  Keypair,
  PublicKey,
  Transaction,
  VersionedTransaction,
  type AccountInfo,
  type Connection,
  type Signer,
  type TransactionSignature,
} from '@solana/web3.js';
import type { Provider, Wallet } from '@coral-xyz/anchor';
import { createRequire } from 'node:module';
import type * as LiteSvmModule from 'litesvm';
import type { FailedTransactionMetadata, LiteSVM, TransactionMetadata } from 'litesvm';
import { address, getTransactionDecoder, lamports } from '@solana/kit';
import bs58 from 'bs58';
import {
  ChainError,
  type ChainInstruction,
  type ChainTransaction,
  type HistoryOptions,
  type TxResult,
} from '../chain.ts';

const txDecoder = getTransactionDecoder();

let litesvmModule: typeof LiteSvmModule | undefined;
/**
 * litesvm (a native module) is loaded by the first LocalChain, not on import: a service that
 * imports `@zkpin/sdk/testing` for its embedded mode loads it only when it runs that mode.
 */
function litesvm(): typeof LiteSvmModule {
  litesvmModule ??= createRequire(import.meta.url)('litesvm') as typeof LiteSvmModule;
  return litesvmModule;
}

export class LocalChain {
  readonly svm: LiteSVM;
  private readonly listeners = new Set<{
    address: string;
    fn: (tx: ChainTransaction) => void;
  }>();
  /** Every successful transaction, oldest first (what an RPC node's history would serve). */
  private readonly transactions: ChainTransaction[] = [];
  private readonly signatures = new Set<string>();
  /** Set by `setUnixTimestamp`: the clock stays where a test put it. */
  private clockPinned = false;

  constructor(svm?: LiteSVM) {
    this.svm = svm ?? new (litesvm().LiteSVM)();
    this.syncClock();
  }

  /**
   * The cluster clock follows the wall clock (never backwards), as a validator's does, so
   * programs that compare timestamps with `Clock` see real time.
   */
  syncClock(unixSeconds = BigInt(Math.floor(Date.now() / 1000))): void {
    if (this.clockPinned) return;
    const c = this.svm.getClock();
    if (unixSeconds <= c.unixTimestamp) return;
    this.setClockTime(unixSeconds);
  }

  /**
   * Moves the cluster clock to `unixSeconds` and keeps it there (tests: expiry, timestamp
   * windows, golden vectors dated in the past).
   */
  setUnixTimestamp(unixSeconds: bigint): void {
    this.clockPinned = true;
    this.setClockTime(unixSeconds);
  }

  /** The Clock sysvar as it is, with `unix_timestamp` = `unixSeconds`. */
  private setClockTime(unixSeconds: bigint): void {
    const c = this.svm.getClock();
    const { Clock } = litesvm();
    this.svm.setClock(
      new Clock(c.slot, c.epochStartTimestamp, c.epoch, c.leaderScheduleEpoch, unixSeconds),
    );
  }

  unixTimestamp(): bigint {
    return this.svm.getClock().unixTimestamp;
  }

  slot(): number {
    return Number(this.svm.getClock().slot);
  }

  deploy(programId: PublicKey, soPath: string): void {
    this.svm.addProgramFromFile(address(programId.toBase58()), soPath);
  }

  airdrop(to: PublicKey, sol = 100): void {
    const r = this.svm.airdrop(address(to.toBase58()), lamports(BigInt(Math.round(sol * 1e9))));
    if (r instanceof litesvm().FailedTransactionMetadata)
      throw new Error(`airdrop failed: ${r.toString()}`);
  }

  /** A fresh keypair with `sol` SOL. */
  fundedKeypair(sol = 100): Keypair {
    const kp = Keypair.generate();
    this.airdrop(kp.publicKey, sol);
    return kp;
  }

  latestBlockhash(): string {
    return this.svm.latestBlockhash();
  }

  getAccountInfo(pubkey: PublicKey): AccountInfo<Buffer> | null {
    const acc = this.svm.getAccount(address(pubkey.toBase58()));
    if (!acc.exists) return null;
    return {
      data: Buffer.from(acc.data),
      executable: acc.executable,
      lamports: Number(acc.lamports),
      owner: new PublicKey(acc.programAddress),
      rentEpoch: 0,
    };
  }

  /** Writes an account directly (tests: forged accounts, pre-funded addresses). */
  setAccount(
    pubkey: PublicKey,
    account: { data: Uint8Array; owner: PublicKey; lamports?: number },
  ): void {
    this.svm.setAccount({
      address: address(pubkey.toBase58()),
      data: account.data,
      executable: false,
      lamports: lamports(BigInt(account.lamports ?? this.rentExempt(account.data.length))),
      programAddress: address(account.owner.toBase58()),
      space: BigInt(account.data.length),
    });
  }

  rentExempt(bytes: number): number {
    return Number(this.svm.minimumBalanceForRentExemption(BigInt(bytes)));
  }

  /** Signs (legacy transactions) with `signers`, the first being the fee payer, and sends. */
  send(tx: Transaction | VersionedTransaction, signers: Signer[] = []): TxResult {
    if (tx instanceof Transaction) {
      tx.recentBlockhash = this.latestBlockhash();
      if (!tx.feePayer && signers[0]) tx.feePayer = signers[0].publicKey;
      if (signers.length > 0) tx.sign(...signers);
    } else if (signers.length > 0) {
      tx.message.recentBlockhash = this.latestBlockhash();
      tx.sign(signers);
    }
    this.syncClock();
    const accountKeys = this.accountKeys(tx);
    const wire = tx.serialize();
    const result = this.svm.sendTransaction(txDecoder.decode(wire));
    // Each send moves to a new blockhash (and slot) so identical transactions stay distinct.
    this.svm.expireBlockhash();
    const slot = this.slot();
    this.svm.warpToSlot(BigInt(slot + 1));
    if (result instanceof litesvm().FailedTransactionMetadata) throw toChainError(result);
    const r = toTxResult(result, accountKeys, slot);
    const seen: ChainTransaction = {
      signature: r.signature,
      slot,
      logs: r.logs,
      accountKeys,
      innerInstructions: r.innerInstructions,
      instructions: topLevelInstructions(tx, accountKeys),
    };
    this.transactions.push(seen);
    this.signatures.add(seen.signature);
    const keys = new Set(accountKeys.map((k) => k.toBase58()));
    for (const l of [...this.listeners]) if (keys.has(l.address)) l.fn(seen);
    return r;
  }

  /** Whether the chain ran the transaction `signature` successfully. */
  hasTransaction(signature: string): boolean {
    return this.signatures.has(signature);
  }

  /** Calls `fn` with every successful transaction whose accounts include `address`. */
  onTransaction(address: PublicKey, fn: (tx: ChainTransaction) => void): () => void {
    const entry = { address: address.toBase58(), fn };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /**
   * The successful transactions whose accounts include `address`, oldest first; with
   * `o.until`, those after that signature (all of them when it is not among them, as an RPC
   * node answers a signature it does not know).
   */
  history(address: PublicKey, o: HistoryOptions = {}): ChainTransaction[] {
    const all = this.transactions.filter((t) => t.accountKeys.some((k) => k.equals(address)));
    if (o.until === undefined) return all;
    const at = all.findIndex((t) => t.signature === o.until);
    return at < 0 ? all : all.slice(at + 1);
  }

  /** Account keys in message order (static keys, then lookup-table writable and readonly). */
  private accountKeys(tx: Transaction | VersionedTransaction): PublicKey[] {
    if (tx instanceof Transaction) return tx.compileMessage().accountKeys;
    const lookups = tx.message.addressTableLookups.map((l) => {
      const info = this.getAccountInfo(l.accountKey);
      if (!info) throw new Error(`lookup table ${l.accountKey.toBase58()} not found`);
      return new AddressLookupTableAccount({
        key: l.accountKey,
        state: AddressLookupTableAccount.deserialize(info.data),
      });
    });
    const keys = tx.message.getAccountKeys({ addressLookupTableAccounts: lookups });
    return [
      ...keys.staticAccountKeys,
      ...(keys.accountKeysFromLookups?.writable ?? []),
      ...(keys.accountKeysFromLookups?.readonly ?? []),
    ];
  }

  /** Anchor provider signing with `payer` as the wallet. */
  provider(payer: Keypair): LocalChainProvider {
    return new LocalChainProvider(this, payer);
  }
}

/** The transaction's top-level instructions with their program ids (stack height 1). */
function topLevelInstructions(
  tx: Transaction | VersionedTransaction,
  accountKeys: PublicKey[],
): ChainInstruction[] {
  if (tx instanceof Transaction)
    return tx.instructions.map((ix, i) => ({
      programId: ix.programId,
      data: Uint8Array.from(ix.data),
      stackHeight: 1,
      topLevelIndex: i,
    }));
  return tx.message.compiledInstructions.flatMap((ix, i) => {
    const programId = accountKeys[ix.programIdIndex];
    return programId
      ? [{ programId, data: Uint8Array.from(ix.data), stackHeight: 1, topLevelIndex: i }]
      : [];
  });
}

function toTxResult(meta: TransactionMetadata, accountKeys: PublicKey[], slot: number): TxResult {
  const innerInstructions: ChainInstruction[] = [];
  meta.innerInstructions().forEach((list, topLevelIndex) => {
    for (const inner of list) {
      const ix = inner.instruction();
      const programId = accountKeys[ix.programIdIndex()];
      if (!programId) throw new Error(`inner instruction program index ${ix.programIdIndex()}`);
      innerInstructions.push({
        programId,
        data: new Uint8Array(ix.data()),
        stackHeight: inner.stackHeight(),
        topLevelIndex,
      });
    }
  });
  return {
    signature: bs58.encode(meta.signature()),
    slot,
    logs: meta.logs(),
    accountKeys,
    innerInstructions,
    computeUnits: Number(meta.computeUnitsConsumed()),
    returnData: Buffer.from(meta.returnData().data()),
  };
}

function toChainError(failed: FailedTransactionMetadata): ChainError {
  const err = failed.err();
  const meta = failed.meta();
  const logs = meta.logs();
  const computeUnits = Number(meta.computeUnitsConsumed());
  if (typeof err === 'object' && err !== null && 'index' in err && 'err' in err) {
    const inner = err.err();
    const index = err.index;
    if (typeof inner === 'object' && inner !== null && 'code' in inner) {
      // Same wording as an RPC node's preflight error, which Anchor's translateError parses.
      return new ChainError(
        `Transaction simulation failed: Error processing Instruction ${index}: custom program error: 0x${inner.code.toString(16)}`,
        logs,
        { instructionIndex: index, customCode: inner.code, computeUnits },
      );
    }
    return new ChainError(`Transaction failed: instruction ${index}: ${err.toString()}`, logs, {
      instructionIndex: index,
      computeUnits,
    });
  }
  return new ChainError(`Transaction failed: ${failed.toString()}`, logs, { computeUnits });
}

/** Minimal `Connection` surface Anchor's account clients use, read from LiteSVM. */
function connectionFor(chain: LocalChain): Connection {
  const conn = {
    rpcEndpoint: 'litesvm://local',
    commitment: 'confirmed',
    getAccountInfo: (pk: PublicKey) => Promise.resolve(chain.getAccountInfo(pk)),
    getAccountInfoAndContext: (pk: PublicKey) =>
      Promise.resolve({ context: { slot: 0 }, value: chain.getAccountInfo(pk) }),
    getMultipleAccountsInfo: (pks: PublicKey[]) =>
      Promise.resolve(pks.map((pk) => chain.getAccountInfo(pk))),
    getMinimumBalanceForRentExemption: (n: number) => Promise.resolve(chain.rentExempt(n)),
    getLatestBlockhash: () =>
      Promise.resolve({ blockhash: chain.latestBlockhash(), lastValidBlockHeight: 0 }),
  };
  return conn as unknown as Connection;
}

export class LocalChainProvider implements Provider {
  readonly connection: Connection;
  readonly wallet: Wallet;
  readonly publicKey: PublicKey;
  /** The last transaction's result (compute units, logs), for tests and benchmarks. */
  lastResult: TxResult | undefined;

  constructor(
    readonly chain: LocalChain,
    readonly payer: Keypair,
  ) {
    this.connection = connectionFor(chain);
    this.publicKey = payer.publicKey;
    this.wallet = {
      publicKey: payer.publicKey,
      payer,
      signTransaction: <T extends Transaction | VersionedTransaction>(tx: T) => {
        if (tx instanceof Transaction) tx.partialSign(payer);
        else tx.sign([payer]);
        return Promise.resolve(tx);
      },
      signAllTransactions: <T extends Transaction | VersionedTransaction>(txs: T[]) => {
        for (const tx of txs) {
          if (tx instanceof Transaction) tx.partialSign(payer);
          else tx.sign([payer]);
        }
        return Promise.resolve(txs);
      },
    };
  }

  sendAndConfirm(
    tx: Transaction | VersionedTransaction,
    signers: Signer[] = [],
  ): Promise<TransactionSignature> {
    try {
      if (tx instanceof Transaction) {
        tx.feePayer = tx.feePayer ?? this.payer.publicKey;
        this.lastResult = this.chain.send(tx, [this.payer, ...signers]);
      } else {
        this.lastResult = this.chain.send(tx, [this.payer, ...signers]);
      }
      return Promise.resolve(this.lastResult.signature);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
}
