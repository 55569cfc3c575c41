import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.ts';

// Browser code: `index` (classes, controller, context, events; no side effect) and `define` (the
// one entry that registers the elements). Lit stays a dependency, not bundled.
export default defineConfig({
  ...baseConfig,
  entry: { index: 'src/index.ts', define: 'src/define.ts' },
  platform: 'browser',
  target: 'es2022',
  splitting: true,
  external: ['lit', /^lit\//, '@lit/context'],
});
