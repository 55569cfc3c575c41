import type { Options } from 'tsup';

/** Shared build settings; each package's tsup.config.ts spreads this and overrides only what differs. */
export const baseConfig: Options = {
  entry: ['src/index.ts'],
  format: ['esm'],
  target: 'node22',
  platform: 'node',
  dts: true,
  clean: true,
  sourcemap: true,
  splitting: false,
  treeshake: true,
};
