import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['@ctd/source'] },
  ssr: { resolve: { conditions: ['@ctd/source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/*/src/**/*.test.ts'],
    restoreMocks: true,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // One Chromium for every browser test file (the dashboard's element and serve tests).
    globalSetup: ['packages/ui-lit/src/testing/global-setup.ts'],
  },
});
