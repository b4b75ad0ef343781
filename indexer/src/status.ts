/**
 * `zkpin-indexer status`: what an operator asks a running indexer (over its JSON-RPC API and
 * `GET /metrics`): health, the indexer's slot against the chain's and the lag, the trees
 * (kind, sequence number, leaves, whether the replica's root is checked against the chain),
 * counts, and the backfill's progress while it runs. `--watch` refreshes it (in place on a
 * terminal, one line per refresh otherwise); `--json` prints the answers as they are.
 *
 * Exit codes: 0 ok, 1 unhealthy (failed or behind), 2 unreachable or a bad argument, 3 starting
 * (the backfill is under way).
 */
import { IndexerClient, isIndexerClientError, type IndexerResult } from '@zkpin/sdk';

export interface IndexerStatus {
  url: string;
  health: IndexerResult<'getIndexerHealth'>;
  trees: IndexerResult<'getTrees'>;
  /** Counters from `/metrics` (absent where the indexer serves none). */
  counters: { transactions?: number; events?: number };
}

export const STATUS_EXIT = { ok: 0, unhealthy: 1, unreachable: 2, starting: 3 } as const;

/** An indexer that did not answer (or answered something else than the API). */
export class StatusUnreachableError extends Error {
  constructor(
    readonly url: string,
    why: string,
  ) {
    super(
      `the indexer at ${url} did not answer: ${why}\n` +
        'is it running? Set INDEXER_URL (or INDEXER_HOST / INDEXER_PORT) to where it listens.',
    );
    this.name = 'StatusUnreachableError';
  }
}

/** Asks the indexer at `url` for its status. */
export async function readStatus(url: string): Promise<IndexerStatus> {
  const client = new IndexerClient(url);
  let health: IndexerResult<'getIndexerHealth'>;
  let trees: IndexerResult<'getTrees'>;
  try {
    health = (await client.getIndexerHealth()).value;
    trees = (await client.getTrees()).value;
  } catch (e) {
    const why = isIndexerClientError(e)
      ? e.message.replace(/^\w+: (the indexer at \S+ did not answer: )?/, '')
      : String(e);
    throw new StatusUnreachableError(url, why);
  }
  return { url, health, trees, counters: await readCounters(url) };
}

async function readCounters(url: string): Promise<IndexerStatus['counters']> {
  try {
    const res = await fetch(new URL('metrics', url));
    if (!res.ok) return {};
    const text = await res.text();
    const value = (name: string) => {
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : undefined;
    };
    return {
      transactions: value('zkpin_indexer_transactions_total'),
      events: value('zkpin_indexer_events_total'),
    };
  } catch {
    return {};
  }
}

export function exitCodeOf(s: IndexerStatus): number {
  switch (s.health.status) {
    case 'ok':
      return STATUS_EXIT.ok;
    case 'starting':
      return STATUS_EXIT.starting;
    default:
      return STATUS_EXIT.unhealthy;
  }
}

/** `[#####.....]  42%` */
export function progressBar(done: number, total: number, width = 30): string {
  const f = total > 0 ? Math.min(1, done / total) : 0;
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(f * 100)).padStart(3)}%`;
}

function seconds(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function backfillLine(b: NonNullable<IndexerStatus['health']['backfill']>): string {
  const eta = b.etaSeconds === null ? 'eta –' : `eta ${seconds(b.etaSeconds)}`;
  return `${progressBar(b.applied, b.total)}  ${b.applied}/${b.total} tx, ${b.transactionsPerSecond} tx/s, ${eta}`;
}

/** The root check state of a tree as health tells it. */
function rootState(s: IndexerStatus, address: string): string {
  const h = s.health;
  if (h.status === 'failed' && h.reason?.includes(address)) return 'OUT OF SYNC';
  if (h.status === 'starting') return 'checked after the backfill';
  return 'matches the chain';
}

/** The status as lines of text. */
export function renderStatus(s: IndexerStatus): string[] {
  const h = s.health;
  const lines = [`indexer   ${s.url}`, `health    ${h.status}${h.reason ? ` (${h.reason})` : ''}`];
  const chain = h.chainSlot === null ? 'chain did not answer' : `chain ${h.chainSlot}`;
  const lag = h.lagSlots === null ? '' : `, lag ${h.lagSlots} slots (limit ${h.maxLagSlots})`;
  lines.push(`slot      indexer ${h.indexerSlot}, ${chain}${lag}`);
  if (h.backfill) lines.push(`backfill  ${backfillLine(h.backfill)}`);
  const devices = s.trees.filter((t) => t.kind === 'device');
  const records = s.trees.filter((t) => t.kind === 'record');
  const sum = (ts: typeof s.trees) => ts.reduce((n, t) => n + t.leafCount, 0);
  const counts = [`${sum(devices)} device leaves`, `${sum(records)} records`];
  if (s.counters.transactions !== undefined)
    counts.push(`${s.counters.transactions} transactions applied`);
  if (s.counters.events !== undefined) counts.push(`${s.counters.events} events`);
  lines.push(`counts    ${counts.join(', ')}`);
  lines.push(`trees     ${s.trees.length === 0 ? 'none yet' : ''}`.trimEnd());
  for (const t of s.trees)
    lines.push(
      `  ${t.kind.padEnd(6)} #${String(t.number).padEnd(3)} ${t.address}  seq ${t.seq.padStart(6)}  leaves ${String(t.leafCount).padStart(6)}  root ${rootState(s, t.address)}`,
    );
  return lines;
}

