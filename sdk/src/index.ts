export * from './program-ids.ts';
export * from './local-chain.ts';
export * from './ed25519.ts';
export * from './field.ts';
export * from './poseidon.ts';
export * from './proof-encoding.ts';
export * from './programs.ts';
