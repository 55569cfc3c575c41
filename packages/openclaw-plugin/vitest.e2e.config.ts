import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The end-to-end suite against a real OpenClaw gateway (`npm run test:e2e`). One file at a time in
// one fork: each gateway takes about 1 GB and 15-20 s of both cores to start, and its tests run
// in order against the same gateway.
export default defineConfig({
  resolve: { conditions: ['@ctd/source'] },
  ssr: { resolve: { conditions: ['@ctd/source'] } },
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    // The host-seams test reads the installed OpenClaw, which is only there for this suite: run here,
    // it fails loudly when a new OpenClaw moves a seam the rotation relies on.
    include: ['e2e/**/*.e2e.test.ts', 'src/rotation/host-seams.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    sequence: { concurrent: false, shuffle: false },
    testTimeout: 180_000,
    hookTimeout: 600_000,
    restoreMocks: true,
  },
});
