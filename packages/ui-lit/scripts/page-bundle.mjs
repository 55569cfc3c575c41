// Bundles the standalone page of `ctd serve` (src/page.ts with Lit, minified) into one script
// text, synchronously: `ctd`'s build embeds it (a define), and `ctd serve` run from the sources
// calls it at start.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// Resolved from this package (which has esbuild), also when a build config that imports this file
// lives in a package that does not.
const { buildSync } = createRequire(import.meta.url)('esbuild');

/** The page script's text. */
export function bundlePageSync() {
  const out = buildSync({
    entryPoints: [fileURLToPath(new URL('../src/page.ts', import.meta.url))],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    conditions: ['@ctd/source', 'browser', 'import'],
    logLevel: 'silent',
    legalComments: 'none',
  });
  return out.outputFiles[0].text;
}
