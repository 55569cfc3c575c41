import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'tsup';

import { bundlePageSync } from '../../packages/ui-lit/scripts/page-bundle.mjs';
import { ctdInputsHash, ctdInputsStamp } from '../../scripts/build-freshness.mjs';
import { zodEnglishOnly } from '../../scripts/esbuild-zod-english.mjs';
import { baseConfig } from '../../tsup.config.base.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

// The CLI is bundled into one file: start-up time matters more than package boundaries here, and
// the published package has no runtime dependencies (`npm i -g` of the tarball needs no registry).
export default defineConfig(() => {
  // Hashed before building: `npm run ctd` rebuilds only when the inputs differ from these.
  const inputs = ctdInputsHash(root);
  return {
    ...baseConfig,
    entry: { cli: 'src/cli.ts' },
    dts: false,
    // Every dependency, the @ctd/* libraries and third-party ones alike, goes into the bundle.
    noExternal: [/.*/],
    minify: true,
    // No source maps in the package: the bundle never prints a stack trace, and maps would triple its size.
    sourcemap: false,
    splitting: true,
    // Build from the libraries' sources (the repository's `@ctd/source` export condition), so that
    // the bundle never depends on whether their dist/ is up to date.
    // zod's English messages only (scripts/esbuild-zod-english.mjs): less code to load at each start.
    esbuildPlugins: [zodEnglishOnly],
    esbuildOptions(options) {
      options.conditions = ['@ctd/source', ...(options.conditions ?? [])];
      // `ctd serve`'s page (the @ctd/ui-lit page script with Lit) embedded as one string.
      options.define = { ...options.define, __CTD_SERVE_PAGE__: JSON.stringify(bundlePageSync()) };
    },
    // Bundled CommonJS dependencies (undici, loaded only for a proxy) call require() for Node
    // built-ins, which an ES module lacks. A module-level binding is dropped by the minifier, so
    // the banner sets a global one.
    banner: {
      js: "#!/usr/bin/env node\nimport { createRequire as __ctdCreateRequire } from 'node:module';\nglobalThis.require ??= __ctdCreateRequire(import.meta.url);",
    },
    async onSuccess() {
      await writeFile(ctdInputsStamp(root), `${inputs}\n`);
    },
  };
});
