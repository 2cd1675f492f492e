import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Real processes and counters: keep files apart on a 2-core machine.
    fileParallelism: !process.env.CI,
    reporters: process.env.CI ? ['verbose'] : ['default'],
  },
});
