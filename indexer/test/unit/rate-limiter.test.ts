/** The token bucket per client: bursts, refill, batches, clients apart, memory bounded. */
import { describe, expect, it } from 'vitest';
import { RateLimiter, clientAddress } from '../../src/rate-limiter.ts';

describe('RateLimiter', () => {
  it('lets a burst through, then one request per refilled token, each client apart', () => {
    let now = 0;
    const l = new RateLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => l.take('a'))).toEqual([0, 0, 0]);
    expect(l.take('a')).toBe(1); // one token comes in 0.5 s: retry in 1 s
    expect(l.take('b')).toBe(0); // another client has its own bucket
    now = 500;
    expect(l.take('a')).toBe(0);
    expect(l.take('a')).toBe(1);
    now = 10_000; // refilled, but never above the burst
    expect(l.take('a', 3)).toBe(0);
    expect(l.take('a')).toBe(1);
  });

  it('a batch takes a token per request, at most a full bucket; 0/s is no limit', () => {
    let now = 0;
    const l = new RateLimiter({ perSecond: 10, burst: 5 }, () => now);
    expect(l.take('a', 4)).toBe(0);
    expect(l.take('a', 4)).toBe(1); // 1 token left: 3 more take 0.3 s
    now = 1_000;
    expect(l.take('a', 50)).toBe(0); // larger than the bucket: costs all of it
    expect(l.take('a')).toBe(1);
    const off = new RateLimiter({ perSecond: 0, burst: 1 });
    for (let i = 0; i < 100; i++) expect(off.take('a')).toBe(0);
  });

  it('forgets clients whose bucket is full again once it holds too many', () => {
    let now = 0;
    const l = new RateLimiter({ perSecond: 1, burst: 1 }, () => now, 2);
    expect(l.take('a')).toBe(0);
    expect(l.take('b')).toBe(0);
    now = 5_000; // a and b are full again: forgotten when c comes
    expect(l.take('c')).toBe(0);
    expect(l.take('c')).toBe(1);
    expect(l.take('a')).toBe(0);
  });
});

describe('clientAddress', () => {
  const proxies = new Set(['10.0.0.1', '10.0.0.2']);

  it('is the peer unless the peer is a trusted proxy', () => {
    expect(clientAddress('::ffff:203.0.113.9', undefined, proxies)).toBe('203.0.113.9');
    // A client that is not a proxy cannot pick its bucket with a header.
    expect(clientAddress('203.0.113.9', '198.51.100.1', proxies)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.1', undefined, proxies)).toBe('10.0.0.1');
  });

  it('behind trusted proxies, the nearest forwarded address that is not one of them', () => {
    expect(clientAddress('10.0.0.1', '198.51.100.7', proxies)).toBe('198.51.100.7');
    expect(clientAddress('::ffff:10.0.0.1', '198.51.100.7, 10.0.0.2', proxies)).toBe(
      '198.51.100.7',
    );
    // Forged entries the client wrote itself sit to the left of what its proxy appended.
    expect(clientAddress('10.0.0.1', '1.1.1.1, 2.2.2.2, 198.51.100.7', proxies)).toBe(
      '198.51.100.7',
    );
    expect(clientAddress('10.0.0.1', ['1.1.1.1', '198.51.100.7'], proxies)).toBe('198.51.100.7');
    // Only proxies all the way: charged to the outermost one.
    expect(clientAddress('10.0.0.1', '10.0.0.2', proxies)).toBe('10.0.0.2');
  });
});
