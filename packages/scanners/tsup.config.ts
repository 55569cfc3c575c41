import { defineConfig } from 'tsup';
import { baseConfig } from '../../tsup.config.base.ts';

// Validation (network calls) is its own entry and chunk, so that no built file both reads the
// environment or files and calls fetch: OpenClaw's install scanner flags files that do.
export default defineConfig({
  ...baseConfig,
  entry: { index: 'src/index.ts', validate: 'src/validate/index.ts' },
  splitting: true,
});
