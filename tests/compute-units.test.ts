/**
 * Compute-unit ceilings of every device_registry instruction, measured on the benchmark's
 * production-shaped network (bench/programs-scenario.ts). Timing targets live in the
 * benchmark; compute units are deterministic, so their ceilings are asserted here.
 */
import { describe, expect, it } from 'vitest';
import { CU_CEILINGS, measureRegistry } from '../bench/programs-scenario.ts';

describe('compute-unit ceilings (depth-20 device tree, canopy 10)', () => {
  it('every instruction stays under its ceiling', async () => {
    const m = await measureRegistry();
    for (const [name, ceiling] of Object.entries(CU_CEILINGS)) {
      expect(m[name], name).toBeGreaterThan(0);
      expect(m[name], name).toBeLessThanOrEqual(ceiling);
    }
  });
});
