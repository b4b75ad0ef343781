/**
 * The owner's transactions: register_device from an onboarding bundle, transfer_device and
 * revoke_device built from the indexer's device proof (checked by IndexerClient against the
 * device tree account on the chain). Each is simulated before the wallet is asked to sign (a
 * program error is said in words, e.g. `DeviceRevoked (6012)`, and nothing is signed), then
 * signed by the wallet, sent and confirmed.
 */
import {
  Ed25519Program,
  LAMPORTS_PER_SOL,
  Secp256k1Program,
  Transaction,
  VersionedTransaction,
  type Connection,
  type PublicKey,
  type TransactionSignature,
} from '@solana/web3.js';
import {
  IndexerClient,
  attributeProgramError,
  deploymentTrees,
  deviceRegistryProgram,
  deviceTreeFor,
  fromHex,
  indexedDeviceLeaf,
  proofAccounts,
  registerDeviceFromApproval,
  treeAccountIsFull,
  type CheckedBundle,
} from '@zkpin/sdk';
import { PublicKey as Key } from '@solana/web3.js';
import type { AppConfig } from './config.ts';

export type DeviceAction = { kind: 'transfer'; newOwner: PublicKey } | { kind: 'revoke' };

/** A failure the owner can act on: what went wrong, in words, and what to do. */
export class ActionError extends Error {}

const ADVICE: Record<string, string> = {
  ApprovalUsed: 'this approval already registered a device: ask the maker for a new one.',
  ApprovalExpired: 'the maker’s approval has expired: ask the maker for a new one.',
  MakerInactive: 'the maker is deactivated on this network: its approvals no longer register.',
  ModelInactive: 'the device’s model is deactivated on this network.',
  DeviceRevoked: 'the device is revoked: it cannot be transferred or revoked again.',
  NotDeviceOwner: 'the connected wallet does not own this device: connect the owner’s wallet.',
  InvalidDeviceProof:
    'the device changed while the transaction was built (a new reading landed): try again.',
  WrongNetwork: 'the device belongs to another network than this app’s configuration.',
};

const STALE_PROOF_ATTEMPTS = 5;

interface ActionInput {
  config: AppConfig;
  connection: Connection;
  owner: PublicKey;
  device: string;
  action: DeviceAction;
}

/** The transaction from the indexer's current proof of the device, checked against the chain. */
async function build({ config, connection, owner, device: key, action }: ActionInput) {
  const indexer = new IndexerClient(config.indexerUrl, { chain: connection });
  const { device, proof } = (await indexer.getDeviceProof({ device: key })).value;
  const program = deviceRegistryProgram({ connection }, config.programIds);
  const current = {
    leaf: indexedDeviceLeaf(device),
    leafIndex: proof.leafIndex,
    root: Array.from(fromHex(proof.root)),
  };
  const accounts = { signer: owner, network: config.network, deviceTree: new Key(proof.treeId) };
  const nodes = proofAccounts(proof.proofWithoutCanopy.map(fromHex));
  const ix =
    action.kind === 'transfer'
      ? await program.methods
          .transferDevice({ current, newOwner: action.newOwner })
          .accountsPartial(accounts)
          .remainingAccounts(nodes)
          .instruction()
      : await program.methods
          .revokeDevice(current)
          .accountsPartial(accounts)
          .remainingAccounts(nodes)
          .instruction();
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash('confirmed');
  const tx = new Transaction({ feePayer: owner, blockhash, lastValidBlockHeight }).add(ix);
  return { tx, blockhash, lastValidBlockHeight };
}

export type SendTransaction = (tx: Transaction, c: Connection) => Promise<TransactionSignature>;

export function runDeviceAction(
  o: ActionInput & { sendTransaction: SendTransaction },
): Promise<TransactionSignature> {
  // A device that reports often changes its leaf (its seq) every few seconds: a proof read
  // before a reading landed no longer holds, so the transaction is built again.
  return signAndConfirm({ ...o, build: () => build(o), retryStaleProof: true });
}

/**
 * Builds a transaction, simulates it (a refusal is said in words, e.g. `DeviceRevoked (6012)`,
 * before the wallet is asked), then has the wallet sign and send it and waits until it is
 * confirmed. With `retryStaleProof`, a device proof gone stale under a new reading is rebuilt,
 * up to STALE_PROOF_ATTEMPTS times in all: when the simulation says so, and when the wallet's
 * own preflight does (a reading landed in between; nothing was sent).
 */
