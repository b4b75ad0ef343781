export * from './program-ids.ts';
export * from './local-chain.ts';
export * from './ed25519.ts';
