import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts', '**/*.test.tsx'],
    exclude: ['node_modules/**', 'dist/**', '.bench-tools/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Load and cluster tests open many sockets; run files in a small pool so 2 cores are not oversubscribed.
    pool: 'forks',
    maxWorkers: 2,
  },
});