export async function signAndConfirm(o: {
  config: AppConfig;
  connection: Connection;
  build: () => Promise<{ tx: Transaction; lastValidBlockHeight: number }>;
  sendTransaction: SendTransaction;
  retryStaleProof?: boolean;
}): Promise<TransactionSignature> {
  const { config, connection } = o;
  for (let attempt = 1; ; attempt++) {
    // A proof gone stale (a reading landed since it was read): build it again.
    const stale = (program: string | undefined) =>
      o.retryStaleProof === true &&
      program === 'InvalidDeviceProof' &&
      attempt < STALE_PROOF_ATTEMPTS;
    const built = await o.build();
    const refusal = await simulate(connection, config, built.tx);
    if (refusal) {
      if (stale(refusal.program)) {
        await new Promise((r) => setTimeout(r, 400));
        continue;
      }
      throw refusal.error;
    }
    let signature: TransactionSignature;
    try {
      signature = await o.sendTransaction(built.tx, connection);
    } catch (e) {
      // A reading can also land between this simulation and the wallet's own preflight,
      // which then refuses the transaction before it is sent (no fee): build it again.
      if (stale(programErrorOf(e, config)?.name)) {
        await new Promise((r) => setTimeout(r, 400));
        continue;
      }
      throw inWords(e, config);
    }
    await confirmed(connection, signature, built.lastValidBlockHeight, config);
    return signature;
  }
}

/**
 * Simulates `tx` without signatures: null when it would succeed, else why not in words (the
 * program's error by name and what to do, or the runtime's error).
 */
async function simulate(
  connection: Connection,
  config: AppConfig,
  tx: Transaction,
): Promise<{ error: ActionError; program?: string } | null> {
  const sim = await connection.simulateTransaction(new VersionedTransaction(tx.compileMessage()), {
    sigVerify: false,
    commitment: 'confirmed',
  });
  if (!sim.value.err) return null;
  const e = attributeProgramError(sim.value.logs ?? [], config.programIds);
  if (e?.name)
    return {
      program: e.name,
      error: new ActionError(
        `${e.name} (${e.code}): ${ADVICE[e.name] ?? e.msg ?? 'refused by the program.'}`,
      ),
    };
  const raw = JSON.stringify(sim.value.err);
  return {
    error: new ActionError(
      `the transaction would fail: ${raw}${raw.includes('AccountNotFound') ? ' (the wallet has no SOL to pay the fee)' : ''}`,
    ),
  };
}

/** The logs a wallet or RPC error carries, looking through `error` / `cause`. */
function logsOf(x: unknown): string[] | undefined {
  const o = x as { logs?: unknown; transactionLogs?: unknown; error?: unknown; cause?: unknown };
  const logs = o?.logs ?? o?.transactionLogs;
  if (Array.isArray(logs)) return logs as string[];
  return o?.error || o?.cause ? logsOf(o.error ?? o.cause) : undefined;
}

/** The program error a wallet or RPC failure's logs name, if any. */
function programErrorOf(e: unknown, config: AppConfig) {
  return attributeProgramError(logsOf(e) ?? [], config.programIds);
}

/** A wallet or RPC failure as an ActionError: the program's error by name when its logs say. */
function inWords(e: unknown, config: AppConfig): ActionError {
  const p = programErrorOf(e, config);
  if (p?.name)
    return new ActionError(
      `${p.name} (${p.code}): ${ADVICE[p.name] ?? p.msg ?? 'refused by the program.'}`,
    );
  return new ActionError(
    `the wallet did not send it: ${e instanceof Error ? e.message : String(e)}`,
  );
}

/**
 * Waits until `signature` is confirmed by polling its status (no WebSocket needed: some RPC
 * providers and proxies do not carry subscriptions); fails once the blockhash has expired
 * without it, or with the program's error in words.
 */
async function confirmed(
  connection: Connection,
  signature: TransactionSignature,
  lastValidBlockHeight: number,
  config: AppConfig,
): Promise<void> {
  for (;;) {
    const [status] = (
      await connection.getSignatureStatuses([signature], { searchTransactionHistory: true })
    ).value;
    if (status?.err) {
      const tx = await connection.getTransaction(signature, {
        commitment: 'confirmed',
        maxSupportedTransactionVersion: 0,
      });
      throw inWords(
        { logs: tx?.meta?.logMessages ?? [], message: JSON.stringify(status.err) },
        config,
      );
    }
    if (status?.confirmationStatus === 'confirmed' || status?.confirmationStatus === 'finalized')
      return;
    if ((await connection.getBlockHeight('confirmed')) > lastValidBlockHeight)
      throw new ActionError(
        `the transaction ${signature} did not land before its blockhash expired: nothing changed; try again`,
      );
    await new Promise((r) => setTimeout(r, 400));
  }
}

