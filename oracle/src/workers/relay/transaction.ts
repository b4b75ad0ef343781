/**
 * The submit_attestation transaction of one relay job: the instruction, the compute-budget
 * instructions, and its form: v0 through the relayer's lookup table, or legacy, sized to fit
 * Solana's 1,232-byte limit.
 */
import {
  ComputeBudgetProgram,
  PACKET_DATA_SIZE,
  PublicKey,
  Transaction,
  TransactionMessage,
  VersionedTransaction,
  type AddressLookupTableAccount,
  type TransactionInstruction,
} from '@solana/web3.js';
import type { Provider } from '@coral-xyz/anchor';
import type { Logger } from 'pino';
import {
  fromHex,
  inferenceAttestationProgram,
  modelPda,
  submitAttestationInstruction,
  type DeviceProof,
  type ProgramIds,
  type RelayJob,
} from '@zkpin/sdk';

export interface AttestationTransactionOptions {
  /** Oracle key in the network's oracle set; pays and signs. */
  submitter: PublicKey;
  network: PublicKey;
  computeUnitLimit: number;
  /** ComputeBudgetProgram.setComputeUnitPrice; none when 0 or undefined. */
  priorityFeeMicroLamports?: number;
  lookupTable?: AddressLookupTableAccount;
  /** The deployment's program ids (default: the localnet build's). */
  programIds?: ProgramIds;
  log: Logger;
}

/** Bytes of a legacy transaction on the wire. */
function legacySize(tx: Transaction, payer: PublicKey): number {
  tx.feePayer = payer;
  tx.recentBlockhash = PublicKey.default.toBase58();
  const message = tx.serializeMessage();
  return 1 + 64 * tx.compileMessage().header.numRequiredSignatures + message.length;
}

export class AttestationTransactions {
  private readonly program: ReturnType<typeof inferenceAttestationProgram>;
  private readonly registry: PublicKey | undefined;
  private warnedFee = false;

  constructor(private readonly o: AttestationTransactionOptions) {
    this.program = inferenceAttestationProgram(
      { publicKey: o.submitter } as unknown as Provider,
      o.programIds,
    );
    this.registry = o.programIds?.deviceRegistry;
  }

  /** submit_attestation for relay job `r`, with the device proof from the replica. */
  instruction(
    r: RelayJob,
    device: DeviceProof,
    recordTree: PublicKey,
  ): Promise<TransactionInstruction> {
    return submitAttestationInstruction(this.program, {
      submitter: this.o.submitter,
      network: this.o.network,
      model: modelPda(this.o.network, device.state.leaf.modelId, this.registry),
      deviceTree: device.state.tree,
      recordTree,
      leaf: device.state.leaf,
      leafIndex: device.state.leafIndex,
      seq: BigInt(r.seq),
      root: device.root,
      proofNodes: device.nodes,
      proof: fromHex(r.proof),
      timestamp: BigInt(r.timestamp),
      inputCommitment: fromHex(r.inputCommitment),
      class: r.class,
      score: BigInt(r.score),
    });
  }

  /** The transaction around `ix` (Chain.send sets the blockhash and signs). */
  build(ix: TransactionInstruction): Transaction | VersionedTransaction {
    const ixs = [ComputeBudgetProgram.setComputeUnitLimit({ units: this.o.computeUnitLimit })];
    if (this.o.priorityFeeMicroLamports) {
      ixs.push(
        ComputeBudgetProgram.setComputeUnitPrice({
          microLamports: this.o.priorityFeeMicroLamports,
        }),
      );
    }
    ixs.push(ix);
    if (!this.o.lookupTable) return this.legacy(ixs, ix);
    const message = new TransactionMessage({
      payerKey: this.o.submitter,
      recentBlockhash: PublicKey.default.toBase58(), // Chain.send sets a fresh one
      instructions: ixs,
    }).compileToV0Message([this.o.lookupTable]);
    return new VersionedTransaction(message);
  }

  /**
   * A depth-20 device proof leaves no room for the compute-budget instructions in a legacy
   * transaction: drop the fee, then the limit (the default 200,000 CU covers the call).
   */
  private legacy(ixs: TransactionInstruction[], ix: TransactionInstruction): Transaction {
    for (const budget of [ixs.slice(0, -1), ixs.slice(0, 1), []]) {
      const tx = new Transaction().add(...budget, ix);
      if (legacySize(tx, this.o.submitter) <= PACKET_DATA_SIZE) {
        if (budget.length < ixs.length - 1 && !this.warnedFee) {
          this.o.log.warn(
            'compute-budget instructions dropped: the transaction would exceed 1,232 bytes; pass a lookupTable (createRelayerLookupTable)',
          );
          this.warnedFee = true;
        }
        return tx;
      }
    }
    return new Transaction().add(ix);
  }
}
