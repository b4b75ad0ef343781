import { describe, expect, it } from 'vitest';
import { DEFAULT_INDEXER_SNAPSHOT_TIMEOUT_MS, DEFAULT_RPC_SEND_OPTIONS } from '@zkpin/sdk';
import {
  artifactsSource,
  assertDevArtifactsLocal,
  parseEnv,
  rpcSendOptions,
} from '../../src/env.ts';
import {
  DEFAULT_COMPUTE_UNIT_LIMIT,
  DEFAULT_PROVER_CONCURRENCY,
  DEFAULT_RELAYER_CONCURRENCY,
} from '../../src/defaults.ts';

const network = '6vJtcUJ94Mdzfy59mknp4BJqQRDubqo4Y1EarcGmCoin';
const prover = { SOLANA_RPC_URL: 'http://127.0.0.1:8899', NETWORK: network, ROLE: 'prover' };

describe('oracle env', () => {
  it('applies defaults', () => {
    const env = parseEnv({ ...prover, ZKPIN_DEV_ARTIFACTS: '1' });
    expect(env).toMatchObject({
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: 'zkpin',
      PROVER_CONCURRENCY: DEFAULT_PROVER_CONCURRENCY,
      RELAYER_CONCURRENCY: DEFAULT_RELAYER_CONCURRENCY,
      COMPUTE_UNIT_LIMIT: DEFAULT_COMPUTE_UNIT_LIMIT,
      PROVER_BACKEND: 'auto',
      ZKPIN_PROVER_TRACE: false,
    });
    expect(env.ZKPIN_NATIVE_PROVER).toBeUndefined();
    expect(env.FOLLOWER_STATE).toBeUndefined(); // no snapshot: the whole history at each start
  });

  it('takes the follower snapshot file from FOLLOWER_STATE', () => {
    const env = parseEnv({
      ...prover,
      ZKPIN_DEV_ARTIFACTS: '1',
      FOLLOWER_STATE: '/var/lib/f.json',
    });
    expect(env.FOLLOWER_STATE).toBe('/var/lib/f.json');
    expect(() => parseEnv({ ...prover, ZKPIN_DEV_ARTIFACTS: '1', FOLLOWER_STATE: '' })).toThrow(
      /FOLLOWER_STATE/,
    );
  });

  it('takes the indexer whose snapshot a start reads from INDEXER_URL, with its timeout', () => {
    const base = { ...prover, ZKPIN_DEV_ARTIFACTS: '1' };
    expect(parseEnv(base).INDEXER_URL).toBeUndefined();
    expect(parseEnv(base).INDEXER_TIMEOUT_MS).toBe(DEFAULT_INDEXER_SNAPSHOT_TIMEOUT_MS);
    const env = parseEnv({
      ...base,
      INDEXER_URL: 'http://127.0.0.1:8790/',
      INDEXER_TIMEOUT_MS: '2500',
    });
    expect([env.INDEXER_URL, env.INDEXER_TIMEOUT_MS]).toEqual(['http://127.0.0.1:8790/', 2500]);
    expect(() => parseEnv({ ...base, INDEXER_URL: '127.0.0.1:8790' })).toThrow(/INDEXER_URL/);
    expect(() => parseEnv({ ...base, INDEXER_TIMEOUT_MS: '10' })).toThrow(/INDEXER_TIMEOUT_MS/);
  });

  it('names what is missing or wrong', () => {
    expect(() => parseEnv({ ROLE: 'relayer' })).toThrow(
      /ROLE=relayer needs SOLANA_RPC_URL, NETWORK, ORACLE_KEYPAIR/,
    );
    expect(() => parseEnv({ ROLE: 'both' })).toThrow(/ROLE/);
    expect(() =>
      parseEnv({ SOLANA_RPC_URL: 'http://x', NETWORK: 'not-a-key', ROLE: 'prover' }),
    ).toThrow(/NETWORK: expected a base58 public key/);
    expect(() => parseEnv({ ...prover, ZKPIN_DEV_ARTIFACTS: 'yes' })).toThrow(
      /ZKPIN_DEV_ARTIFACTS/,
    );
    expect(() => parseEnv({ ...prover, COMPUTE_UNIT_LIMIT: '2000000' })).toThrow(
      /COMPUTE_UNIT_LIMIT/,
    );
  });

  it('refuses to prove without proving artifacts, naming both ways to give them', () => {
    for (const role of ['prover', 'all'])
      expect(() => parseEnv({ ...prover, ROLE: role, ORACLE_KEYPAIR: '/k.json' })).toThrow(
        new RegExp(
          `ROLE=${role} needs proving artifacts: set PROVER_ARTIFACTS .* or ZKPIN_DEV_ARTIFACTS=1 for the INSECURE`,
        ),
      );
    expect(() =>
      parseEnv({ ...prover, PROVER_ARTIFACTS: '/a.json', ZKPIN_DEV_ARTIFACTS: 'true' }),
    ).toThrow(/PROVER_ARTIFACTS and ZKPIN_DEV_ARTIFACTS=1 are both set/);
    // ZKPIN_DEV_ARTIFACTS=0 is not a request for development keys.
    expect(() => parseEnv({ ...prover, ZKPIN_DEV_ARTIFACTS: '0' })).toThrow(
      /needs proving artifacts/,
    );
  });

  it('takes artifacts from the file, or the development keys only when asked', () => {
    expect(artifactsSource(parseEnv({ ...prover, PROVER_ARTIFACTS: '/srv/model-1.json' }))).toEqual(
      { kind: 'files', paths: ['/srv/model-1.json'] },
    );
    expect(
      artifactsSource(parseEnv({ ...prover, PROVER_ARTIFACTS: '/srv/model-1.json, /srv/m2.json' })),
    ).toEqual({ kind: 'files', paths: ['/srv/model-1.json', '/srv/m2.json'] });
    expect(artifactsSource(parseEnv({ ...prover, ZKPIN_DEV_ARTIFACTS: '1' }))).toEqual({
      kind: 'dev',
    });
    const relayer = parseEnv({ ...prover, ROLE: 'relayer', ORACLE_KEYPAIR: '/k.json' });
    expect(artifactsSource(relayer)).toBeUndefined();
  });

  it('refuses the INSECURE development keys off a local cluster, with a clear reason', () => {
    const dev = parseEnv({ ...prover, ZKPIN_DEV_ARTIFACTS: '1' });
    const genesisHash = '4uhcVJyU9pJkvQyS88uRDiswHXSCkY3zQawwpjk2NsNY';
    const manifest = (name: string, rpcUrl: string) => ({ cluster: { name, rpcUrl, genesisHash } });
    // local: a loopback URL, with or without a manifest (whatever its label)
    for (const rpcUrl of ['http://127.0.0.1:8899', 'http://localhost:8899', 'http://[::1]:8899'])
      expect(() => assertDevArtifactsLocal(dev, { rpcUrl })).not.toThrow();
    expect(() =>
      assertDevArtifactsLocal(dev, {
        rpcUrl: 'http://127.0.0.1:8899',
        manifest: manifest('local', 'http://127.0.0.1:8899'),
      }),
    ).not.toThrow();
    // a remote URL, from SOLANA_RPC_URL or from the deployment's manifest
    expect(() => assertDevArtifactsLocal(dev, { rpcUrl: 'https://api.devnet.solana.com' })).toThrow(
      /^invalid oracle configuration: ZKPIN_DEV_ARTIFACTS=1 \(the INSECURE development keys: anyone can forge their proofs\) is refused on devnet \(https:\/\/api\.devnet\.solana\.com\).*Set PROVER_ARTIFACTS/,
    );
    const mainnet = 'https://api.mainnet-beta.solana.com';
    expect(() =>
      assertDevArtifactsLocal(dev, {
        rpcUrl: mainnet,
        manifest: manifest('mainnet-beta', mainnet),
      }),
    ).toThrow(/refused on mainnet-beta .*deployment on "mainnet-beta"/);
    // a local endpoint (a tunnel, a proxy) in front of a deployment made on another cluster
    expect(() =>
      assertDevArtifactsLocal(dev, {
        rpcUrl: 'http://127.0.0.1:8899',
        manifest: manifest('local', 'https://rpc.example.org'),
      }),
    ).toThrow(/refused on rpc\.example\.org/);
    // the deployment's own keys, and a relayer (it proves nothing), run anywhere
    const file = parseEnv({ ...prover, PROVER_ARTIFACTS: '/srv/model-1.json' });
    const relayer = parseEnv({ ...prover, ROLE: 'relayer', ORACLE_KEYPAIR: '/k.json' });
    for (const env of [file, relayer])
      expect(() =>
        assertDevArtifactsLocal(env, {
          rpcUrl: mainnet,
          manifest: manifest('mainnet-beta', mainnet),
        }),
      ).not.toThrow();
  });

  it('passes the native prover settings through', () => {
    const env = parseEnv({
      ...prover,
      ZKPIN_DEV_ARTIFACTS: '1',
      ZKPIN_NATIVE_PROVER: '/opt/zkpin-native-prover',
      ZKPIN_PROVER_TRACE: '1',
    });
    expect(env).toMatchObject({
      ZKPIN_NATIVE_PROVER: '/opt/zkpin-native-prover',
      ZKPIN_PROVER_TRACE: true,
    });
  });

  it('reads the send budgets (RPC_*), defaults from the sdk', () => {
    const relayer = { ...prover, ROLE: 'relayer', ORACLE_KEYPAIR: '/k.json' };
    const d = rpcSendOptions(parseEnv(relayer));
    expect(d).toEqual({
      timeoutMs: DEFAULT_RPC_SEND_OPTIONS.timeoutMs,
      rebroadcastMs: DEFAULT_RPC_SEND_OPTIONS.rebroadcastMs,
      requestTimeoutMs: DEFAULT_RPC_SEND_OPTIONS.requestTimeoutMs,
      unavailableBudgetMs: DEFAULT_RPC_SEND_OPTIONS.unavailableBudgetMs,
      maxResigns: DEFAULT_RPC_SEND_OPTIONS.maxResigns,
    });
    const set = parseEnv({
      ...relayer,
      RPC_SEND_TIMEOUT_MS: '90000',
      RPC_REBROADCAST_MS: '1500',
      RPC_REQUEST_TIMEOUT_MS: '5000',
      RPC_UNAVAILABLE_BUDGET_MS: '30000',
      RPC_MAX_RESIGNS: '1',
    });
    expect(rpcSendOptions(set)).toEqual({
      timeoutMs: 90_000,
      rebroadcastMs: 1_500,
      requestTimeoutMs: 5_000,
      unavailableBudgetMs: 30_000,
      maxResigns: 1,
    });
    expect(() => parseEnv({ ...relayer, RPC_REBROADCAST_MS: '10' })).toThrow(/RPC_REBROADCAST_MS/);
  });
});
