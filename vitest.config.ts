import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Loop devices and servers are per test file; files run in parallel processes.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
