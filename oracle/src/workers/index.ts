export * from './prover-worker.ts';
export * from './relayer.ts';
export * from './metrics.ts';
