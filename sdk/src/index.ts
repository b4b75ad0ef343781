/**
 * `@zkpin/sdk`: the isomorphic entry (browser and Node). No Node builtin, no global `Buffer`
 * or `process`, no litesvm (eslint.config.mjs enforces it; sdk/test/unit/browser-bundle.test.ts
 * bundles it for the browser). Node-only code: `@zkpin/sdk/node`; LiteSVM and test helpers:
 * `@zkpin/sdk/testing`.
 */
export * from './program-ids.ts';
export * from './ed25519.ts';
export * from './field.ts';
export * from './poseidon.ts';
export * from './commitment.ts';
export * from './proof-encoding.ts';
export * from './programs.ts';
export * from './messages.ts';
export * from './onboarding.ts';
export * from './device-keys.ts';
export * from './circuit-input.ts';
export * from './merkle-replica.ts';
export * from './tree-account.ts';
export * from './registry-client.ts';
export * from './model-shape.ts';
export * from './network-setup.ts';
export * from './attestation.ts';
export * from './signed-reading-json.ts';
export * from './pipeline.ts';
export * from './pipeline-status.ts';
export * from './device-gate.ts';
export * from './chain.ts';
export * from './rpc-transport.ts';
export * from './loader-v3.ts';
export * from './follower-snapshot.ts';
export * from './network-follower.ts';
export * from './deployment.ts';
export * from './lookup-table.ts';
export * from './indexer-api.ts';
export * from './groth16-verify.ts';
export * from './record-verification.ts';
export * from './onboarding-bundle.ts';
export * from './indexer-follower-store.ts';
