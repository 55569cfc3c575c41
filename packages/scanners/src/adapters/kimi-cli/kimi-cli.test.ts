import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScanContext } from '../../context.ts';
import { scan, toScanReport } from '../../scan.ts';
import { kimiCliAdapter } from './index.ts';

const { KIMI_CLI } = fixtures.kimiCli;
let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const run = (env: Record<string, string> = {}) =>
  scan({ adapters: [kimiCliAdapter], env: { ...home.env, ...env } });
const byProvider = (r: Awaited<ReturnType<typeof run>>, provider: string) =>
  r.credentials.filter((c) => c.provider === provider);

describe('kimi-cli adapter', () => {
  it('finds the Kimi Code login in compact JSON, with expiry from unix seconds', async () => {
    const path = await fixtures.kimiCli.writeKimiCliCredentials(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    const c = r.credentials[0]!;
    expect(c).toMatchObject({
      source: 'kimi-cli',
      provider: 'kimi',
      kind: 'oauth',
      label: 'Kimi Code login',
      hasRefreshToken: true,
      baseUrl: 'https://api.kimi.com/coding/v1',
    });
    expect(c.origin).toEqual({ type: 'file', path, field: 'access_token' });
    expect(c.expiresAt).toBe(new Date(1790000000123).toISOString());
    expect(c.secret.reveal()).toBe(KIMI_CLI.accessToken);
    expect(c.refreshSecret?.reveal()).toBe(KIMI_CLI.refreshToken);
    expect(c.refreshMethods.map((m) => m.type)).toContain('oauth-refresh');
    expect(c.policy.stance).toBe('warn');
  });

  it('reads the login together with the config.toml written by `kimi login`', async () => {
    await fixtures.kimiCli.writeKimiCliCredentials(home);
    const config = await fixtures.kimiCli.writeKimiCliLoginConfig(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    // The managed provider has an empty api_key: the login is the only credential.
    expect(r.credentials.map((c) => [c.provider, c.kind])).toEqual([['kimi', 'oauth']]);
    expect(r.locations).toContainEqual(expect.objectContaining({ location: config, result: 'found' }));
  });

  it('tells Moonshot keys from Kimi Code keys and maps other provider types', async () => {
    const path = await fixtures.kimiCli.writeKimiCliApiKeyConfig(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    const rows = r.credentials.map((c) => ({
      provider: c.provider,
      kind: c.kind,
      baseUrl: c.baseUrl,
      field: c.origin.type === 'file' ? c.origin.field : '',
      secret: c.secret.reveal(),
    }));
    expect(rows).toEqual([
      {
        provider: 'moonshot',
        kind: 'api_key',
        baseUrl: 'https://api.moonshot.ai/v1',
        field: 'providers.moonshot-ai.api_key',
        secret: KIMI_CLI.moonshotKey,
      },
      {
        provider: 'kimi',
        kind: 'api_key',
        baseUrl: 'https://api.kimi.com/coding/v1',
        field: 'providers.kimi-coding.api_key',
        secret: KIMI_CLI.kimiCodeKey,
      },
      {
        provider: 'openai',
        kind: 'api_key',
        baseUrl: 'https://api.openai.com/v1',
        field: 'providers.my-openai.api_key',
        secret: KIMI_CLI.openaiKey,
      },
      {
        provider: 'moonshot',
        kind: 'api_key',
        baseUrl: 'https://api.moonshot.cn/v1',
        field: 'providers.from-env.env.KIMI_API_KEY',
        secret: KIMI_CLI.envTableKey,
      },
    ]);
    for (const c of r.credentials) expect(c.origin).toMatchObject({ type: 'file', path });
    expect(byProvider(r, 'moonshot')[0]!.keyPage).toContain('platform.moonshot');
    expect(byProvider(r, 'kimi')[0]!.keyPage).toBe('https://www.kimi.com/code/console');
  });

  it('maps anthropic and gemini tables, and a kimi-type table by its path when the host is unknown', async () => {
    await home.write(
      '.kimi/config.toml',
      `[providers.a]
type = "anthropic"
base_url = "https://proxy.example.com/anthropic"
api_key = "sk-ant-test-PLACEHOLDER-a"

[providers.g]
type = "gemini"
base_url = "https://proxy.example.com/gemini"
api_key = "test-PLACEHOLDER-g"

[providers.k]
type = "kimi"
base_url = "https://gateway.example.com/coding/v1"
api_key = "sk-test-PLACEHOLDER-k"

[providers.m]
type = "kimi"
base_url = "https://gateway.example.com/v1"
api_key = "sk-test-PLACEHOLDER-m"

[providers.echo]
type = "_echo"
base_url = ""
api_key = "test-PLACEHOLDER-echo"
`,
    );
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials.map((c) => [c.provider, c.baseUrl])).toEqual([
      ['anthropic', 'https://proxy.example.com/anthropic'],
      ['google', 'https://proxy.example.com/gemini'],
      ['kimi', 'https://gateway.example.com/coding/v1'],
      ['moonshot', 'https://gateway.example.com/v1'],
    ]);
  });

  it('reads a legacy config.json only while config.toml does not exist', async () => {
    const json = await fixtures.kimiCli.writeKimiCliLegacyJsonConfig(home);
    let r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      provider: 'moonshot',
      kind: 'api_key',
      baseUrl: 'https://api.moonshot.cn/v1',
    });
    expect(r.credentials[0]!.origin).toEqual({
      type: 'file',
      path: json,
      field: 'providers.moonshot.api_key',
    });

    await fixtures.kimiCli.writeKimiCliLoginConfig(home);
    r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.locations.some((l) => l.location === json)).toBe(false);
  });

  it('reads KIMI_API_KEY as a Kimi Code key, or by KIMI_BASE_URL when that is set', async () => {
    let r = await run({ KIMI_API_KEY: KIMI_CLI.shellKey });
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({ provider: 'kimi', kind: 'api_key' });
    expect(r.credentials[0]!.origin).toEqual({ type: 'env', variable: 'KIMI_API_KEY' });

    r = await run({ KIMI_API_KEY: KIMI_CLI.shellKey, KIMI_BASE_URL: 'https://api.moonshot.ai/v1' });
    expect(r.credentials[0]).toMatchObject({ provider: 'moonshot', baseUrl: 'https://api.moonshot.ai/v1' });

    r = await run({ KIMI_API_KEY: '   ' });
    expect(r.credentials).toEqual([]);
  });

  it('reports a keyring login as an info issue when there is no credential file', async () => {
    const config = await fixtures.kimiCli.writeKimiCliLoginConfig(home, '.kimi', 'keyring');
    let r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: 'IN_OS_KEYRING', severity: 'info', path: config });
    expect(r.issues[0]!.message).toContain('OS keyring');

    // Once kimi-cli has moved it to the file, the file wins and nothing is reported.
    await fixtures.kimiCli.writeKimiCliCredentials(home);
    r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
  });

  it('honours KIMI_SHARE_DIR', async () => {
    await fixtures.kimiCli.writeKimiCliCredentials(home, 'elsewhere/kimi');
    expect((await run()).credentials).toHaveLength(0);
    const r = await run({ KIMI_SHARE_DIR: home.resolve('elsewhere/kimi') });
    expect(r.credentials).toHaveLength(1);
    const ctx = createScanContext({ env: { ...home.env, KIMI_SHARE_DIR: home.resolve('elsewhere/kimi') } });
    expect(kimiCliAdapter.files(ctx).map((f) => f.path)).toEqual([
      home.resolve('elsewhere/kimi/credentials/kimi-code.json'),
      home.resolve('elsewhere/kimi/config.toml'),
      home.resolve('elsewhere/kimi/config.json'),
    ]);
    expect(kimiCliAdapter.lockProtocol?.(ctx)).toEqual({
      kind: 'flock',
      lockPath: home.resolve('elsewhere/kimi/credentials/kimi-code.lock'),
    });
  });

  it('keeps the same id when the access token is refreshed', async () => {
    await fixtures.kimiCli.writeKimiCliCredentials(home);
    const before = (await run()).credentials[0]!;
    await fixtures.kimiCli.writeKimiCliCredentials(
      home,
      '.kimi',
      'PLACEHOLDER_kimi_cli_access_token_test_0002',
      1790003600.5,
    );
    const after = (await run()).credentials[0]!;
    expect(after.hash).not.toBe(before.hash);
    expect(after.id).toBe(before.id);
    expect(after.expiresAt).toBe(new Date(1790003600500).toISOString());
  });

  it('treats a missing or zero expires_at as unknown and a missing refresh token as a plain token', async () => {
    await home.write(
      '.kimi/credentials/kimi-code.json',
      '{"access_token": "PLACEHOLDER_test_at", "expires_at": 0.0}',
    );
    const c = (await run()).credentials[0]!;
    expect(c).toMatchObject({ kind: 'token', hasRefreshToken: false, expiresAt: null });
  });

  it('reports a bad provider table by field, not value, and still reads the others', async () => {
    const path = await home.write(
      '.kimi/config.toml',
      `[providers.broken]
type = "kimi"
base_url = "https://api.moonshot.ai/v1"
api_key = 12345

[providers.good]
type = "kimi"
base_url = "https://api.moonshot.ai/v1"
api_key = "sk-test-PLACEHOLDER-good"
`,
    );
    const r = await run();
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: 'INVALID_SHAPE', path, severity: 'error' });
    expect(r.issues[0]!.message).toContain('providers.broken.api_key');
    expect(r.issues[0]!.message).not.toContain('12345');
    expect(r.credentials.map((c) => c.secret.reveal())).toEqual(['sk-test-PLACEHOLDER-good']);
  });

  it('reports a token file of the wrong shape without its content', async () => {
    const path = await home.write(
      '.kimi/credentials/kimi-code.json',
      '{"access_token": ["PLACEHOLDER_test_secret"]}',
    );
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: 'INVALID_SHAPE', path });
    expect(r.issues[0]!.message).toContain('access_token');
    expect(r.issues[0]!.message).not.toContain('PLACEHOLDER_test_secret');
  });

  it('never serializes a secret', async () => {
    await fixtures.kimiCli.writeKimiCliCredentials(home);
    await fixtures.kimiCli.writeKimiCliApiKeyConfig(home);
    const r = await run({ KIMI_API_KEY: KIMI_CLI.shellKey });
    expect(r.credentials).toHaveLength(6);
    const json = JSON.stringify([r, toScanReport(r, true)]);
    for (const secret of [
      KIMI_CLI.accessToken,
      KIMI_CLI.refreshToken,
      KIMI_CLI.moonshotKey,
      KIMI_CLI.kimiCodeKey,
      KIMI_CLI.openaiKey,
      KIMI_CLI.envTableKey,
      KIMI_CLI.shellKey,
    ])
      expect(json).not.toContain(secret);
  });
});
