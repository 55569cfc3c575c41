import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Fails the build on any import of a Node built-in, naming who imported it. */
const noNodeBuiltins = (seen: string[]): Plugin => ({
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.path.startsWith('node:') || NODE_BUILTINS.has(args.path)) {
        seen.push(`${args.path} (from ${args.importer})`);
        return { path: args.path, external: true };
      }
      return undefined;
    });
  },
});

async function bundleForBrowser(source: string): Promise<{ text: string; nodeImports: string[] }> {
  const nodeImports: string[] = [];
  const result = await build({
    stdin: { contents: source, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    // Resolve the workspace packages to their sources, as the dashboard's build will.
    conditions: ['@ctd/source', 'browser', 'import'],
    logLevel: 'silent',
    plugins: [noNodeBuiltins(nodeImports)],
  });
  return { text: result.outputFiles.map((f) => f.text).join('\n'), nodeImports };
}

describe('browser-safe contracts', () => {
  it('bundles @ctd/core and the TokenDiscoveryClient entry for the browser with no Node built-in', async () => {
    const { text, nodeImports } = await bundleForBrowser(`
      import * as core from '@ctd/core';
      import * as client from '@ctd/service/client';
      export const used = [core.CredentialInfoSchema, core.maskSecret, core.CtdError, client.StatusOutputSchema, client.OPERATIONS];
    `);
    expect(nodeImports).toEqual([]);
    expect(text).toContain('importManual');
  });

  it('catches a Node built-in when one sneaks in (the check can fail)', async () => {
    const { nodeImports } = await bundleForBrowser(`
      import * as node from '@ctd/core/node';
      export const used = [node.sha256Hex];
    `);
    expect(nodeImports).toContainEqual(expect.stringMatching(/^node:crypto/));
  });
});
