// An esbuild plugin for the plugin's bundle: its copy of zod parses objects without compiling a
// parser per object schema (`jitless`). zod's JIT builds each object schema's parser as source text
// and compiles it with `new Function` on its first parse: a script of its own per schema, its
// source and code held for good (46 of them after a gateway's startup scan). The plugin parses
// config, method params and small store files, where the interpreted path is fast enough.
// zod keeps its global config on `globalThis.__zod_globalConfig`, shared by every zod in the
// process (the gateway's own among them): the bundled copy gets an object of its own instead, so
// the host's zod keeps its JIT. (zod's English messages, which that config also holds, are set on
// the bundled copy by the bundle itself.)
import { readFileSync } from 'node:fs';
import type { Plugin } from 'esbuild';

const SHARED =
  /^\(_a = globalThis\)\.__zod_globalConfig \?\? \(_a\.__zod_globalConfig = \{\}\);\s*\nexport const globalConfig = globalThis\.__zod_globalConfig;$/m;

/** The esbuild plugin (see the top of this file). */
export const zodJitless: Plugin = {
  name: 'ctd-zod-jitless',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]core[\\/]core\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!SHARED.test(source)) {
        throw new Error(
          `zod's global config is no longer where ${import.meta.url} expects it: update the plugin`,
        );
      }
      return {
        contents: source.replace(SHARED, 'export const globalConfig = { jitless: true };'),
        loader: 'js',
      };
    });
  },
};
