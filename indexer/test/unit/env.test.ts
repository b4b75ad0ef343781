/** The indexer's environment: defaults, what is required, what is refused with which variable named. */
import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/env.ts';
import { isIndexerError } from '../../src/errors.ts';

const NETWORK = '11111111111111111111111111111112';

describe('parseEnv', () => {
  it('defaults to PGlite on loopback', () => {
    const env = parseEnv({ NETWORK });
    expect(env).toMatchObject({
      INDEXER_HOST: '127.0.0.1',
      INDEXER_PORT: 8790,
      INDEXER_DATA_DIR: '.zkpin/indexer',
      INDEXER_MAX_LAG_SLOTS: 20,
      INDEXER_RATE_LIMIT_PER_S: 500,
      INDEXER_RATE_LIMIT_BURST: 1000,
      LOG_LEVEL: 'info',
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(parseEnv({ NETWORK, DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  it('needs a deployment or a network, and names the variables it refuses', () => {
    const e1 = (() => {
      try {
        return parseEnv({});
      } catch (e) {
        return e;
      }
    })();
    expect(isIndexerError(e1, 'INDEXER_CONFIG')).toBe(true);
    expect((e1 as Error).message).toMatch(/NETWORK: set ZKPIN_DEPLOYMENT/);
    expect(() => parseEnv({ NETWORK, DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
    expect(() => parseEnv({ NETWORK, INDEXER_PORT: '70000' })).toThrow(/INDEXER_PORT/);
    expect(parseEnv({ NETWORK, DATABASE_URL: 'postgres://u@h/db' }).DATABASE_URL).toBe(
      'postgres://u@h/db',
    );
  });

  it('trusts no proxy by default; takes a list of proxy addresses', () => {
    expect(parseEnv({ NETWORK }).INDEXER_TRUSTED_PROXIES).toEqual([]);
    expect(
      parseEnv({ NETWORK, INDEXER_TRUSTED_PROXIES: '10.0.0.1, ::1' }).INDEXER_TRUSTED_PROXIES,
    ).toEqual(['10.0.0.1', '::1']);
    expect(() => parseEnv({ NETWORK, INDEXER_TRUSTED_PROXIES: 'proxy.local' })).toThrow(
      /INDEXER_TRUSTED_PROXIES/,
    );
  });
});
