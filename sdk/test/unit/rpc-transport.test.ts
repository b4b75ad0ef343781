import { describe, expect, it } from 'vitest';
import {
  ChainError,
  RpcHttpError,
  RpcResponseError,
  backoffDelay,
  isRpcUnavailable,
  isTransientChainError,
  parseRetryAfter,
  rpcFault,
} from '@zkpin/sdk';

describe('RPC faults', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2_000);
    expect(parseRetryAfter('0.5')).toBe(500);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now)).toBe(3_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('tells faults of the path from answers', () => {
    expect(rpcFault(new RpcHttpError(429, 'Too Many Requests', 1_000, ''))).toEqual({
      kind: 'http',
      summary: 'HTTP 429',
      retryAfterMs: 1_000,
    });
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:8899' },
    });
    expect(rpcFault(refused)).toEqual({ kind: 'network', summary: 'ECONNREFUSED' });
    expect(rpcFault(new DOMException('signal timed out', 'TimeoutError'))).toMatchObject({
      kind: 'timeout',
    });
    // What web3.js makes of them once it wrapped them into a message.
    expect(
      rpcFault(new Error('failed to get info about account X: TypeError: fetch failed')),
    ).toMatchObject({ kind: 'network' });
    expect(rpcFault(new Error('503 Service Unavailable: upstream down'))).toEqual({
      kind: 'http',
      summary: 'HTTP 503',
    });
    expect(
      rpcFault(new RpcResponseError('getBlockHeight', -32005, 'Node is behind', null)),
    ).toMatchObject({
      kind: 'rpc',
    });
    // Not faults: a program's refusal, a bug.
    expect(
      rpcFault(new Error('Error processing Instruction 2: custom program error: 0x1772')),
    ).toBeUndefined();
    expect(rpcFault(new RangeError('offset out of range'))).toBeUndefined();
  });

  it('backs off exponentially with jitter, within bounds', () => {
    for (let n = 1; n <= 12; n++) {
      const d = Math.min(4_000, 250 * 2 ** (n - 1));
      for (let i = 0; i < 20; i++) {
        const delay = backoffDelay(n, 250, 4_000);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(d / 2));
        expect(delay).toBeLessThanOrEqual(d);
      }
    }
  });

  it('ChainError codes: the RPC path is transient, a refusal is not', () => {
    const refusal = new ChainError('custom program error: 0x1772', ['log'], {});
    expect(refusal.code).toBe('CHAIN_TX_FAILED');
    expect(isTransientChainError(refusal)).toBe(false);
    expect(isRpcUnavailable(refusal)).toBe(false);
    for (const code of [
      'CHAIN_RPC_UNAVAILABLE',
      'CHAIN_CONFIRM_TIMEOUT',
      'CHAIN_BLOCKHASH_EXPIRED',
    ] as const) {
      const e = new ChainError(code, [], {}, code);
      expect(isTransientChainError(e)).toBe(true);
      expect(isRpcUnavailable(e)).toBe(true);
    }
  });
});
