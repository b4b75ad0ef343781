/**
 * `@zkpin/sdk/testing`: the embedded LiteSVM chain and the `localNetwork()` fixture, for tests,
 * benchmarks and the local network. Node only (litesvm, node:fs).
 */
export * from './local-chain.ts';
export * from './testing/local-network.ts';
