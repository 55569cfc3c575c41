import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScanContext } from '../../context.ts';
import { scan, toScanReport } from '../../scan.ts';
import { QWEN_CODING_PLAN_BASE_URL, QWEN_DEFAULT_BASE_URL, qwenBaseUrl, qwenCliAdapter } from './index.ts';

const { QWEN } = fixtures.qwen;
let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const run = (env: Record<string, string> = {}) =>
  scan({ adapters: [qwenCliAdapter], env: { ...home.env, ...env } });

describe('qwenBaseUrl', () => {
  it('follows Qwen Code’s resource_url rule', () => {
    expect(qwenBaseUrl(undefined)).toBe(QWEN_DEFAULT_BASE_URL);
    expect(qwenBaseUrl('')).toBe(QWEN_DEFAULT_BASE_URL);
    expect(qwenBaseUrl('portal.qwen.ai')).toBe('https://portal.qwen.ai/v1');
    expect(qwenBaseUrl('https://portal.qwen.ai/v1')).toBe('https://portal.qwen.ai/v1');
    expect(qwenBaseUrl('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/v1');
    expect(qwenBaseUrl('portal.qwen.ai/')).toBe('https://portal.qwen.ai/v1');
  });
});

describe('qwen-cli adapter', () => {
  it('finds the portal OAuth login with expiry and base URL', async () => {
    const path = await fixtures.qwen.writeQwenOAuth(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    const c = r.credentials[0]!;
    expect(c).toMatchObject({
      source: 'qwen-cli',
      provider: 'qwen-portal',
      kind: 'oauth',
      hasRefreshToken: true,
      baseUrl: 'https://portal.qwen.ai/v1',
      expiresAt: new Date(QWEN.expiryDate).toISOString(),
      account: {},
    });
    expect(c.origin).toEqual({ type: 'file', path, field: 'access_token' });
    expect(c.secret.reveal()).toBe(QWEN.accessToken);
    expect(c.refreshSecret?.reveal()).toBe(QWEN.refreshToken);
    // The portal login is retired and its policy asks for an opt-in; the CLI owns its refresh.
    expect(c.policy).toMatchObject({ stance: 'warn', requiresOptIn: true });
    expect(c.refreshMethods.map((m) => m.type)).not.toContain('oauth-refresh');
  });

  it('uses the DashScope default when resource_url is missing, and a token kind without a refresh token', async () => {
    await fixtures.qwen.writeQwenOAuth(home, { resourceUrl: null, refreshToken: null });
    const c = (await run()).credentials[0]!;
    expect(c).toMatchObject({ kind: 'token', hasRefreshToken: false, baseUrl: QWEN_DEFAULT_BASE_URL });
  });

  it('keeps the same id when the access token is refreshed', async () => {
    await fixtures.qwen.writeQwenOAuth(home);
    const before = (await run()).credentials[0]!;
    await fixtures.qwen.writeQwenOAuth(home, { accessToken: 'test-PLACEHOLDER-qwen-access-token-rotated' });
    const after = (await run()).credentials[0]!;
    expect(after.hash).not.toBe(before.hash);
    expect(after.id).toBe(before.id);
  });

  it('reports an oauth_creds.json without an access token as a bad shape', async () => {
    const path = await home.writeJson('.qwen/oauth_creds.json', { token_type: 'Bearer' });
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ path, code: 'INVALID_SHAPE' });
    expect(r.issues[0]!.message).toContain('access_token');
  });

  it('finds a Model Studio key in security.auth with its base URL', async () => {
    const path = await fixtures.qwen.writeQwenSettingsApiKey(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      provider: 'qwen',
      kind: 'api_key',
      label: 'Model Studio API key',
      baseUrl: QWEN.apiBaseUrl,
      expiresAt: null,
      origin: { type: 'file', path, field: 'security.auth.apiKey' },
    });
    expect(r.credentials[0]!.policy.stance).toBe('allowed');
    expect(r.credentials[0]!.secret.reveal()).toBe(QWEN.apiKey);
  });

  it('finds a Coding Plan key once, through the env map and modelProviders envKey', async () => {
    const path = await fixtures.qwen.writeQwenSettingsCodingPlan(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      provider: 'qwen',
      kind: 'api_key',
      label: 'Coding Plan key',
      baseUrl: QWEN.codingPlanBaseUrl,
      origin: { type: 'file', path, field: 'env.BAILIAN_CODING_PLAN_API_KEY' },
    });
    expect(r.credentials[0]!.secret.reveal()).toBe(QWEN.codingPlanKey);
  });

  it('finds both keys of the reference settings file', async () => {
    await fixtures.qwen.writeQwenSettingsFull(home);
    const r = await run();
    expect(r.credentials.map((c) => [c.secret.reveal(), c.baseUrl])).toEqual([
      [QWEN.codingPlanKey, QWEN.codingPlanBaseUrl],
      [QWEN.apiKey, QWEN.apiBaseUrl],
    ]);
  });

  it('gives a Coding Plan key in the env map the codingPlan base URL, or the coding endpoint', async () => {
    const intl = 'https://coding-intl.dashscope.aliyuncs.com/v1';
    await fixtures.qwen.writeQwenSettings(home, {
      env: { BAILIAN_CODING_PLAN_API_KEY: QWEN.codingPlanKey },
      codingPlan: { baseUrl: intl },
    });
    expect((await run()).credentials[0]!.baseUrl).toBe(intl);
    await fixtures.qwen.writeQwenSettings(home, { env: { BAILIAN_CODING_PLAN_API_KEY: QWEN.codingPlanKey } });
    expect((await run()).credentials[0]!.baseUrl).toBe(QWEN_CODING_PLAN_BASE_URL);
  });

  it('reads a 0.24 Coding Plan login (providerMetadata.coding-plan, one key named by many models)', async () => {
    const intl = 'https://coding-intl.dashscope.aliyuncs.com/v1';
    const path = await fixtures.qwen.writeQwenSettingsCodingPlan024(home, intl);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({ provider: 'qwen', label: 'Coding Plan key', baseUrl: intl });
    // --explain counts keys, not modelProviders entries.
    expect(r.locations.find((l) => l.location === path)).toMatchObject({
      result: 'found',
      reason: 'names 1 key(s)',
    });
    // providerMetadata gives the base URL of a key in the env map alone, too.
    await fixtures.qwen.writeQwenSettings(home, {
      env: { BAILIAN_CODING_PLAN_API_KEY: QWEN.codingPlanKey },
      providerMetadata: { 'coding-plan': { baseUrl: intl } },
    });
    expect((await run()).credentials[0]!.baseUrl).toBe(intl);
  });

  it('files a Token Plan key under qwen-token-plan (OpenClaw), with its endpoint', async () => {
    const path = await fixtures.qwen.writeQwenSettingsTokenPlan(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      provider: 'qwen-token-plan',
      kind: 'api_key',
      label: 'Token Plan key',
      baseUrl: QWEN.tokenPlanBaseUrl,
      origin: { type: 'file', path, field: 'env.BAILIAN_TOKEN_PLAN_API_KEY' },
    });
    expect(r.locations.find((l) => l.location === path)).toMatchObject({ reason: 'names 1 key(s)' });
    // In the env map alone it gets the Token Plan endpoint named in providerMetadata.
    await fixtures.qwen.writeQwenSettings(home, {
      env: { BAILIAN_TOKEN_PLAN_API_KEY: QWEN.tokenPlanKey },
      providerMetadata: { 'token-plan': { baseUrl: QWEN.tokenPlanBaseUrl } },
    });
    expect((await run()).credentials[0]).toMatchObject({
      provider: 'qwen-token-plan',
      baseUrl: QWEN.tokenPlanBaseUrl,
    });
  });

  it('looks up a modelProviders envKey in the settings env, then in the process env', async () => {
    const path = await fixtures.qwen.writeQwenSettingsEnvKey(home);
    let r = await run();
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      provider: 'qwen',
      baseUrl: QWEN.apiBaseUrl,
      origin: { type: 'file', path, field: 'env.BAILIAN_API_KEY' },
    });

    await fixtures.qwen.writeQwenSettingsEnvKey(home, {});
    r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.locations).toContainEqual(
      expect.objectContaining({
        location: `${path}#modelProviders.openai[0].envKey`,
        result: 'missing',
      }),
    );
    r = await run({ BAILIAN_API_KEY: QWEN.bailianKey });
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      provider: 'qwen',
      baseUrl: QWEN.apiBaseUrl,
      origin: { type: 'env', variable: 'BAILIAN_API_KEY' },
    });
  });

  it('takes the provider of a third-party modelProviders entry from its base URL', async () => {
    await fixtures.qwen.writeQwenSettings(home, {
      env: { OPENROUTER_API_KEY: 'sk-or-v1-test-PLACEHOLDER-0000000000' },
      modelProviders: {
        openai: [{ id: 'x', baseUrl: 'https://openrouter.ai/api/v1', envKey: 'OPENROUTER_API_KEY' }],
      },
    });
    expect((await run()).credentials[0]).toMatchObject({
      provider: 'openrouter',
      baseUrl: 'https://openrouter.ai/api/v1',
    });
  });

  it('resolves $VAR and braced references from the process env', async () => {
    const path = await fixtures.qwen.writeQwenSettings(home, {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal settings reference
      security: { auth: { apiKey: '${MY_QWEN_KEY}', baseUrl: '$MY_QWEN_BASE' } },
      env: { DASHSCOPE_API_KEY: '$MY_DASHSCOPE' },
    });
    const r = await run({
      MY_QWEN_KEY: QWEN.apiKey,
      MY_QWEN_BASE: QWEN.apiBaseUrl,
      MY_DASHSCOPE: QWEN.bailianKey,
    });
    expect(r.issues).toEqual([]);
    const byField = Object.fromEntries(r.credentials.map((c) => [(c.origin as { field: string }).field, c]));
    expect(byField['security.auth.apiKey']?.secret.reveal()).toBe(QWEN.apiKey);
    expect(byField['security.auth.apiKey']?.baseUrl).toBe(QWEN.apiBaseUrl);
    expect(byField['env.DASHSCOPE_API_KEY']?.secret.reveal()).toBe(QWEN.bailianKey);
    expect(r.locations).toContainEqual(
      expect.objectContaining({
        location: `${path}#security.auth.apiKey`,
        result: 'found',
        reason: expect.stringContaining('$MY_QWEN_KEY'),
      }),
    );
  });

  it('does not take a reference to an unset variable for a key, and says so', async () => {
    const path = await fixtures.qwen.writeQwenSettings(home, {
      security: { auth: { apiKey: '$UNSET_QWEN_KEY' } },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal settings reference
      env: { BAILIAN_CODING_PLAN_API_KEY: '${UNSET_CODING_KEY}' },
    });
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toEqual([]);
    const skipped = r.locations.filter((l) => l.result === 'skipped');
    expect(skipped.map((l) => l.location).sort()).toEqual([
      `${path}#env.BAILIAN_CODING_PLAN_API_KEY`,
      `${path}#security.auth.apiKey`,
    ]);
    expect(skipped.map((l) => l.reason).join(' ')).toMatch(/\$UNSET_QWEN_KEY.*not set: not a credential/);
  });

  it('reads DASHSCOPE_API_KEY and BAILIAN_CODING_PLAN_API_KEY from the process env', async () => {
    const r = await run({
      DASHSCOPE_API_KEY: QWEN.envDashscopeKey,
      BAILIAN_CODING_PLAN_API_KEY: QWEN.codingPlanKey,
    });
    expect(r.credentials.map((c) => [c.provider, c.origin, c.baseUrl])).toEqual([
      ['qwen', { type: 'env', variable: 'DASHSCOPE_API_KEY' }, undefined],
      ['qwen', { type: 'env', variable: 'BAILIAN_CODING_PLAN_API_KEY' }, QWEN_CODING_PLAN_BASE_URL],
    ]);
  });

  it('keeps the other sections when one is malformed', async () => {
    const path = await fixtures.qwen.writeQwenSettings(home, {
      security: 'not an object',
      env: { DASHSCOPE_API_KEY: QWEN.apiKey },
    });
    const r = await run();
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ path, code: 'INVALID_SHAPE' });
    expect(r.issues[0]!.message).toContain('security');
    expect(r.credentials.map((c) => c.secret.reveal())).toEqual([QWEN.apiKey]);
  });

  it('never serializes a secret', async () => {
    await fixtures.qwen.writeQwenOAuth(home);
    await fixtures.qwen.writeQwenSettingsFull(home);
    const r = await run({ DASHSCOPE_API_KEY: QWEN.envDashscopeKey });
    expect(r.credentials).toHaveLength(4);
    const json = JSON.stringify(toScanReport(r, true));
    for (const secret of [
      QWEN.accessToken,
      QWEN.refreshToken,
      QWEN.apiKey,
      QWEN.codingPlanKey,
      QWEN.envDashscopeKey,
    ])
      expect(json).not.toContain(secret);
    expect(JSON.stringify(r.credentials)).not.toContain(QWEN.accessToken);
  });

  it('locks the OAuth store the way Qwen Code does', () => {
    expect(qwenCliAdapter.lockProtocol?.({ home: '/h' } as never)).toEqual({
      kind: 'o-excl',
      lockPath: '/h/.qwen/oauth_creds.lock',
      staleAfterMs: 10_000,
    });
  });
});

