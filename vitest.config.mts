import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // Pure and in-process tests (fakes passed in, the emulator and dynalite on ephemeral ports): parallel.
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/stack/**'],
          environment: 'node',
          testTimeout: 30_000,
        },
      },
      {
        // Tests that boot the real local stack (emulator + dynalite + serverless-offline): one file at a
        // time, each on its own free ports.
        test: {
          name: 'stack',
          include: ['test/stack/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
