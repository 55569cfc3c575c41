import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scan, toScanReport } from '../../scan.ts';
import { claudeCodeAdapter } from './index.ts';

const { CLAUDE } = fixtures.claude;
let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const run = (env: Record<string, string> = {}) =>
  scan({ adapters: [claudeCodeAdapter], env: { ...home.env, ...env } });

const ACCOUNT = {
  accountId: CLAUDE.accountUuid,
  email: CLAUDE.email,
  organization: CLAUDE.organizationUuid,
  plan: 'max',
};

describe('claude-code adapter', () => {
  it('finds the subscription login with plan, expiry and the account from ~/.claude.json', async () => {
    const path = await fixtures.claude.writeClaudeCredentials(home);
    await fixtures.claude.writeClaudeJson(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    const c = r.credentials[0]!;
    expect(c).toMatchObject({
      source: 'claude-code',
      provider: 'anthropic',
      kind: 'oauth',
      label: 'Claude login',
      hasRefreshToken: true,
      expiresAt: new Date(CLAUDE.expiresAt).toISOString(),
    });
    expect(c.account).toEqual(ACCOUNT);
    expect(c.origin).toEqual({ type: 'file', path, field: 'claudeAiOauth.accessToken' });
    expect(c.secret.reveal()).toBe(CLAUDE.accessToken);
    expect(c.refreshSecret?.reveal()).toBe(CLAUDE.refreshToken);
    expect(c.baseUrl).toBeUndefined();
    expect(c.policy).toMatchObject({ stance: 'warn', requiresOptIn: true });
    expect(c.refreshMethods.map((m) => m.type)).toEqual([
      'oauth-refresh',
      'cli-login',
      'key-page',
      'paste-key',
    ]);
    expect(r.locations).toContainEqual(
      expect.objectContaining({ location: path, result: 'found', reason: expect.stringContaining('tier') }),
    );
  });

  it('takes the plan alone when there is no ~/.claude.json', async () => {
    await fixtures.claude.writeClaudeCredentials(home);
    const c = (await run()).credentials[0]!;
    expect(c.account).toEqual({ plan: 'max' });
  });

  it('treats a login without a refresh token as a token', async () => {
    await fixtures.claude.writeClaudeCredentials(home, { refreshToken: null });
    const c = (await run()).credentials[0]!;
    expect(c).toMatchObject({ kind: 'token', hasRefreshToken: false });
    expect(c.refreshMethods.map((m) => m.type)).not.toContain('oauth-refresh');
  });

  it('accepts other top-level keys beside claudeAiOauth', async () => {
    await fixtures.claude.writeClaudeCredentials(home, {
      extra: { mcpOAuth: { 'server|abc': { accessToken: 'test-PLACEHOLDER-mcp', expiresAt: 0 } } },
    });
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
  });

  it('notes a credentials file with no Claude login as empty', async () => {
    const path = await home.writeJson('.claude/.credentials.json', { mcpOAuth: {} });
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toEqual([]);
    expect(r.locations).toContainEqual(expect.objectContaining({ location: path, result: 'empty' }));
  });

  it('reports a malformed claudeAiOauth as a bad shape', async () => {
    const path = await home.writeJson('.claude/.credentials.json', { claudeAiOauth: { expiresAt: 'soon' } });
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ path, code: 'INVALID_SHAPE' });
  });

  it('keeps the same id when the access token is refreshed', async () => {
    await fixtures.claude.writeClaudeCredentials(home);
    await fixtures.claude.writeClaudeJson(home);
    const before = (await run()).credentials[0]!;
    await fixtures.claude.writeClaudeCredentials(home, {
      accessToken: 'sk-ant-oat01-test-PLACEHOLDER-rotated',
    });
    const after = (await run()).credentials[0]!;
    expect(after.hash).not.toBe(before.hash);
    expect(after.id).toBe(before.id);
  });

  it('keeps the same id across refreshes without account facts too', async () => {
    await fixtures.claude.writeClaudeCredentials(home);
    const before = (await run()).credentials[0]!;
    await fixtures.claude.writeClaudeCredentials(home, {
      accessToken: 'sk-ant-oat01-test-PLACEHOLDER-rotated',
    });
    expect((await run()).credentials[0]!.id).toBe(before.id);
  });

  it('finds primaryApiKey in ~/.claude.json as an API key', async () => {
    const path = await fixtures.claude.writeClaudeJson(home, { primaryApiKey: CLAUDE.primaryApiKey });
    const r = await run();
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      provider: 'anthropic',
      kind: 'api_key',
      origin: { type: 'file', path, field: 'primaryApiKey' },
      keyPage: 'https://console.anthropic.com/settings/keys',
    });
    expect(r.credentials[0]!.policy.requiresOptIn).toBe(false);
  });

  it('gives a console key (`claude auth login --console`) the account of oauthAccount', async () => {
    await fixtures.claude.writeClaudeJson(home, { primaryApiKey: CLAUDE.primaryApiKey });
    const r = await run();
    expect(r.credentials[0]!.account).toEqual({
      accountId: CLAUDE.accountUuid,
      email: CLAUDE.email,
      organization: CLAUDE.organizationUuid,
    });
  });

  it('reads the 2.1.332 login fields: account ids beside the tokens, the refresh token end of life', async () => {
    const path = await fixtures.claude.writeClaudeCredentials2132(home);
    let r = await run();
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      kind: 'oauth',
      hasRefreshToken: true,
      account: { accountId: CLAUDE.accountUuid, organization: CLAUDE.organizationUuid, plan: 'pro' },
    });
    expect(r.locations.find((l) => l.location === path)?.reason).toContain('refresh token valid until');
    // A refresh token past its end of life renews nothing: the login is a plain token.
    await fixtures.claude.writeClaudeCredentials2132(home, 1_700_000_000_000);
    r = await run();
    expect(r.credentials[0]).toMatchObject({ kind: 'token', hasRefreshToken: false });
    expect(r.credentials[0]!.refreshMethods.map((m) => m.type)).not.toContain('oauth-refresh');
    expect(r.locations.find((l) => l.location === path)?.reason).toContain('refresh token expired');
  });

  it('honours CLAUDE_CONFIG_DIR for both files', async () => {
    await fixtures.claude.writeClaudeCredentials(home, { dir: 'work/claude' });
    await fixtures.claude.writeClaudeJson(home, { relPath: 'work/claude/.claude.json' });
    // A ~/.claude.json of another account must not be used for the moved config dir.
    await fixtures.claude.writeClaudeJson(home, { noAccount: true });
    expect((await run()).credentials).toHaveLength(0);

    const dir = home.resolve('work/claude');
    const adapterFiles = claudeCodeAdapter.files({
      home: home.path,
      env: { CLAUDE_CONFIG_DIR: dir },
    } as never);
    expect(adapterFiles.map((f) => f.path)).toEqual([`${dir}/.credentials.json`, `${dir}/.claude.json`]);
    const r = await run({ CLAUDE_CONFIG_DIR: dir });
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]!.account).toEqual(ACCOUNT);
    expect(r.credentials[0]!.origin).toMatchObject({ path: `${dir}/.credentials.json` });
  });

  it('reads ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN and ANTHROPIC_AUTH_TOKEN', async () => {
    const r = await run({
      ANTHROPIC_API_KEY: CLAUDE.envApiKey,
      CLAUDE_CODE_OAUTH_TOKEN: CLAUDE.envOAuthToken,
      ANTHROPIC_AUTH_TOKEN: CLAUDE.envAuthToken,
    });
    expect(r.credentials.map((c) => [c.origin, c.provider, c.kind, c.hasRefreshToken])).toEqual([
      [{ type: 'env', variable: 'ANTHROPIC_API_KEY' }, 'anthropic', 'api_key', false],
      [{ type: 'env', variable: 'CLAUDE_CODE_OAUTH_TOKEN' }, 'anthropic', 'token', false],
      [{ type: 'env', variable: 'ANTHROPIC_AUTH_TOKEN' }, 'anthropic', 'token', false],
    ]);
    expect(r.credentials.every((c) => c.baseUrl === undefined)).toBe(true);
  });

  it('gives env credentials the ANTHROPIC_BASE_URL they are sent to', async () => {
    const base = 'https://gateway.example.com/anthropic';
    const r = await run({ ANTHROPIC_AUTH_TOKEN: CLAUDE.envAuthToken, ANTHROPIC_BASE_URL: base });
    expect(r.credentials[0]!.baseUrl).toBe(base);
  });

  it('never serializes a secret', async () => {
    await fixtures.claude.writeClaudeCredentials(home);
    await fixtures.claude.writeClaudeJson(home, { primaryApiKey: CLAUDE.primaryApiKey });
    const r = await run({ CLAUDE_CODE_OAUTH_TOKEN: CLAUDE.envOAuthToken });
    expect(r.credentials).toHaveLength(3);
    const json = JSON.stringify(toScanReport(r, true));
    for (const secret of [
      CLAUDE.accessToken,
      CLAUDE.refreshToken,
      CLAUDE.primaryApiKey,
      CLAUDE.envOAuthToken,
    ])
      expect(json).not.toContain(secret);
    expect(JSON.stringify(r.credentials)).not.toContain(CLAUDE.accessToken);
  });
});
