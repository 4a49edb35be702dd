import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // chDB binds one data directory per process: every test file gets its own process.
    pool: 'forks',
    // Deletes the temporary directories each test file made (test/support/temp-dirs.ts).
    setupFiles: ['test/support/temp-dirs.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
