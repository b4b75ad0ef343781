/**
 * Transactions as programs built before `RecordAttested` wrote them, for the tests that check
 * readers still understand the chain's older history: each attestation's `RecordAttested`
 * (device_registry) becomes the three events it replaced, `DeviceUpdated` and
 * `RecordAppended` (device_registry, inside the `advance_device` CPI) and
 * `AttestationSubmitted` (inference_attestation, after it), with the same values.
 */
import type { Program } from '@coral-xyz/anchor';
import type { PublicKey } from '@solana/web3.js';
import { EVENT_IX_TAG } from '../attestation.ts';
import {
  historyInPages,
  type ChainInstruction,
  type ChainTransaction,
  type HistoryOptions,
  type HistoryPage,
  type HistoryPageOptions,
  type TransactionListener,
} from '../chain.ts';
import { EmbeddedChain } from './embedded-chain.ts';
import type { DeviceRegistry } from '../../../idls/device_registry.ts';
import type { InferenceAttestation } from '../../../idls/inference_attestation.ts';

interface Programs {
  registry: Program<DeviceRegistry>;
  attestation: Program<InferenceAttestation>;
}

type AnyProgram = Programs['registry'] | Programs['attestation'];

/** An event self-CPI of `program` (`EVENT_IX_TAG || discriminator || borsh(data)`). */
function eventInstruction(
  program: AnyProgram,
  name: string,
  data: Record<string, unknown>,
  at: Pick<ChainInstruction, 'stackHeight' | 'topLevelIndex'>,
): ChainInstruction {
  const event = program.idl.events?.find((e) => e.name === name);
  if (!event) throw new Error(`${program.idl.metadata.name} has no event ${name}`);
  const body = program.coder.types.encode(name, data);
  return {
    programId: program.programId,
    data: Uint8Array.from(Buffer.concat([EVENT_IX_TAG, Buffer.from(event.discriminator), body])),
    stackHeight: at.stackHeight,
    topLevelIndex: at.topLevelIndex,
  };
}

const isEvent = (ix: ChainInstruction) => EVENT_IX_TAG.every((b, i) => ix.data[i] === b);

/** `tx` with each `RecordAttested` replaced by the legacy `DeviceUpdated`, `RecordAppended`, `AttestationSubmitted`. */
export function withLegacyAttestationEvents(tx: ChainTransaction, p: Programs): ChainTransaction {
  const inner: ChainInstruction[] = [];
  /** The legacy attestation events, emitted after the CPI returned (stack height 2). */
  let after: ChainInstruction[] = [];
  for (const ix of tx.innerInstructions) {
    if (after.length > 0 && ix.stackHeight <= 2) {
      inner.push(...after);
      after = [];
    }
    const decoded =
      ix.programId.equals(p.registry.programId) && isEvent(ix)
        ? p.registry.coder.events.decode(Buffer.from(ix.data.subarray(8)).toString('base64'))
        : null;
    if (decoded?.name !== 'recordAttested') {
      inner.push(ix);
      continue;
    }
    const d = decoded.data as Record<string, unknown> & {
      record: { device: PublicKey; modelId: number; seq: unknown; publicInput: number[] };
    };
    const network = d['network'];
    inner.push(
      eventInstruction(
        p.registry,
        'deviceUpdated',
        {
          network,
          tree: d['deviceTree'],
          leafIndex: d['deviceLeafIndex'],
          treeSeq: d['deviceTreeSeq'],
          leaf: d['leaf'],
        },
        ix,
      ),
      eventInstruction(
        p.registry,
        'recordAppended',
        {
          network,
          tree: d['recordTree'],
          leafIndex: d['recordIndex'],
          treeSeq: d['recordTreeSeq'],
          record: d.record,
        },
        ix,
      ),
    );
    after.push(
      eventInstruction(
        p.attestation,
        'attestationSubmitted',
        {
          network,
          device: d.record.device,
          modelId: d.record.modelId,
          seq: d.record.seq,
          recordTree: d['recordTree'],
          recordIndex: d['recordIndex'],
          publicInput: d.record.publicInput,
          submitter: d['submitter'],
        },
        { stackHeight: 2, topLevelIndex: ix.topLevelIndex },
      ),
    );
  }
  inner.push(...after);
  return { ...tx, innerInstructions: inner };
}

/** An embedded chain whose history and live feed serve attestations with the legacy events. */
export class LegacyEventsChain extends EmbeddedChain {
  constructor(
    local: EmbeddedChain['local'],
    private readonly programs: Programs,
  ) {
    super(local);
  }

  override history(address: PublicKey, o?: HistoryOptions): Promise<ChainTransaction[]> {
    return Promise.resolve(this.historyNow(address, o));
  }

  override historyPages(
    address: PublicKey,
    o: HistoryPageOptions = {},
  ): AsyncIterable<HistoryPage> {
    return historyInPages(this.historyNow(address, o), o.pageSize);
  }

  override historyNow(address: PublicKey, o?: HistoryOptions): ChainTransaction[] {
    return super.historyNow(address, o).map((tx) => withLegacyAttestationEvents(tx, this.programs));
  }

  override onTransaction(address: PublicKey, fn: TransactionListener): () => void {
    return super.onTransaction(address, (tx) => fn(withLegacyAttestationEvents(tx, this.programs)));
  }
}
