/**
 * `@zkpin/sdk/testing`: the embedded chain (LiteSVM) and what tests, benchmarks, the simulator
 * and the local network need around it. Node only; services import it only in their
 * local/embedded modes.
 */
export * from './testing/local-chain.ts';
export * from './testing/embedded-chain.ts';
export * from './testing/programs.ts';
