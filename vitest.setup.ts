/**
 * Runs around every test file. snarkjs builds one bn128 curve per process
 * (`globalThis.curve_bn128`, ffjavascript) with a worker thread per core (the `web-worker`
 * package); a test fork that exits while those threads start or stop can crash the pool
 * ("Channel closed", ERR_INVALID_ARG_TYPE in web-worker's node.js, V8 "IsInUse" in a worker's
 * cleanup), failing `npm test` after every test passed. Tests therefore get a single-threaded
 * curve, cached where snarkjs looks for one, so no such thread is ever started; a module that
 * resets the cache on load (`globalThis.curve_bn128 = null`) does not undo it. Production
 * processes are not affected: only test files run this.
 */
import { buildBn128 } from 'ffjavascript';
import { afterAll, beforeAll } from 'vitest';

let curve: unknown;

beforeAll(async () => {
  curve ??= await buildBn128(true);
  Object.defineProperty(globalThis, 'curve_bn128', {
    configurable: true,
    get: () => curve,
    set: (v: unknown) => {
      if (v) curve = v;
    },
  });
});

afterAll(async () => {
  const c = curve as { terminate?: () => Promise<void> } | undefined;
  await c?.terminate?.();
});
