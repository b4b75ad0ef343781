/**
 * Per-client token buckets: each client (its IP address) holds up to `burst` tokens, refilled
 * at `perSecond`; each JSON-RPC request (each one of a batch) takes one. A client without
 * enough tokens is answered HTTP 429 `RATE_LIMITED` and told when to retry. `perSecond` 0
 * turns the limit off. Buckets that have refilled are forgotten once more than `maxClients`
 * are held, so memory stays bounded.
 */
export interface RateLimit {
  /** Tokens added per second (0: no limit). */
  perSecond: number;
  /** Most tokens a client holds: the largest burst it may send at once. */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly limit: RateLimit,
    private readonly now: () => number = () => performance.now(),
    private readonly maxClients = 10_000,
  ) {}

  get enabled(): boolean {
    return this.limit.perSecond > 0;
  }

  /**
   * Takes `n` tokens from `client`'s bucket; returns 0 when it had them, else the seconds
   * until it will (nothing is taken then).
   */
  take(client: string, n = 1): number {
    if (!this.enabled) return 0;
    const t = this.now();
    const b = this.refilled(client, t);
    // A batch larger than the bucket costs a full bucket (it could never be served otherwise).
    const cost = Math.min(n, this.limit.burst);
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((cost - b.tokens) / this.limit.perSecond));
  }

  private refilled(client: string, t: number): Bucket {
    let b = this.buckets.get(client);
    if (!b) {
      if (this.buckets.size >= this.maxClients) this.forgetFull(t);
      b = { tokens: this.limit.burst, at: t };
      this.buckets.set(client, b);
      return b;
    }
    b.tokens = Math.min(this.limit.burst, b.tokens + ((t - b.at) / 1000) * this.limit.perSecond);
    b.at = t;
    return b;
  }

  /** Drops the buckets that are full again (a client that came back starts full anyway). */
  private forgetFull(t: number): void {
    for (const [k, b] of this.buckets)
      if (b.tokens + ((t - b.at) / 1000) * this.limit.perSecond >= this.limit.burst)
        this.buckets.delete(k);
  }
}

/** An address as the socket gives it, IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as plain IPv4. */
function normalize(address: string): string {
  const a = address.trim();
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

/**
 * The client a request's rate limit is charged to. Behind reverse proxies listed in `trusted`
 * (their addresses), it is the nearest address of `X-Forwarded-For` that is not one of them:
 * each proxy appends the address it was reached from, so the entries a client wrote itself are
 * further left and a forged header cannot move its requests onto another client's bucket. A
 * request from any other peer is charged to the peer, whatever its headers say.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: ReadonlySet<string>,
): string {
  let client = normalize(peer ?? 'unknown');
  if (!trusted.has(client) || forwardedFor === undefined) return client;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map(normalize)
    .filter((h) => h.length > 0);
  while (trusted.has(client) && hops.length > 0) client = hops.pop()!;
  return client;
}
