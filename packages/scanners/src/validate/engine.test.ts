import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ValidationResult } from '@ctd/core';
import {
  type FakeProvider,
  type FakeProxy,
  type FakeServer,
  startFakeAnthropic,
  startFakeOpenAI,
  startFakeProxy,
  startFakeServer,
} from '@ctd/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { validateCredentials } from './engine.ts';
import { noProxyMatches, proxyFor } from './proxy.ts';
import { testCredential } from './test-support.ts';
import type { ValidationProgress } from './types.ts';

const open: Array<FakeServer | FakeProxy> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});
async function track<T extends FakeServer | FakeProxy>(server: Promise<T>): Promise<T> {
  const s = await server;
  open.push(s);
  return s;
}

const openaiKey = (i: number | string) => `sk-test-engine-${i}-PLACEHOLDER-0000`;
const openaiCredential = (i: number | string) => testCredential({ provider: 'openai', secret: openaiKey(i) });

async function openaiWithValidKeys(count: number): Promise<FakeProvider> {
  const keys = Object.fromEntries(Array.from({ length: count }, (_, i) => [openaiKey(i), 'valid' as const]));
  return track(startFakeOpenAI({ keys }));
}

describe('validateCredentials', () => {
  it('runs ten checks to one host at once under the default cap', async () => {
    const fake = await openaiWithValidKeys(10);
    fake.hold();
    const running = validateCredentials(
      Array.from({ length: 10 }, (_, i) => openaiCredential(i)),
      { env: { CTD_OPENAI_BASE_URL: fake.baseUrl } },
    );
    // Resolves only if all ten requests are in flight together.
    await fake.waitForInFlight(10);
    fake.release();
    const results = await running;
    expect(results.map((r) => r.status)).toEqual(Array(10).fill('valid'));
    expect(fake.stats.maxInFlight).toBe(10);
  });

  it('never runs more requests to one host than the cap', async () => {
    const fake = await openaiWithValidKeys(6);
    fake.hold();
    const running = validateCredentials(
      Array.from({ length: 6 }, (_, i) => openaiCredential(i)),
      { env: { CTD_OPENAI_BASE_URL: fake.baseUrl }, perHostConcurrency: 2 },
    );
    await fake.waitForInFlight(2);
    fake.release();
    const results = await running;
    expect(results.every((r) => r.status === 'valid')).toBe(true);
    expect(fake.stats.maxInFlight).toBe(2);
  });

  it('reports progress: which checks are pending, and each result', async () => {
    const fake = await openaiWithValidKeys(3);
    const events: ValidationProgress[] = [];
    const credentials = [0, 1, 2].map(openaiCredential);
    await validateCredentials(credentials, {
      env: { CTD_OPENAI_BASE_URL: fake.baseUrl },
      onProgress: (e) => events.push(e),
    });
    expect(events.filter((e) => e.type === 'start')).toHaveLength(3);
    expect(events.filter((e) => e.type === 'done')).toHaveLength(3);
    const firstDone = events.findIndex((e) => e.type === 'done');
    expect(events.slice(0, firstDone).every((e) => e.type === 'start')).toBe(true);
    expect(events[firstDone - 1]?.pending).toEqual(credentials.map((c) => c.id));
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'done', pending: [], done: 3, total: 3 });
    expect(last?.result?.status).toBe('valid');
  });

  it('keeps going when the progress callback throws', async () => {
    const fake = await openaiWithValidKeys(1);
    const [result] = await validateCredentials([openaiCredential(0)], {
      env: { CTD_OPENAI_BASE_URL: fake.baseUrl },
      onProgress: () => {
        throw new Error('display broke');
      },
    });
    expect(result?.status).toBe('valid');
  });

  it('sends each secret only to its own provider', async () => {
    const openai = await openaiWithValidKeys(1);
    const anthropic = await track(
      startFakeAnthropic({ keys: { 'sk-ant-api03-test-engine-PLACEHOLDER': 'valid' } }),
    );
    const results = await validateCredentials(
      [
        openaiCredential(0),
        testCredential({ provider: 'anthropic', secret: 'sk-ant-api03-test-engine-PLACEHOLDER' }),
      ],
      { env: { CTD_OPENAI_BASE_URL: openai.baseUrl, CTD_ANTHROPIC_BASE_URL: anthropic.origin } },
    );
    expect(results.map((r) => r.status)).toEqual(['valid', 'valid']);
    expect(openai.tokens()).toEqual([openaiKey(0)]);
    expect(anthropic.tokens()).toEqual(['sk-ant-api03-test-engine-PLACEHOLDER']);
  });

  it('never returns a secret, even when the provider echoes it', async () => {
    const secret = openaiKey('echoed');
    const server = await track(
      startFakeServer((req) => ({
        status: 401,
        json: {
          error: {
            message: `Incorrect API key provided: ${req.headers.authorization?.slice(7)}`,
            type: 'invalid_request_error',
            code: `bad_key_${req.headers.authorization?.slice(7)}`,
          },
        },
      })),
    );
    const results: ValidationResult[] = await validateCredentials([openaiCredential('echoed')], {
      env: { CTD_OPENAI_BASE_URL: `${server.origin}/v1` },
    });
    expect(results[0]?.status).toBe('invalid');
    expect(JSON.stringify(results)).not.toContain(secret);
    expect(results[0]?.reason).toContain('[redacted]');
  });

  it('does not follow redirects (they could carry a key header to another host)', async () => {
    const elsewhere = await openaiWithValidKeys(1);
    const redirector = await track(
      startFakeServer(() => ({ status: 307, headers: { location: `${elsewhere.baseUrl}/models` } })),
    );
    const [result] = await validateCredentials([openaiCredential(0)], {
      env: { CTD_OPENAI_BASE_URL: `${redirector.origin}/v1` },
    });
    expect(result).toMatchObject({ status: 'unknown', httpStatus: 307 });
    expect(result?.reason).toMatch(/redirect/);
    expect(elsewhere.requests).toHaveLength(0);
  });

  it('lets options.baseUrls win over the environment', async () => {
    const chosen = await openaiWithValidKeys(1);
    const ignored = await openaiWithValidKeys(1);
    const [result] = await validateCredentials([openaiCredential(0)], {
      env: { CTD_OPENAI_BASE_URL: ignored.baseUrl },
      baseUrls: { openai: `${chosen.baseUrl}/` },
    });
    expect(result?.status).toBe('valid');
    expect(result?.endpoint).toBe(`${chosen.baseUrl}/models`);
    expect(ignored.requests).toHaveLength(0);
  });

  it('reuses its connections: never more to one host than the cap, from one batch to the next', async () => {
    // A plain server that counts connections (the fake provider does not): every key is valid.
    let connections = 0;
    const server: Server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-test-1', object: 'model' }] }));
      });
    });
    server.on('connection', () => connections++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const batch = () =>
        validateCredentials(
          Array.from({ length: 30 }, (_, i) => openaiCredential(i)),
          { env: { CTD_OPENAI_BASE_URL: `http://127.0.0.1:${port}/v1` }, perHostConcurrency: 3 },
        );
      const first = await batch();
      expect(first.map((r) => r.status)).toEqual(Array(30).fill('valid'));
      // Thirty checks, three at a time: the waiting ones took over the kept-alive connections.
      expect(connections).toBeGreaterThan(0);
      expect(connections).toBeLessThanOrEqual(3);
      const opened = connections;
      const second = await batch();
      expect(second.map((r) => r.status)).toEqual(Array(30).fill('valid'));
      // The next batch finds them still open.
      expect(connections).toBe(opened);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('ends pending checks as unknown when the caller aborts', async () => {
    const fake = await track(startFakeOpenAI({ keys: { [openaiKey(0)]: 'hang' } }));
    const controller = new AbortController();
    const running = validateCredentials([openaiCredential(0)], {
      env: { CTD_OPENAI_BASE_URL: fake.baseUrl },
      signal: controller.signal,
    });
    await fake.waitForInFlight(1);
    controller.abort();
    const [result] = await running;
    expect(result).toMatchObject({ status: 'unknown', reason: 'the check was cancelled' });
  });

  it('reports a refused connection as unknown', async () => {
    const fake = await openaiWithValidKeys(1);
    const url = fake.baseUrl;
    await fake.close();
    open.splice(open.indexOf(fake), 1);
    const [result] = await validateCredentials([openaiCredential(0)], { env: { CTD_OPENAI_BASE_URL: url } });
    expect(result).toMatchObject({ status: 'unknown', reason: 'the connection was refused' });
  });

  it('reports an expired OAuth token without a call, and never sends the refresh token', async () => {
    const fake = await track(startFakeAnthropic());
    const results = await validateCredentials(
      [
        testCredential({
          provider: 'anthropic',
          kind: 'oauth',
          secret: 'sk-ant-oat01-test-old-PLACEHOLDER',
          refreshToken: 'sk-ant-ort01-test-old-PLACEHOLDER',
          expiresAt: Date.now() - 60_000,
        }),
        testCredential({
          provider: 'anthropic',
          kind: 'token',
          secret: 'sk-ant-oat01-test-old2-PLACEHOLDER',
          expiresAt: Date.now() - 60_000,
        }),
      ],
      { env: { CTD_ANTHROPIC_BASE_URL: fake.origin } },
    );
    expect(results.map((r) => r.status)).toEqual(['refreshable', 'expired']);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('proxy support', () => {
  it('goes through HTTP(S)_PROXY, and around it for NO_PROXY hosts', async () => {
    const fake = await openaiWithValidKeys(1);
    const proxy = await track(startFakeProxy());
    const host = new URL(fake.origin).host;
    const env = { CTD_OPENAI_BASE_URL: fake.baseUrl, HTTP_PROXY: proxy.url };
    const [viaProxy] = await validateCredentials([openaiCredential(0)], { env });
    expect(viaProxy?.status).toBe('valid');
    expect(proxy.targets).toEqual([host]);

    const [direct] = await validateCredentials([openaiCredential(0)], {
      env: { ...env, NO_PROXY: '127.0.0.1' },
    });
    expect(direct?.status).toBe('valid');
    expect(proxy.targets).toEqual([host]);
  });

  it('says so when the proxy cannot be reached, without its credentials', async () => {
    const fake = await openaiWithValidKeys(1);
    const gone = await startFakeProxy();
    const port = new URL(gone.url).port;
    await gone.close();
    const [result] = await validateCredentials([openaiCredential(0)], {
      env: {
        CTD_OPENAI_BASE_URL: fake.baseUrl,
        http_proxy: `http://user:test-PLACEHOLDER@127.0.0.1:${port}`,
      },
    });
    expect(result?.status).toBe('unknown');
    expect(result?.reason).toMatch(new RegExp(`via proxy 127\\.0\\.0\\.1:${port}`));
    expect(result?.reason).not.toContain('test-PLACEHOLDER');
    expect(fake.requests).toHaveLength(0);
  });

  it('picks the proxy by scheme and honours NO_PROXY entries', () => {
    const env = { HTTPS_PROXY: 'http://secure-proxy:8443', HTTP_PROXY: 'http://plain-proxy:8080' };
    expect(proxyFor('https://api.openai.com/v1/models', env)).toBe('http://secure-proxy:8443');
    expect(proxyFor('http://api.example.test/v1', env)).toBe('http://plain-proxy:8080');
    // Plain http to loopback never goes through a proxy elsewhere (it would read the key), only
    // through one on loopback.
    expect(proxyFor('http://127.0.0.1:9/v1', env)).toBeUndefined();
    expect(proxyFor('http://localhost:9/v1', { HTTP_PROXY: 'http://127.0.0.1:3128' })).toBe(
      'http://127.0.0.1:3128',
    );
    expect(proxyFor('https://api.openai.com/v1', { HTTP_PROXY: 'http://plain-proxy:8080' })).toBe(
      'http://plain-proxy:8080',
    );
    expect(proxyFor('https://api.openai.com/v1', {})).toBeUndefined();
    const u = (s: string) => new URL(s);
    expect(noProxyMatches(u('https://api.openai.com/'), 'openai.com')).toBe(true);
    expect(noProxyMatches(u('https://api.openai.com/'), '.openai.com')).toBe(true);
    expect(noProxyMatches(u('https://api.openai.com/'), '*.openai.com')).toBe(true);
    expect(noProxyMatches(u('https://notopenai.com/'), 'openai.com')).toBe(false);
    expect(noProxyMatches(u('https://api.openai.com/'), 'example.com, *')).toBe(true);
    expect(noProxyMatches(u('http://127.0.0.1:8080/'), '127.0.0.1:9090')).toBe(false);
    expect(noProxyMatches(u('http://127.0.0.1:8080/'), '127.0.0.1:8080')).toBe(true);
    expect(noProxyMatches(u('https://api.openai.com/'), 'api.openai.com:443')).toBe(true);
    expect(noProxyMatches(u('http://[::1]:8080/'), '[::1]')).toBe(true);
  });
});
