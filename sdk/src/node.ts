/**
 * `@zkpin/sdk/node`: Node-only fast paths (node:crypto). Everything else is in the isomorphic
 * main entry `@zkpin/sdk`.
 */
export * from './node/ed25519-verifier.ts';
