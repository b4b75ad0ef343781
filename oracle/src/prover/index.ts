export * from './errors.ts';
export * from './prover.ts';
export * from './model-provers.ts';
export * from './dev-artifacts.ts';
export * from './native-groth16.ts';
