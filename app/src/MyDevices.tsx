/**
 * The connected owner's devices (indexer `getDevicesByOwner`), each linking to its page, with
 * its status, model, readings (seq) and the time of its last record.
 */
import { useWallet } from '@solana/wallet-adapter-react';
import type { IndexedDevice } from '@zkpin/sdk';
import { useApp } from './context.ts';
import { short, statusName, when } from './format.ts';
import { PagedStatus } from './PagedStatus.tsx';
import { usePaged } from './usePaged.ts';

const LIMIT = 50;
/** How often the list (readings, last record, devices added or transferred) is read again. */
const REFRESH_MS = 10_000;

/** A unix timestamp (seconds, decimal string) as ISO for `<time>`; undefined out of range. */
function isoTime(timestamp: string): string | undefined {
  const d = new Date(Number(timestamp) * 1000);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function MyDevices() {
  const { publicKey } = useWallet();
  const { indexer } = useApp();
  const owner = publicKey?.toBase58() ?? null;
  const list = usePaged<IndexedDevice>(
    owner,
    async (cursor) =>
      (await indexer.getDevicesByOwner({ owner: owner!, cursor, limit: LIMIT })).value,
    LIMIT,
    { refreshMs: REFRESH_MS },
  );
  if (!owner)
    return (
      <section>
        <h1>My devices</h1>
        <p>Connect a wallet to see the devices it owns.</p>
      </section>
    );
  return (
    <section aria-busy={list.loading}>
      <h1>My devices</h1>
      <p>
        <a href="#/add">Add a device</a>
      </p>
      <PagedStatus
        list={list}
        loading="Loading devices…"
        empty="This wallet owns no device on this network yet."
      />
      {list.items.length > 0 && (
        <table className="devices">
          <thead>
            <tr>
              <th scope="col">Device</th>
              <th scope="col">Status</th>
              <th scope="col">Model</th>
              <th scope="col">Readings</th>
              <th scope="col">Last record</th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((d) => (
              <tr key={d.device}>
                <td>
                  <a href={`#/device/${d.device}`} title={d.device}>
                    {short(d.device)}
                  </a>
                </td>
                <td>
                  <span className={`status status-${statusName(d.status)}`}>
                    {statusName(d.status)}
                  </span>
                </td>
                <td>{d.modelId}</td>
                <td>{d.seq}</td>
                <td>
                  {d.lastRecordTimestamp === null ? (
                    'none yet'
                  ) : (
                    <time
                      dateTime={isoTime(d.lastRecordTimestamp)}
                      title={`recorded in slot ${d.lastRecordSlot}`}
                    >
                      {when(d.lastRecordTimestamp)}
                    </time>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.more && (
        <button type="button" onClick={list.loadMore} disabled={list.loading}>
          Load more
        </button>
      )}
    </section>
  );
}
