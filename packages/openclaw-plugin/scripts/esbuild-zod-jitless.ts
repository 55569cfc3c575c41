// An esbuild plugin for the plugin's bundle: its copy of zod keeps its global config to itself.
// zod keeps that config on `globalThis.__zod_globalConfig`, shared by every zod in the process (the
// gateway's own among them): the bundled copy gets an object of its own instead, so nothing the
// bundle sets reaches the host's zod, and nothing the host sets reaches ours. (zod's English
// messages, which that config also holds, are set on the bundled copy by the bundle itself:
// `useEnglishZodMessages` of @ctd/core.)
// The object says `jitless`: no parser compiled per object schema (classic zod's JIT builds each
// object schema's parser as source text and compiles it with `new Function`, a script held for good
// per schema). Our schemas are `zod/mini`, whose objects never compile one; the flag keeps it so
// should a classic schema come into the bundle.
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