describe('qwen-cli write-back', () => {
  const tokens = { accessToken: 'test-PLACEHOLDER-qwen-new-access-token', expiresAtMs: 1_800_000_000_000 };

  it('keeps the old refresh token when the refresh returns none, and the file’s own format', async () => {
    const path = await fixtures.qwen.writeQwenOAuth(home);
    // Qwen Code writes JSON.stringify(creds, null, 2) with no trailing newline.
    await writeFile(path, JSON.stringify(JSON.parse(await readFile(path, 'utf8')), null, 2));
    const ctx = createScanContext({ env: home.env });
    const [login] = (await run()).credentials;
    await qwenCliAdapter.withLock?.(ctx, login!, () => qwenCliAdapter.writeBack!(ctx, login!, tokens));
    const text = await readFile(path, 'utf8');
    expect(text.endsWith('}')).toBe(true);
    expect(JSON.parse(text)).toEqual({
      access_token: tokens.accessToken,
      refresh_token: QWEN.refreshToken,
      token_type: 'Bearer',
      resource_url: QWEN.resourceUrl,
      expiry_date: tokens.expiresAtMs,
    });
    const [after] = (await run()).credentials;
    expect(after?.id).toBe(login?.id);
  });

  it('refuses to overwrite a login that changed since the scan', async () => {
    await fixtures.qwen.writeQwenOAuth(home);
    const ctx = createScanContext({ env: home.env });
    const [login] = (await run()).credentials;
    await fixtures.qwen.writeQwenOAuth(home, { accessToken: 'test-PLACEHOLDER-qwen-refreshed-by-the-cli' });
    await expect(qwenCliAdapter.writeBack!(ctx, login!, tokens)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(JSON.parse(await readFile(join(home.path, '.qwen/oauth_creds.json'), 'utf8')).access_token).toBe(
      'test-PLACEHOLDER-qwen-refreshed-by-the-cli',
    );
  });

  it('writes only the OAuth file', async () => {
    await fixtures.qwen.writeQwenSettingsApiKey(home);
    const ctx = createScanContext({ env: home.env });
    const [key] = (await run()).credentials;
    await expect(qwenCliAdapter.writeBack!(ctx, key!, tokens)).rejects.toMatchObject({ code: 'BAD_USAGE' });
  });
});
