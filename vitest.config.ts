import { defineConfig } from 'vitest/config';

// One root config: every package keeps its tests under test/unit and test/integration,
// end-to-end tests live under tests/. Tests that need built artifacts (programs, circuits)
// are run by `npm test`, which builds them first (scripts/test.sh).
export default defineConfig({
  test: {
    include: ['*/test/**/*.test.ts', 'tests/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'target/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    setupFiles: ['./vitest.setup.ts'],
    reporters: ['default'],
  },
});