/** register_device from a checked onboarding bundle, ready for the owner's signature. */
async function buildRegister(config: AppConfig, connection: Connection, checked: CheckedBundle) {
  const program = deviceRegistryProgram({ connection }, config.programIds);
  // One of the network's device trees (shards), chosen by the device key among those with
  // room (the program refuses an append to a full tree with DeviceTreeFull).
  const trees = deploymentTrees(config.manifest).device.map((t) => new Key(t.address));
  const accounts = await connection.getMultipleAccountsInfo(trees, 'confirmed');
  const full = new Set(
    trees.filter((_, i) => {
      const a = accounts[i];
      return a !== null && a !== undefined && treeAccountIsFull(a.data);
    }),
  );
  const ixs = await registerDeviceFromApproval(program, {
    approval: checked.approval,
    claimSignature: checked.claimSignature,
    owner: checked.owner,
    deviceTree: deviceTreeFor(checked.approval.device, trees, (t) => full.has(t)),
  });
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash('confirmed');
  const tx = new Transaction({ feePayer: checked.owner, blockhash, lastValidBlockHeight }).add(
    ...ixs,
  );
  return { tx, lastValidBlockHeight };
}

/** Solana's base fee per signature, in lamports. */
const LAMPORTS_PER_SIGNATURE = 5000;
const PRECOMPILES = new Set([Ed25519Program.programId, Secp256k1Program.programId].map(String));

/**
 * The base fee counted from the transaction itself: one per signature it carries and one per
 * signature its precompile instructions check (their first data byte is the count). Some
 * clusters' getFeeForMessage leave the precompile signatures out (zkpin-validator's surfpool
 * 1.3.1 quotes 5,000 lamports for a register_device that is charged 15,000), so the preview
 * shows the larger of the two.
 */
function signatureFee(tx: Transaction): number {
  const own = tx.compileMessage().header.numRequiredSignatures;
  const checked = tx.instructions
    .filter((ix) => PRECOMPILES.has(ix.programId.toBase58()))
    .reduce((n, ix) => n + (ix.data[0] ?? 0), 0);
  return LAMPORTS_PER_SIGNATURE * (own + checked);
}

/** What registering a checked bundle would cost, and whether it would succeed, before signing. */
export interface RegisterPreview {
  /**
   * The fee for this very transaction, in lamports: the cluster's quote (getFeeForMessage),
   * or the base fee counted over every signature (the owner's and the two the Ed25519
   * precompile checks) when that is more; null when the cluster could not price it (its
   * blockhash expired in between).
   */
  feeLamports: number | null;
  /** The owner's balance, in lamports. */
  balanceLamports: number;
  /** Why it would fail, in words (the program's error by name, or too little SOL). */
  problem: string | null;
}

export async function previewRegister(
  config: AppConfig,
  connection: Connection,
  checked: CheckedBundle,
): Promise<RegisterPreview> {
  const { tx } = await buildRegister(config, connection, checked);
  const [fee, balanceLamports, refusal] = await Promise.all([
    connection.getFeeForMessage(tx.compileMessage(), 'confirmed'),
    connection.getBalance(checked.owner, 'confirmed'),
    simulate(connection, config, tx),
  ]);
  const feeLamports = fee.value === null ? null : Math.max(fee.value, signatureFee(tx));
  const sol = (l: number) => `${l / LAMPORTS_PER_SOL} SOL`;
  const problem =
    feeLamports !== null && balanceLamports < feeLamports
      ? `the wallet holds ${sol(balanceLamports)} and the fee is ${sol(feeLamports)}: add SOL to it first.`
      : (refusal?.error.message ?? null);
  return { feeLamports, balanceLamports, problem };
}

/** register_device from a checked onboarding bundle (the owner pays the fee; no rent). */
export function registerFromBundle(o: {
  config: AppConfig;
  connection: Connection;
  checked: CheckedBundle;
  sendTransaction: SendTransaction;
}): Promise<TransactionSignature> {
  const { config, connection, checked } = o;
  return signAndConfirm({
    config,
    connection,
    sendTransaction: o.sendTransaction,
    build: () => buildRegister(config, connection, checked),
  });
}
