// A key is sent only over TLS or to this machine. A real forward proxy on loopback stands in for
// the network: it delivers requests for `api.openai.com` to a fake OpenAI on loopback, and records
// every host it was asked for, so a test sees whether the key would have left in plain text.
import {
  type FakeProvider,
  type FakeProxy,
  type FakeServer,
  startFakeOpenAI,
  startFakeProxy,
} from '@ctd/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scan } from '../scan.ts';
import { validateCredentials } from './engine.ts';
import { testCredential } from './test-support.ts';
import { isLoopbackHost, transportFor } from './transport.ts';
import type { ValidationWarning } from './types.ts';

const open: Array<FakeServer | FakeProxy> = [];
afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const KEY = 'sk-test-transport-PLACEHOLDER-0000';

/** A fake OpenAI that the proxy serves as `api.openai.com`. */
async function openaiBehindProxy(): Promise<{ fake: FakeProvider; proxy: FakeProxy }> {
  const fake = await startFakeOpenAI({ keys: { [KEY]: 'valid' } });
  open.push(fake);
  const proxy = await startFakeProxy({ hosts: { 'api.openai.com': fake.origin } });
  open.push(proxy);
  return { fake, proxy };
}

describe('plain http only to loopback', () => {
  it('refuses to send a key to a plain-http base URL from the store (OPENAI_BASE_URL)', async () => {
    const { fake, proxy } = await openaiBehindProxy();
    const credential = testCredential({
      provider: 'openai',
      secret: KEY,
      baseUrl: 'http://api.openai.com/v1',
    });
    const [result] = await validateCredentials([credential], { env: { HTTP_PROXY: proxy.url } });
    expect(result).toMatchObject({ status: 'unknown', endpoint: 'http://api.openai.com/v1/models' });
    expect(result?.reason).toMatch(/not https and not on this machine.*CTD_ALLOW_INSECURE_BASE_URL=1/);
    expect(proxy.targets).toEqual([]);
    expect(fake.tokens()).toEqual([]);
  });

  it('refuses a plain-http override too', async () => {
    const { fake, proxy } = await openaiBehindProxy();
    const [result] = await validateCredentials([testCredential({ provider: 'openai', secret: KEY })], {
      env: { HTTP_PROXY: proxy.url, CTD_OPENAI_BASE_URL: 'http://api.openai.com/v1' },
    });
    expect(result?.status).toBe('unknown');
    expect(result?.reason).toMatch(/not https/);
    expect(proxy.targets).toEqual([]);
    expect(fake.tokens()).toEqual([]);
  });

  it('refuses other schemes', async () => {
    const [result] = await validateCredentials([testCredential({ provider: 'openai', secret: KEY })], {
      env: { CTD_OPENAI_BASE_URL: 'ftp://127.0.0.1/v1' },
    });
    expect(result).toMatchObject({ status: 'unknown' });
    expect(result?.reason).toMatch(/scheme ftp: is not https/);
  });

  it('sends it with CTD_ALLOW_INSECURE_BASE_URL=1, warning on every use', async () => {
    const { fake, proxy } = await openaiBehindProxy();
    const warnings: ValidationWarning[] = [];
    const credential = testCredential({
      provider: 'openai',
      secret: KEY,
      baseUrl: 'http://api.openai.com/v1',
    });
    const options = {
      env: { HTTP_PROXY: proxy.url, CTD_ALLOW_INSECURE_BASE_URL: '1' },
      onWarning: (w: ValidationWarning) => warnings.push(w),
    };
    const [first] = await validateCredentials([credential], options);
    const [second] = await validateCredentials([credential], options);
    for (const result of [first, second]) {
      expect(result?.status).toBe('valid');
      expect(result?.reason).toMatch(
        /\[sent without TLS to api\.openai\.com: CTD_ALLOW_INSECURE_BASE_URL is set\]$/,
      );
    }
    expect(proxy.targets).toEqual(['api.openai.com:80', 'api.openai.com:80']);
    expect(fake.tokens()).toEqual([KEY, KEY]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({
      code: 'INSECURE_BASE_URL',
      credentialId: credential.id,
      endpoint: 'http://api.openai.com/v1/models',
    });
    expect(warnings[0]?.message).toMatch(/sent without TLS to http:\/\/api\.openai\.com\/v1\/models/);
    expect(JSON.stringify(warnings)).not.toContain(KEY);
  });

  it('keeps checking when the warning callback throws', async () => {
    const { proxy } = await openaiBehindProxy();
    const [result] = await validateCredentials(
      [testCredential({ provider: 'openai', secret: KEY, baseUrl: 'http://api.openai.com/v1' })],
      {
        env: { HTTP_PROXY: proxy.url, CTD_ALLOW_INSECURE_BASE_URL: '1' },
        onWarning: () => {
          throw new Error('display broke');
        },
      },
    );
    expect(result?.status).toBe('valid');
  });

  it('sends plain http to loopback without a warning', async () => {
    const fake = await startFakeOpenAI({ keys: { [KEY]: 'valid' } });
    open.push(fake);
    const warnings: ValidationWarning[] = [];
    const [result] = await validateCredentials([testCredential({ provider: 'openai', secret: KEY })], {
      env: { CTD_OPENAI_BASE_URL: fake.baseUrl },
      onWarning: (w) => warnings.push(w),
    });
    expect(result?.status).toBe('valid');
    expect(result?.reason).not.toMatch(/TLS/);
    expect(warnings).toEqual([]);
  });

  it('stops the key of OPENAI_BASE_URL=http://api.openai.com/v1 from scan to check', async () => {
    const { fake, proxy } = await openaiBehindProxy();
    const env = {
      HOME: '/nonexistent-ctd-test-home',
      OPENAI_API_KEY: KEY,
      OPENAI_BASE_URL: 'http://api.openai.com/v1',
      HTTP_PROXY: proxy.url,
    };
    const { credentials } = await scan({ env, sources: ['environment'] });
    const openai = credentials.filter((c) => c.provider === 'openai');
    expect(openai).toHaveLength(1);
    const results = await validateCredentials(openai, { env });
    expect(results[0]?.status).toBe('unknown');
    expect(results[0]?.reason).toMatch(/not https/);
    expect(proxy.targets).toEqual([]);
    expect(fake.tokens()).toEqual([]);
  });
});

describe('the environment default', () => {
  it('reads overrides from process.env when no env is given, as scan does', async () => {
    const fake = await startFakeOpenAI({ keys: { [KEY]: 'valid' } });
    open.push(fake);
    vi.stubEnv('CTD_OPENAI_BASE_URL', fake.baseUrl);
    const [result] = await validateCredentials([testCredential({ provider: 'openai', secret: KEY })]);
    expect(result?.status).toBe('valid');
    expect(fake.tokens()).toEqual([KEY]);
  });
});

describe('transportFor', () => {
  const env = {};
  const kind = (url: string, e: Record<string, string> = env) => transportFor(new URL(url), e).kind;

  it('accepts https anywhere and plain http on loopback only', () => {
    expect(kind('https://api.openai.com/v1')).toBe('ok');
    for (const url of [
      'http://127.0.0.1:8080/v1',
      'http://127.1.2.3/',
      'http://localhost:1234/',
      'http://LOCALHOST./',
      'http://[::1]:8080/',
      'http://[0:0:0:0:0:0:0:1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://0x7f.1/',
    ]) {
      expect(kind(url), url).toBe('ok');
    }
    for (const url of [
      'http://api.openai.com/v1',
      'http://127.0.0.1.nip.io/',
      'http://localhost.example.com/',
      'http://10.0.0.1/',
      'http://[::2]/',
      'http://[::ffff:10.0.0.1]/',
    ]) {
      expect(kind(url), url).toBe('refused');
    }
    expect(kind('http://api.openai.com/v1', { CTD_ALLOW_INSECURE_BASE_URL: '1' })).toBe('insecure');
    expect(kind('http://api.openai.com/v1', { CTD_ALLOW_INSECURE_BASE_URL: '0' })).toBe('refused');
    expect(kind('file:///etc/passwd', { CTD_ALLOW_INSECURE_BASE_URL: '1' })).toBe('refused');
  });

  it('knows loopback host names', () => {
    expect(isLoopbackHost('127.0.0.1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('example.localhost')).toBe(false);
  });
});
