import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Every process the tests start (CLI, serve, writer) caches images in a folder of this run,
// never in the real user's ~/.cache/cosiflash (tests that test the cache set their own).
const testCacheHome = path.join(os.tmpdir(), `cosiflash-test-cache-home-${process.pid}`);

export default defineConfig({
  test: {
    env: { XDG_CACHE_HOME: testCacheHome },
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Loop devices and servers are per test file; files run in parallel processes.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
