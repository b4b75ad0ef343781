import { describe, expect, it } from 'vitest';
import { parseEnv } from '../../src/env.ts';

const network = '6vJtcUJ94Mdzfy59mknp4BJqQRDubqo4Y1EarcGmCoin';

describe('oracle env', () => {
  it('applies defaults', () => {
    const env = parseEnv({
      SOLANA_RPC_URL: 'http://127.0.0.1:8899',
      NETWORK: network,
      ROLE: 'prover',
    });
    expect(env).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'zkpin',
      PROVER_CONCURRENCY: 2,
      COMPUTE_UNIT_LIMIT: 130_000,
    });
  });
  it('names what is missing or wrong', () => {
    expect(() => parseEnv({ ROLE: 'relayer' })).toThrow(
      /ROLE=relayer needs SOLANA_RPC_URL, NETWORK, ORACLE_KEYPAIR/,
    );
    expect(() => parseEnv({ ROLE: 'both' })).toThrow(/ROLE/);
    expect(() =>
      parseEnv({ SOLANA_RPC_URL: 'http://x', NETWORK: 'not-a-key', ROLE: 'prover' }),
    ).toThrow(/NETWORK: expected a base58 public key/);
  });
});
