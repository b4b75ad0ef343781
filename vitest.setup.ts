/**
 * Runs around every test file. snarkjs keeps one bn128 curve per process
 * (`globalThis.curve_bn128`, ffjavascript) with a worker thread per core; a test fork that
 * exits while those threads still run can crash the pool ("Channel closed",
 * ERR_INVALID_ARG_TYPE in web-worker's node.js), failing `npm test` after every test passed.
 * Each file that loaded the curve ends its threads before the fork moves on.
 */
import { afterAll } from 'vitest';

afterAll(async () => {
  const g = globalThis as { curve_bn128?: { terminate(): Promise<void> } | null };
  await g.curve_bn128?.terminate();
});
