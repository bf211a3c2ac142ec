import { defineConfig } from 'vitest/config';

/**
 * One vitest configuration for every package: tests import workspace packages from their sources
 * (the `@sock/source` export condition), so no test waits for a build.
 */
export default defineConfig({
  resolve: { conditions: ['@sock/source'] },
  ssr: { resolve: { conditions: ['@sock/source'], externalConditions: ['@sock/source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    teardownTimeout: 10_000,
    typecheck: { enabled: false },
  },
});
