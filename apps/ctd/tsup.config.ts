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
  // Bundled CommonJS dependencies (undici, loaded only for a proxy) call require() for Node
  // built-ins, which an ES module lacks. A module-level binding is dropped by the minifier, so
  // the banner sets a global one.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __ctdCreateRequire } from 'node:module';\nglobalThis.require ??= __ctdCreateRequire(import.meta.url);",
  },
});
