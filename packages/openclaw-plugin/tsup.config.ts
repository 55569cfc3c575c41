import { defineConfig } from 'tsup';
import { zodEnglishOnly } from '../../scripts/esbuild-zod-english.mjs';
import { baseConfig } from '../../tsup.config.base.ts';
import { directImports } from './scripts/esbuild-direct-imports.ts';
import { undiciLite } from './scripts/esbuild-undici-lite.ts';
import { zodJitless } from './scripts/esbuild-zod-jitless.ts';
import { buildControlUi } from './src/control-ui/build.ts';

// The plugin ships as one self-contained package: every @ctd/* package and third-party library is
// bundled (nothing to install from npm), and only `openclaw/*` stays external (the host resolves it).
// Code splitting keeps the network code (validation) in its own chunk, apart from env and file reads.
export default defineConfig({
  ...baseConfig,
  // The runtime (scanners, service, zod, history) is an entry of its own, so its file name is fixed:
  // the plugin's entry loads it on first use, and `configSchema.safeParse` requires it by that name
  // (src/runtime-sync.ts). The entry itself only registers (src/index.ts says why it stays small).
  entry: { index: 'src/index.ts', runtime: 'src/runtime.ts' },
  dts: false,
  splitting: true,
  sourcemap: false,
  // The gateway loads every plugin generation anew (a start, each plugin reload) and never unloads
  // the old ones: less code per copy is less memory held. Minified, and zod's English messages only.
  minify: true,
  // directImports: the entry's chunks hold only what it uses (scripts/esbuild-direct-imports.ts);
  // zodJitless: no parser compiled per object schema (scripts/esbuild-zod-jitless.ts); undiciLite:
  // undici's two dispatchers the checks use, not its whole index (scripts/esbuild-undici-lite.ts).
  esbuildPlugins: [zodEnglishOnly, directImports, zodJitless, undiciLite],
  // tsup's noExternal wins over external, so the one pattern says both: everything but `openclaw`.
  noExternal: [/^(?!openclaw(\/|$))/],
  external: [/^openclaw(\/|$)/],
  // Bundled CommonJS (undici) calls require(); give ESM chunks one.
  banner: {
    js: "import { createRequire as __ctdCreateRequire } from 'node:module'; const require = __ctdCreateRequire(import.meta.url);",
  },
  // The Control UI page: one self-contained browser file beside the backend (src/control-ui/build.ts).
  async onSuccess() {
    await buildControlUi();
  },
});
