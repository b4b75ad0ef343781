/** The bridge's environment: safe defaults and the combinations it refuses. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_INDEXER_SNAPSHOT_TIMEOUT_MS } from '@zkpin/sdk';
import { bridgeOptionsFromEnv, parseEnv } from '../../src/env.ts';

const NETWORK = '9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin';

describe('bridge env', () => {
  it('defaults to loopback ingest, metrics on their own loopback port, the spec §8 window and a stable MQTT client id', () => {
    const env = parseEnv({ NETWORK });
    expect(env.HTTP_HOST).toBe('127.0.0.1');
    expect(env.BRIDGE_METRICS_HOST).toBe('127.0.0.1');
    expect(env.BRIDGE_METRICS_PORT).not.toBe(env.HTTP_PORT);
    expect(env.BRIDGE_MAX_READING_AGE_S).toBe(86_400);
    expect(env.BRIDGE_MAX_CLOCK_SKEW_S).toBe(120);
    expect(env.MQTT_CLIENT_ID).toMatch(/^zkpin-bridge-/);
    expect(parseEnv({ NETWORK }).MQTT_CLIENT_ID).toBe(env.MQTT_CLIENT_ID);
    expect(env.MQTT_USERNAME).toBeUndefined();
    expect(env.HTTP_HEADERS_TIMEOUT_MS).toBeLessThanOrEqual(env.HTTP_REQUEST_TIMEOUT_MS);
    expect(env.FOLLOWER_STATE).toBeUndefined(); // no snapshot: the whole history at each start
    expect(parseEnv({ NETWORK, FOLLOWER_STATE: '/var/lib/f.json' }).FOLLOWER_STATE).toBe(
      '/var/lib/f.json',
    );
  });

  it('takes the indexer whose snapshot a start reads from INDEXER_URL, with its timeout', () => {
    expect(parseEnv({ NETWORK }).INDEXER_URL).toBeUndefined();
    expect(parseEnv({ NETWORK }).INDEXER_TIMEOUT_MS).toBe(DEFAULT_INDEXER_SNAPSHOT_TIMEOUT_MS);
    const env = parseEnv({
      NETWORK,
      INDEXER_URL: 'http://127.0.0.1:8790/',
      INDEXER_TIMEOUT_MS: '2500',
    });
    expect([env.INDEXER_URL, env.INDEXER_TIMEOUT_MS]).toEqual(['http://127.0.0.1:8790/', 2500]);
    expect(() => parseEnv({ NETWORK, INDEXER_URL: '127.0.0.1:8790' })).toThrow(/INDEXER_URL/);
    expect(() => parseEnv({ NETWORK, INDEXER_TIMEOUT_MS: '10' })).toThrow(/INDEXER_TIMEOUT_MS/);
  });

  it('reads the new settings', () => {
    const env = parseEnv({
      NETWORK,
      BRIDGE_MAX_READING_AGE_S: '600',
      BRIDGE_MAX_CLOCK_SKEW_S: '30',
      BRIDGE_METRICS_PORT: '9999',
      HTTP_MAX_CONNECTIONS: '50',
      MQTT_USERNAME: 'zkpin-bridge',
      MQTT_PASSWORD: 'secret',
    });
    expect(env).toMatchObject({
      BRIDGE_MAX_READING_AGE_S: 600,
      BRIDGE_MAX_CLOCK_SKEW_S: 30,
      BRIDGE_METRICS_PORT: 9999,
      HTTP_MAX_CONNECTIONS: 50,
      MQTT_USERNAME: 'zkpin-bridge',
      MQTT_PASSWORD: 'secret',
    });
  });

  it('takes the ed25519 backend from ZKPIN_ED25519_BACKEND (auto by default) and refuses others', () => {
    expect(parseEnv({ NETWORK }).ZKPIN_ED25519_BACKEND).toBe('auto');
    expect(parseEnv({ NETWORK, ZKPIN_ED25519_BACKEND: 'node' }).ZKPIN_ED25519_BACKEND).toBe('node');
    expect(
      bridgeOptionsFromEnv(parseEnv({ NETWORK, ZKPIN_ED25519_BACKEND: 'native' })),
    ).toMatchObject({
      ed25519Backend: 'native',
    });
    expect(() => parseEnv({ NETWORK, ZKPIN_ED25519_BACKEND: 'openssl' })).toThrow(
      /ZKPIN_ED25519_BACKEND/,
    );
  });

  it('refuses metrics on the ingest port and a headers timeout above the request timeout', () => {
    expect(() => parseEnv({ NETWORK, HTTP_PORT: '8080', BRIDGE_METRICS_PORT: '8080' })).toThrow(
      /BRIDGE_METRICS_PORT/,
    );
    expect(() =>
      parseEnv({ NETWORK, HTTP_REQUEST_TIMEOUT_MS: '1000', HTTP_HEADERS_TIMEOUT_MS: '2000' }),
    ).toThrow(/HTTP_HEADERS_TIMEOUT_MS/);
    expect(() => parseEnv({ NETWORK, BRIDGE_MAX_CLOCK_SKEW_S: '-1' })).toThrow(
      /BRIDGE_MAX_CLOCK_SKEW_S/,
    );
  });
});
