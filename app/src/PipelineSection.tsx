/**
 * The pipeline state of the device's recent readings, from the oracle's status endpoint
 * (`pipelineStatusUrl`): accepted, proving, relayed, recorded, or a dead letter with its
 * reason in words. Read again every few seconds; hidden, with a note, when the app's
 * configuration names no endpoint.
 */
import { useEffect, useMemo, useState } from 'react';
import {
  PipelineStatusClient,
  READING_STATES,
  describeReadingStatus,
  type ReadingStatus,
} from '@zkpin/sdk';
import { useApp } from './context.ts';
import { message } from './format.ts';

const LIMIT = 20;
const REFRESH_MS = 4_000;

export function PipelineSection({ device }: { device: string }) {
  const { config } = useApp();
  const url = config.pipelineStatusUrl;
  const client = useMemo(() => (url ? new PipelineStatusClient(url) : undefined), [url]);
  const [readings, setReadings] = useState<ReadingStatus[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!client) return;
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const load = async () => {
      try {
        const a = await client.deviceReadings(device, { limit: LIMIT, signal: abort.signal });
        setReadings(a.readings);
        setError(null);
      } catch (e) {
        if (abort.signal.aborted) return;
        setError(message(e));
      }
      if (!abort.signal.aborted) timer = setTimeout(() => void load(), REFRESH_MS);
    };
    void load();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [client, device, attempt]);

  return (
    <section className="pipeline" aria-labelledby="pipeline-heading">
      <h2 id="pipeline-heading">Pipeline</h2>
      {!client ? (
        <p className="muted">
          The pipeline status of readings is not shown: this app's configuration names no status
          endpoint.
        </p>
      ) : (
        <>
          {error && (
            <p role="alert" className="error">
              The pipeline status did not answer: {error}{' '}
              <button type="button" onClick={() => setAttempt((n) => n + 1)}>
                Retry
              </button>
            </p>
          )}
          {!readings && !error && <p className="muted">Loading pipeline status…</p>}
          {readings?.length === 0 && (
            <p className="muted">
              No recent reading: readings appear here as soon as the bridge accepts them.
            </p>
          )}
          {readings && readings.length > 0 && (
            <ul className="pipeline-list">
              {readings.map((r) => (
                <li key={r.seq} className={`pipeline-item state-${r.state}`}>
                  <span className="mono">#{r.seq}</span>
                  <span className="pipeline-state" title={READING_STATES[r.state]}>
                    {describeReadingStatus(r)}
                  </span>
                  <time
                    className="muted"
                    dateTime={new Date(r.acceptedAt).toISOString()}
                    title="when the bridge accepted it"
                  >
                    {new Date(r.acceptedAt).toLocaleTimeString()}
                  </time>
                  {r.state === 'dead_letter' && r.message && (
                    <span className="detail">{r.message}</span>
                  )}
                  {r.state === 'unknown' && (
                    <span className="detail">{READING_STATES.unknown}</span>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
