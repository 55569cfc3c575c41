import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.ts';

// `client` is the browser-safe entry (schemas and the client interface); `index` adds the service.
export default defineConfig({
  ...baseConfig,
  entry: { index: 'src/index.ts', client: 'src/client.ts' },
  splitting: true,
});
