// An esbuild plugin for bundles that carry zod: only its English locale is bundled. zod ships
// every locale's error messages (about 40 of them, a third of its code) behind `z.locales`, which a
// bundler cannot leave out; our packages speak English only and never name a locale. Start-up time
// and memory are dominated by loaded code (ctd starts often; the OpenClaw gateway loads each
// plugin generation anew and never unloads the old ones).
import { dirname, join } from 'node:path';

/** @type {import('esbuild').Plugin} */
export const zodEnglishOnly = {
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
