import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

import { bundlePageSync } from '../../packages/ui-lit/scripts/page-bundle.mjs';
import { ctdInputsHash, ctdInputsStamp } from '../../scripts/build-freshness.mjs';
import { baseConfig } from '../../tsup.config.base.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

type EsbuildPlugin = NonNullable<Options['esbuildPlugins']>[number];

// zod ships every locale's error messages (about 40 of them, a third of its code) behind
// `z.locales`, which a bundler cannot leave out; ctd speaks English only and never names a locale,
// so the bundle gets just English there. Start-up time and memory are dominated by loaded code.
const englishOnlyZodLocales: EsbuildPlugin = {
  name: 'ctd-zod-english-only',
  setup(build) {
    build.onResolve({ filter: /[\\/]locales[\\/]index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? {
            path: join(args.resolveDir, args.path.replace(/index\.js$/, 'en.js')),
            namespace: 'ctd-zod-locales',
          }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'ctd-zod-locales' }, (args) => ({
      contents: `export { default as en } from './en.js';`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

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
    esbuildPlugins: [englishOnlyZodLocales],
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
