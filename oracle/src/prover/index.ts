export * from './errors.ts';
export * from './prover.ts';
export * from './dev-artifacts.ts';
