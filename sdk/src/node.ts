/**
 * `@zkpin/sdk/node`: Node-only code. node:crypto fast paths (ed25519 verification with cached
 * KeyObjects), the circomlibjs BabyJubJub device keys, `FileFollowerStore` (a follower
 * snapshot in a file) and `serviceFollowerStore` (the services' INDEXER_URL / FOLLOWER_STATE). Everything else is in the isomorphic main entry `@zkpin/sdk`.
 */
export * from './node/ed25519-verifier.ts';
export * from './node/babyjub.ts';
export * from './node/deployment-file.ts';
export * from './node/file-follower-store.ts';
export * from './node/service-follower-store.ts';
