import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * One vitest configuration for every package: tests import workspace packages from their sources
 * (the `@sock/source` export condition), so no test waits for a build, and a test that leaves an
 * unhandled rejection or uncaught exception fails (tooling/vitest-setup.ts).
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
    setupFiles: [fileURLToPath(new URL('./tooling/vitest-setup.ts', import.meta.url))],
  },
});
