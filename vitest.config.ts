import { defineConfig } from 'vitest/config'

// One test run for the whole workspace. Each project names where its tests live;
// integration tests get a real Postgres from the server project's global setup.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'shared',
          root: './packages/shared',
          include: ['src/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'server',
          root: './apps/server',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          globalSetup: ['./test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'desktop',
          root: './apps/desktop',
          include: ['src/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        // The desktop's core against the real server (in-process) on the server
        // project's throwaway Postgres: same global setup, same database helpers.
        test: {
          name: 'desktop-integration',
          root: './apps/desktop',
          include: ['integration/**/*.test.ts'],
          globalSetup: ['../server/test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // Real Chromium against `console --web`; needs the renderer built first.
        test: {
          name: 'desktop-e2e',
          root: './apps/desktop',
          include: ['e2e/**/*.e2e.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
})
