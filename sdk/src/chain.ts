/**
 * Chain access behind one interface with two implementations: the embedded LiteSVM chain
 * (tests, the local network) and JSON-RPC (`SOLANA_RPC_URL`: devnet, mainnet, a local
 * validator). Services depend on `Chain` only.
 */
import {
  Connection,
  PublicKey,
  Transaction,
  VersionedTransaction,
  type AccountInfo,
  type Signer,
} from '@solana/web3.js';
import { isChainError, type LocalChain, type TxResult } from './local-chain.ts';

export type LogsListener = (logs: string[], signature: string) => void;

export interface Chain {
  readonly kind: 'embedded' | 'rpc';
  /** Signs (first signer pays), sends and waits for confirmation. Throws on failure. */
  send(tx: Transaction | VersionedTransaction, signers: Signer[]): Promise<TxResult>;
  getAccountInfo(pubkey: PublicKey): Promise<AccountInfo<Buffer> | null>;
  /** Logs of every transaction that invoked `programId` (at any depth). */
  onLogs(programId: PublicKey, listener: LogsListener): () => void;
  close(): Promise<void>;
}

/** Whether a send failure is worth retrying (network, blockhash, rate limits). */
export function isTransientChainError(e: unknown): boolean {
  if (isChainError(e)) {
    // A program rejected the transaction: permanent, unless the budget ran out.
    return /ComputationalBudgetExceeded|BlockhashNotFound/.test(e.message);
  }
  const msg = e instanceof Error ? e.message : String(e);
  return !/custom program error|InstructionError/.test(msg);
}

export class EmbeddedChain implements Chain {
  readonly kind = 'embedded' as const;
  private readonly unsubscribes = new Set<() => void>();

  constructor(readonly local: LocalChain) {}

  send(tx: Transaction | VersionedTransaction, signers: Signer[]): Promise<TxResult> {
    try {
      return Promise.resolve(this.local.send(tx, signers));
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  getAccountInfo(pubkey: PublicKey): Promise<AccountInfo<Buffer> | null> {
    return Promise.resolve(this.local.getAccountInfo(pubkey));
  }

  onLogs(programId: PublicKey, fn: LogsListener): () => void {
    const off = this.local.onLogs(programId, fn);
    this.unsubscribes.add(off);
    return () => {
      off();
      this.unsubscribes.delete(off);
    };
  }

  close(): Promise<void> {
    for (const off of this.unsubscribes) off();
    this.unsubscribes.clear();
    return Promise.resolve();
  }
}

export class RpcChain implements Chain {
  readonly kind = 'rpc' as const;
  readonly connection: Connection;
  private readonly subscriptions: number[] = [];

  constructor(url: string) {
    this.connection = new Connection(url, 'confirmed');
  }

  async send(tx: Transaction | VersionedTransaction, signers: Signer[]): Promise<TxResult> {
    const { blockhash, lastValidBlockHeight } = await this.connection.getLatestBlockhash();
    if (tx instanceof Transaction) {
      tx.recentBlockhash = blockhash;
      if (!tx.feePayer && signers[0]) tx.feePayer = signers[0].publicKey;
      tx.sign(...signers);
    } else {
      tx.message.recentBlockhash = blockhash;
      tx.sign(signers);
    }
    const signature = await this.connection.sendRawTransaction(tx.serialize());
    const status = await this.connection.confirmTransaction({
      signature,
      blockhash,
      lastValidBlockHeight,
    });
    const info = await this.connection.getTransaction(signature, {
      commitment: 'confirmed',
      maxSupportedTransactionVersion: 0,
    });
    if (status.value.err) {
      throw new Error(`Transaction ${signature} failed: ${JSON.stringify(status.value.err)}`);
    }
    return {
      signature,
      logs: info?.meta?.logMessages ?? [],
      computeUnits: info?.meta?.computeUnitsConsumed ?? 0,
      returnData: Buffer.from(
        (info?.meta as { returnData?: { data: [string, string] } } | undefined)?.returnData
          ?.data[0] ?? '',
        'base64',
      ),
    };
  }

  getAccountInfo(pubkey: PublicKey): Promise<AccountInfo<Buffer> | null> {
    return this.connection.getAccountInfo(pubkey, 'confirmed');
  }

  onLogs(programId: PublicKey, fn: LogsListener): () => void {
    const id = this.connection.onLogs(
      programId,
      (l) => {
        if (!l.err) fn(l.logs, l.signature);
      },
      'confirmed',
    );
    this.subscriptions.push(id);
    return () => void this.connection.removeOnLogsListener(id);
  }

  async close(): Promise<void> {
    await Promise.all(this.subscriptions.map((id) => this.connection.removeOnLogsListener(id)));
  }
}
