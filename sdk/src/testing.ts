/**
 * `@zkpin/sdk/testing`: the embedded chain (LiteSVM), the `localNetwork()` fixture, and what
 * tests, benchmarks, the simulator and the local network need around them. Node only;
 * services import it only in their local/embedded modes.
 */
export * from './testing/local-chain.ts';
export * from './testing/embedded-chain.ts';
export * from './testing/legacy-events.ts';
export * from './testing/programs.ts';
export * from './testing/local-network.ts';
export * from './testing/validator.ts';
export * from './testing/rpc-fault-proxy.ts';
export * from './testing/validator-network.ts';
