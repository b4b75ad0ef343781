// Starts a TypeScript worker module (its URL in argv[2]) under tsx, for a bridge run from its
// TypeScript sources (tsx, vitest). Node 20's workers do not apply loader hooks passed as
// `execArgv: ['--import', 'tsx']` to their entry (privatenumber/tsx#354), so the worker
// registers tsx itself before importing the module.
import { argv } from 'node:process';
import { register } from 'tsx/esm/api';

register();
await import(argv[2]);
