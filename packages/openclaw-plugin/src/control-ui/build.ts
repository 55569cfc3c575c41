// Builds the Control UI module into one self-contained browser file, as OpenClaw's contract asks
// ("one self-contained JavaScript entry", at most 4 MiB): src/control-ui/index.ts with @ctd/ui-lit
// and Lit, minified, into dist/control-ui/index.js, which the manifest names as `controlUi.entry`.
// Prebuilt rather than `openclaw plugins build`: that command builds feature-plugin entries only.
// Run by the package's build (tsup's onSuccess). Node-only; never imported by the page.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

import { CONTROL_UI_ENTRY } from './entry.ts';

/**
 * Bundles the module and writes it under `packageRoot`.
 *
 * @returns the written file's path and size in bytes
 */
export async function buildControlUi(
  packageRoot: string = fileURLToPath(new URL('../..', import.meta.url)),
): Promise<{ file: string; bytes: number }> {
  const out = await build({
    entryPoints: [join(packageRoot, 'src', 'control-ui', 'index.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    // The workspace's sources, as the rest of the plugin is built.
    conditions: ['@ctd/source', 'browser', 'import'],
    logLevel: 'silent',
  });
  const file = join(packageRoot, CONTROL_UI_ENTRY);
  await mkdir(dirname(file), { recursive: true });
  const text = out.outputFiles[0]!.text;
  await writeFile(file, text);
  return { file, bytes: Buffer.byteLength(text) };
}
