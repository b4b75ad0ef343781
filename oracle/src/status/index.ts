export * from './reading-status.ts';
export * from './status-server.ts';
