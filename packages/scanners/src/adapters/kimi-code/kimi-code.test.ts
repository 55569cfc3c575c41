import { readFile } from 'node:fs/promises';
import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScanContext } from '../../context.ts';
import { scan, toScanReport } from '../../scan.ts';
import { kimiCodeAdapter } from './index.ts';

const { KIMI_CODE } = fixtures.kimiCode;
let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const run = (env: Record<string, string> = {}) =>
  scan({ adapters: [kimiCodeAdapter], env: { ...home.env, ...env } });

describe('kimi-code adapter', () => {
  it('finds the Kimi Code login in pretty JSON, with expiry from unix seconds', async () => {
    const path = await fixtures.kimiCode.writeKimiCodeCredentials(home);
    await fixtures.kimiCode.writeKimiCodeLoginConfig(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    const c = r.credentials[0]!;
    expect(c).toMatchObject({
      source: 'kimi-code',
      provider: 'kimi',
      kind: 'oauth',
      label: 'Kimi Code login',
      hasRefreshToken: true,
      baseUrl: 'https://api.kimi.com/coding/v1',
    });
    expect(c.origin).toEqual({ type: 'file', path, field: 'access_token' });
    expect(c.expiresAt).toBe(new Date(1790003600500).toISOString());
    expect(c.secret.reveal()).toBe(KIMI_CODE.accessToken);
    expect(c.refreshSecret?.reveal()).toBe(KIMI_CODE.refreshToken);
    expect(c.refreshMethods.find((m) => m.type === 'cli-login')).toMatchObject({
      command: expect.stringContaining('kimi login'),
    });
  });

  it('reads api_key and the [providers.<name>.env] sub-table, telling Moonshot from Kimi Code', async () => {
    const path = await fixtures.kimiCode.writeKimiCodeApiKeyConfig(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(
      r.credentials.map((c) => ({
        provider: c.provider,
        kind: c.kind,
        baseUrl: c.baseUrl,
        origin: c.origin,
        secret: c.secret.reveal(),
      })),
    ).toEqual([
      {
        provider: 'moonshot',
        kind: 'api_key',
        baseUrl: 'https://api.moonshot.ai/v1',
        origin: { type: 'file', path, field: 'providers.moonshot-ai.api_key' },
        secret: KIMI_CODE.moonshotKey,
      },
      {
        // The base URL comes from the sub-table's KIMI_BASE_URL, as kimi-code falls back to it.
        provider: 'kimi',
        kind: 'api_key',
        baseUrl: 'https://api.kimi.com/coding/v1',
        origin: { type: 'file', path, field: 'providers.kimi.env.KIMI_API_KEY' },
        secret: KIMI_CODE.envTableKey,
      },
      {
        provider: 'anthropic',
        kind: 'api_key',
        baseUrl: 'https://api.anthropic.com',
        origin: { type: 'file', path, field: 'providers.claude.api_key' },
        secret: KIMI_CODE.anthropicKey,
      },
    ]);
  });

  it('defaults a kimi-type table without a base URL to Moonshot, as kimi-code does', async () => {
    await home.write(
      '.kimi-code/config.toml',
      '[providers.kimi.env]\nKIMI_API_KEY = "sk-test-PLACEHOLDER-x"\n',
    );
    const r = await run();
    expect(r.credentials.map((c) => [c.provider, c.baseUrl])).toEqual([['moonshot', undefined]]);
  });

  it('does not read KIMI_API_KEY from the shell', async () => {
    const r = await run({ KIMI_API_KEY: 'sk-test-PLACEHOLDER-shell' });
    expect(r.credentials).toEqual([]);
    expect(r.locations.some((l) => l.location === '$KIMI_API_KEY')).toBe(false);
  });

  it('reads a scoped login slot that config.toml names (international platform)', async () => {
    const path = await fixtures.kimiCode.writeKimiCodeGlobalLogin(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      provider: 'kimi',
      kind: 'oauth',
      baseUrl: 'https://api.kimi.ai/coding/v1',
    });
    expect(r.credentials[0]!.origin).toEqual({ type: 'file', path, field: 'access_token' });
    expect(path).toContain(`credentials/${KIMI_CODE.globalSlot}.json`);
  });

  it('never reads outside credentials/ for a crafted oauth key', async () => {
    await home.write('secret.json', '{"access_token": "PLACEHOLDER_test_outside"}');
    await home.write(
      '.kimi-code/config.toml',
      '[providers.x]\ntype = "kimi"\noauth = { storage = "file", key = "oauth/.." }\n[providers.y]\ntype = "kimi"\noauth = { storage = "file", key = "../../secret" }\n',
    );
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toEqual([]);
  });

  it('honours KIMI_CODE_HOME', async () => {
    await fixtures.kimiCode.writeKimiCodeCredentials(home, 'elsewhere/kc');
    expect((await run()).credentials).toHaveLength(0);
    const env = { KIMI_CODE_HOME: home.resolve('elsewhere/kc') };
    expect((await run(env)).credentials).toHaveLength(1);
    const ctx = createScanContext({ env: { ...home.env, ...env } });
    expect(kimiCodeAdapter.files(ctx).map((f) => [f.path, f.format])).toEqual([
      [home.resolve('elsewhere/kc/credentials/kimi-code.json'), 'json'],
      [home.resolve('elsewhere/kc/config.toml'), 'toml'],
    ]);
    expect(kimiCodeAdapter.lockProtocol?.(ctx)).toEqual({ kind: 'in-process' });
  });

  it('keeps the same id when the access token is refreshed', async () => {
    await fixtures.kimiCode.writeKimiCodeCredentials(home);
    const before = (await run()).credentials[0]!;
    await fixtures.kimiCode.writeKimiCodeCredentials(
      home,
      '.kimi-code',
      'PLACEHOLDER_kimi_code_access_token_test_0002',
    );
    const after = (await run()).credentials[0]!;
    expect(after.hash).not.toBe(before.hash);
    expect(after.id).toBe(before.id);
  });

  it('is a separate source from kimi-cli: the same provider, other ids', async () => {
    await fixtures.kimiCode.writeKimiCodeCredentials(home);
    await fixtures.kimiCli.writeKimiCliCredentials(home);
    const r = await scan({ sources: ['kimi-cli', 'kimi-code'], env: home.env });
    expect(r.credentials.map((c) => c.source).sort()).toEqual(['kimi-cli', 'kimi-code']);
    expect(new Set(r.credentials.map((c) => c.id)).size).toBe(2);
  });

  it('never serializes a secret', async () => {
    await fixtures.kimiCode.populate(home);
    const config = await readFile(home.resolve('.kimi-code/config.toml'), 'utf8');
    await home.write(
      '.kimi-code/config.toml',
      `${config}\n[providers.moonshot-ai]\ntype = "kimi"\nbase_url = "https://api.moonshot.ai/v1"\napi_key = "${KIMI_CODE.moonshotKey}"\n`,
    );
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(3);
    const json = JSON.stringify([r, toScanReport(r, true)]);
    for (const secret of [
      KIMI_CODE.accessToken,
      KIMI_CODE.refreshToken,
      KIMI_CODE.envTableKey,
      KIMI_CODE.moonshotKey,
    ])
      expect(json).not.toContain(secret);
  });
});
