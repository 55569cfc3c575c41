import { writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Options } from 'tsup';

import { bundlePageSync } from '../../packages/ui-lit/scripts/page-bundle.mjs';
import { ctdInputsHash, ctdInputsStamp } from '../../scripts/build-freshness.mjs';
import { zodEnglishOnly } from '../../scripts/esbuild-zod-english.mjs';
import { baseConfig } from '../../tsup.config.base.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);

// A Node built-in that the bundled ES modules import is loaded when the code first reads one of
// its exports, through `process.getBuiltinModule()` (Node >= 22.3), not by an `import` statement
// at start-up. Two costs go away: an imported built-in's namespace reads every export, and the
// lazy ones load whole subsystems (`import { readFileSync } from 'node:fs'` loads fs/promises,
// readline and the streams; `import { parseArgs } from 'node:util'` loads worker_threads); and a
// built-in that only a rare path calls (child_process for a keychain or a lock helper, which
// loads net and dgram) is no longer loaded by every command. Each export becomes a getter of a
// CommonJS-style object, which esbuild reads where the code uses it (`(0, m.spawn)(…)`).
// Bundled CommonJS dependencies' require() calls are left alone: they already load on demand.
const nodeBuiltinsOnDemand: NonNullable<Options['esbuildPlugins']>[number] = {
  name: 'ctd-node-builtins-on-demand',
  setup(build) {
    build.onResolve({ filter: /^(node:)?[a-z][a-z0-9_/]*$/ }, (args) => {
      if (args.kind !== 'import-statement' || !isBuiltin(args.path)) return undefined;
      const id = args.path.startsWith('node:') ? args.path : `node:${args.path}`;
      return { path: id, namespace: 'ctd-node-builtin' };
    });
    build.onLoad({ filter: /.*/, namespace: 'ctd-node-builtin' }, (args) => {
      // The export names, read without reading the exports (some are lazy getters).
      const names = Object.getOwnPropertyNames(require(args.path)).filter((n) =>
        /^[A-Za-z_$][\w$]*$/.test(n),
      );
      const getters = names.map((n) => `get ${n}() { return load().${n}; }`).join(',\n');
      return {
        contents: `let m;\nconst load = () => (m ??= process.getBuiltinModule(${JSON.stringify(args.path)}));\nmodule.exports = {\n${getters}\n};\n`,
        loader: 'js',
      };
    });
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
    // zod's English messages only (scripts/esbuild-zod-english.mjs): less code to load at each start.
    esbuildPlugins: [zodEnglishOnly, nodeBuiltinsOnDemand],
    // `node:` imports reach nodeBuiltinsOnDemand (tsup would otherwise mark them external first).
    removeNodeProtocol: false,
    esbuildOptions(options) {
      options.conditions = ['@ctd/source', ...(options.conditions ?? [])];
      // `ctd serve`'s page (the @ctd/ui-lit page script with Lit) embedded as one string.
      options.define = { ...options.define, __CTD_SERVE_PAGE__: JSON.stringify(bundlePageSync()) };
    },
    // Bundled CommonJS dependencies (undici, loaded on the first online check) call require() for Node
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
