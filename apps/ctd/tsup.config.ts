import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.ts';

// The CLI is bundled into one file: start-up time matters more than package boundaries here.
export default defineConfig({
  ...baseConfig,
  entry: { cli: 'src/cli.ts' },
  dts: false,
  noExternal: [/.*/],
  minify: true,
  splitting: true,
  banner: { js: '#!/usr/bin/env node' },
});