/** One line for a log (`--watch` when stdout is not a terminal). */
export function statusLine(s: IndexerStatus): string {
  const h = s.health;
  const parts = [
    new Date().toISOString(),
    h.status,
    `slot ${h.indexerSlot}`,
    `lag ${h.lagSlots ?? '?'}`,
  ];
  if (h.backfill) parts.push(`backfill ${backfillLine(h.backfill)}`);
  if (h.reason && h.status !== 'starting') parts.push(h.reason);
  return parts.join('  ');
}

export interface StatusCommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  isTTY: boolean;
  /** Resolves when the watch should end (Ctrl-C). */
  interrupted?: Promise<void>;
}

const USAGE = `usage: zkpin-indexer status [--watch] [--interval <ms>] [--json] [--url <url>]
  asks the indexer at --url (default INDEXER_URL, else http://INDEXER_HOST:INDEXER_PORT/)
  exit code: 0 ok, 1 failed or behind, 2 unreachable, 3 starting (backfill under way)`;

/** Runs `status` with its arguments; returns the exit code. */
export async function runStatusCommand(
  args: string[],
  defaultUrl: string,
  io: StatusCommandIo,
): Promise<number> {
  let url = defaultUrl;
  let watch = false;
  let json = false;
  let intervalMs = 1_000;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--watch' || a === '-w') watch = true;
    else if (a === '--json') json = true;
    else if (a === '--url' && args[i + 1]) url = args[++i]!;
    else if (a === '--interval' && Number(args[i + 1]) >= 100) intervalMs = Number(args[++i]);
    else if (a === '--help' || a === '-h') {
      io.out(USAGE);
      return STATUS_EXIT.ok;
    } else {
      io.err(`zkpin-indexer status: unknown argument ${a}\n${USAGE}`);
      return STATUS_EXIT.unreachable;
    }
  }
  let stop = false;
  void io.interrupted?.then(() => {
    stop = true;
  });
  let code: number = STATUS_EXIT.ok;
  for (let first = true; first || (watch && !stop); first = false) {
    if (!first) await new Promise((r) => setTimeout(r, intervalMs));
    let s: IndexerStatus;
    try {
      s = await readStatus(url);
    } catch (e) {
      if (!(e instanceof StatusUnreachableError)) throw e;
      if (!watch) {
        io.err(`zkpin-indexer status: ${e.message}`);
        return STATUS_EXIT.unreachable;
      }
      // Watching: an indexer that restarts is waited for.
      io.err(`${new Date().toISOString()}  unreachable: ${e.message.split('\n')[0]}`);
      code = STATUS_EXIT.unreachable;
      continue;
    }
    code = exitCodeOf(s);
    if (json) io.out(JSON.stringify(s));
    else if (!watch) io.out(renderStatus(s).join('\n'));
    else if (io.isTTY) io.out(`\x1b[H\x1b[2J${renderStatus(s).join('\n')}\n\n(Ctrl-C to stop)`);
    else io.out(statusLine(s));
  }
  return code;
}
