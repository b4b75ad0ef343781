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
