export * from './prover-worker.ts';
export * from './relayer.ts';
export * from './metrics.ts';
export * from './relay/record-tree.ts';
