import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.ts';

// Two entries: the browser-safe contracts (`.`) and the Node-only helpers (`./node`).
export default defineConfig({
  ...baseConfig,
  entry: { index: 'src/index.ts', node: 'src/node/index.ts' },
  splitting: true,
});
