// The bundle's undici (scripts/esbuild-undici-lite.ts): the scanners' provider checks, bundled with
// that plugin as the plugin's build does, still check a key directly and through a forward proxy.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { DiscoveredCredential, ValidationResult } from '@ctd/core';
import { startFakeOpenAI, startFakeProxy } from '@ctd/test-utils';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { undiciLite } from '../scripts/esbuild-undici-lite.ts';

const VALIDATE = fileURLToPath(new URL('../../scanners/src/validate/', import.meta.url));
const KEY = 'sk-test-undici-lite-PLACEHOLDER-0000';

interface Bundled {
  validateCredentials(
    credentials: DiscoveredCredential[],
    options: { env: Record<string, string> },
  ): Promise<ValidationResult[]>;
  testCredential(draft: { provider: string; secret: string; baseUrl?: string }): DiscoveredCredential;
}

let dir: string;
let bundled: Bundled;
let loaded: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ctd-undici-lite-'));
  const result = await build({
    stdin: {
      contents: [
        `export { validateCredentials } from ${JSON.stringify(join(VALIDATE, 'engine.ts'))};`,
        `export { testCredential } from ${JSON.stringify(join(VALIDATE, 'test-support.ts'))};`,
      ].join('\n'),
      resolveDir: VALIDATE,
      loader: 'ts',
    },
    bundle: true,
    format: 'esm',
    platform: 'node',
    conditions: ['@ctd/source'],
    outfile: join(dir, 'checks.mjs'),
    metafile: true,
    plugins: [undiciLite],
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'silent',
  });
  loaded = Object.keys(result.metafile.inputs).filter((f) => f.includes('undici'));
  bundled = await import(pathToFileURL(join(dir, 'checks.mjs')).href);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the bundle's undici: Agent and ProxyAgent only", () => {
  it('holds undici’s dispatchers and not its fetch, WebSocket, caches or mocks', () => {
    expect(loaded.some((f) => f.endsWith('lib/dispatcher/agent.js'))).toBe(true);
    expect(loaded.some((f) => f.endsWith('lib/dispatcher/proxy-agent.js'))).toBe(true);
    const left = /lib\/(mock|cache|web\/(websocket|eventsource|cache))\/|lib\/web\/fetch\/index\.js/;
    expect(loaded.filter((f) => left.test(f))).toEqual([]);
  });

  it('checks a key directly and through a forward proxy', async () => {
    const fake = await startFakeOpenAI({ keys: { [KEY]: 'valid' } });
    const proxy = await startFakeProxy({ hosts: { 'api.openai.com': fake.origin } });
    try {
      const direct = bundled.testCredential({ provider: 'openai', secret: KEY });
      const [first] = await bundled.validateCredentials([direct], {
        env: { CTD_OPENAI_BASE_URL: `${fake.origin}/v1` },
      });
      expect(first?.status).toBe('valid');
      expect(proxy.targets).toEqual([]);

      const viaProxy = bundled.testCredential({
        provider: 'openai',
        secret: KEY,
        baseUrl: 'http://api.openai.com/v1',
      });
      const [second] = await bundled.validateCredentials([viaProxy], {
        env: { HTTP_PROXY: proxy.url, CTD_ALLOW_INSECURE_BASE_URL: '1' },
      });
      expect(second?.status).toBe('valid');
      expect(proxy.targets).toEqual(['api.openai.com:80']);
      expect(fake.tokens()).toEqual([KEY, KEY]);
    } finally {
      await proxy.close();
      await fake.close();
    }
  });
});
