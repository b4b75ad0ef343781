/**
 * One device: its leaf as the indexer knows it, the pipeline state of its recent readings
 * (PipelineSection), its records newest first (cursor paging), and "Verify" on each record, which checks it in this browser against the chain (VerifyPanel).
 */
import { Suspense, lazy, useEffect, useState } from 'react';
import { useConnection } from '@solana/wallet-adapter-react';
import {
  INDEXER_ERROR_CODES,
  isIndexerClientError,
  type IndexedDevice,
  type IndexedModel,
  type IndexedRecord,
} from '@zkpin/sdk';
import { useApp } from './context.ts';
import { DeviceActions } from './DeviceActions.tsx';
import { message, short, statusName, when } from './format.ts';
import { PagedStatus } from './PagedStatus.tsx';
import { PipelineSection } from './PipelineSection.tsx';
import { className, ScoreChart } from './ScoreChart.tsx';
import { usePaged } from './usePaged.ts';

const LIMIT = 50;
/** How often the page asks again while the indexer has not caught up with the chain. */
const CATCH_UP_RETRY_MS = 1_000;
/** How often the device (its newest reading) and its newest records are read again. */
const REFRESH_MS = 5_000;

// The verifier (BN254 pairing, Poseidon) loads when a record is first verified, not with the page.
const VerifyPanel = lazy(() =>
  import('./VerifyPanel.tsx').then((m) => ({ default: m.VerifyPanel })),
);

export function DevicePage({ device }: { device: string }) {
  const { indexer, config } = useApp();
  const [leaf, setLeaf] = useState<IndexedDevice | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  // The slot of the owner's last transaction: the device is read again once the indexer has it.
  const [after, setAfter] = useState<number | undefined>(undefined);
  const { connection } = useConnection();
  // The device's model (its window and classes), from the indexer's models of the network.
  const [model, setModel] = useState<IndexedModel | null>(null);
  const modelId = leaf?.modelId;
  const classNames = config.manifest.models.find((m) => m.id === modelId)?.classNames;
  useEffect(() => {
    if (modelId === undefined) return;
    indexer.getModels().then(
      (a) => setModel(a.value.find((m) => m.modelId === modelId) ?? null),
      // Only the model's shape is missing: the page is still useful.
      () => setModel(null),
    );
  }, [indexer, modelId]);
  // Why the leaf shown is not (yet) the chain's: the indexer is behind the owner's last
  // transaction, or does not know the device yet (the onboarding page comes here right after
  // the registration is confirmed). Either way the page asks again until it does.
  const [catchingUp, setCatchingUp] = useState<string | null>(null);
  // Another device's page: not the previous device's leaf while this one loads.
  useEffect(() => setLeaf(null), [device]);
  useEffect(() => {
    let closed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let loaded = false;
    const load = () => {
      // A tab in the background is not refreshed (as the records list is not): looked at later.
      if (loaded && document.visibilityState !== 'visible') {
        timer = setTimeout(load, REFRESH_MS);
        return;
      }
      indexer.getDevice({ device, minContextSlot: after }).then(
        (a) => {
          if (closed) return;
          loaded = true;
          setLeaf(a.value);
          setError(null);
          setCatchingUp(null);
          // Watched: its seq moves with each attested reading, its status with its owner.
          timer = setTimeout(load, REFRESH_MS);
        },
        (e: unknown) => {
          if (closed) return;
          const rpcCode = isIndexerClientError(e, 'INDEXER_RPC_ERROR')
            ? e.context.rpcCode
            : undefined;
          if (rpcCode === INDEXER_ERROR_CODES.MIN_CONTEXT_SLOT_NOT_REACHED) {
            setError(null);
            setCatchingUp('Done on-chain; waiting for the indexer to catch up…');
          } else if (rpcCode === INDEXER_ERROR_CODES.NOT_FOUND) {
            setError(null);
            setCatchingUp(
              'This device is not indexed yet. A device registered a moment ago appears here within seconds; checking again…',
            );
          } else {
            // Said, and tried again later: an indexer that was down comes back by itself.
            setCatchingUp(null);
            setError(message(e));
            timer = setTimeout(load, REFRESH_MS);
            return;
          }
          timer = setTimeout(load, CATCH_UP_RETRY_MS);
        },
      );
    };
    setError(null);
    load();
    return () => {
      closed = true;
      clearTimeout(timer);
    };
  }, [device, indexer, after]);
  const records = usePaged<IndexedRecord>(
    device,
    async (cursor) =>
      (await indexer.getRecordsByDevice({ device, cursor, limit: LIMIT, order: 'desc' })).value,
    LIMIT,
    { refreshMs: REFRESH_MS },
  );
  return (
    <section>
      <p>
        <a href="#/">← My devices</a>
      </p>
      <h1 title={device}>Device {short(device)}</h1>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {catchingUp && (
        <p role="status" className="muted">
          {catchingUp}
        </p>
      )}
      {!leaf && !error && !catchingUp && <p className="muted">Loading device…</p>}
      {leaf && (
        <dl className="facts">
          <dt>Key</dt>
          <dd className="mono">{leaf.device}</dd>
          <dt>Status</dt>
          <dd>{statusName(leaf.status)}</dd>
          <dt>Owner</dt>
          <dd className="mono">{leaf.owner}</dd>
          <dt>Model</dt>
          <dd>
            {leaf.modelId}
            {model?.window != null && model.classes != null && (
              <span className="muted">
                {' '}
                ({model.window} readings per inference, {model.classes} classes
                {model.active ? '' : ', retired'})
              </span>
            )}
          </dd>
          <dt>Newest reading</dt>
          <dd>seq {leaf.seq}</dd>
        </dl>
      )}
      {leaf && (
        <DeviceActions
          device={leaf}
          onDone={() => void connection.getSlot('confirmed').then(setAfter)}
        />
      )}
      <PipelineSection device={device} />
      <h2>Records</h2>
      <PagedStatus
        list={records}
        loading="Loading records…"
        empty="No record yet: readings appear here once attested on-chain."
      />
      <ScoreChart records={records.items} classNames={classNames} />
      {records.items.length > 0 && (
        <ul className="records">
          {records.items.map((r) => (
            <li key={r.seq} className="record">
              <div className="record-row">
                <span className="mono">#{r.seq}</span>
                <span>{when(r.timestamp)}</span>
                <span className={r.class === 0 ? undefined : 'anomaly-label'}>
                  {className(classNames, r.class)}
                </span>
                <span>score {r.score}</span>
                <button
                  type="button"
                  aria-expanded={open === r.seq}
                  onClick={() => setOpen(open === r.seq ? null : r.seq)}
                >
                  {open === r.seq ? 'Close' : 'Verify'}
                </button>
              </div>
              {open === r.seq && leaf && (
                <Suspense fallback={<p className="muted">Loading the verifier…</p>}>
                  <VerifyPanel record={r} device={leaf} />
                </Suspense>
              )}
            </li>
          ))}
        </ul>
      )}
      {records.more && (
        <button type="button" onClick={records.loadMore} disabled={records.loading}>
          Older records
        </button>
      )}
    </section>
  );
}
