import { stat } from 'node:fs/promises';
import {
  createTempHome,
  FAKE_OAUTH_CLIENT_IDS,
  type FakeOAuthServer,
  fixtures,
  startFakeClaudeOAuth,
  type TempHome,
} from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshOnce, scanWith, sendRefresh, testContext, text } from '../_shared/oauth-test-support.ts';
import { claudeCodeAdapter } from './index.ts';

const { CLAUDE } = fixtures.claude;
let home: TempHome;
let fake: FakeOAuthServer;
beforeEach(async () => {
  home = await createTempHome();
  fake = await startFakeClaudeOAuth({ refreshTokens: [CLAUDE.refreshToken] });
});
afterEach(async () => {
  await fake.close();
  await home.cleanup();
});

const env = () => ({ ...home.env, CTD_ANTHROPIC_OAUTH_URL: fake.origin });
const login = async () => {
  const found = (await scanWith(claudeCodeAdapter, env())).find((c) => c.kind === 'oauth');
  if (!found) throw new Error('no login');
  return found;
};

describe('claude-code refresh', () => {
  it("sends Claude Code's JSON with its client id to /v1/oauth/token (platform.claude.com by default)", async () => {
    await fixtures.claude.writeClaudeCredentials(home);
    await fixtures.claude.writeClaudeJson(home);
    const credential = await login();
    const spec = claudeCodeAdapter.oauthRefresh!(credential)!;
    expect(spec.rotating).toBe(true);
    expect(spec.request(testContext(home.env), credential).url).toBe(
      'https://platform.claude.com/v1/oauth/token',
    );
    const request = spec.request(testContext(env()), credential);
    expect(request.body).toEqual({
      type: 'json',
      value: {
        grant_type: 'refresh_token',
        refresh_token: CLAUDE.refreshToken,
        client_id: FAKE_OAUTH_CLIENT_IDS.claude,
      },
    });
    const sent = await sendRefresh(request);
    const now = new Date();
    const answer = spec.parse(sent.status, sent.body, now);
    expect(answer).toMatchObject({
      ok: true,
      tokens: {
        accessToken: fake.grants[0]?.accessToken,
        refreshToken: fake.successorOf(CLAUDE.refreshToken),
        expiresAtMs: now.getTime() + 3600_000,
      },
    });
    const reused = await sendRefresh(request);
    expect(spec.parse(reused.status, reused.body, now)).toMatchObject({
      ok: false,
      permanent: true,
      code: 'invalid_grant',
    });
    expect(spec.parse(401, { error: { type: 'authentication_error' } }, now)).toMatchObject({
      permanent: true,
    });
    expect(spec.parse(429, null, now)).toMatchObject({ permanent: false });
    expect(spec.parse(529, { error: { type: 'overloaded_error' } }, now)).toMatchObject({ permanent: false });
  });

  it('refreshes 5 minutes before expiresAt; a login without a refresh token has no refresh', async () => {
    await fixtures.claude.writeClaudeCredentials(home);
    const credential = await login();
    expect(claudeCodeAdapter.oauthRefresh!(credential)!.refreshAt(credential)).toBe(
      CLAUDE.expiresAt - 300_000,
    );
    await fixtures.claude.writeClaudeCredentials(home, { refreshToken: null });
    const [token] = await scanWith(claudeCodeAdapter, env());
    expect(claudeCodeAdapter.oauthRefresh!(token!)).toBeUndefined();
  });

  it('writes accessToken, refreshToken and expiresAt (ms) back; other keys, scopes and mode kept', async () => {
    const path = await fixtures.claude.writeClaudeCredentials(home, {
      extra: { mcpOAuth: { 'server-a': { accessToken: 'test-PLACEHOLDER-mcp' } } },
    });
    await fixtures.claude.writeClaudeJson(home);
    const original = JSON.parse(await text(path));
    const before = await login();
    expect((await refreshOnce(claudeCodeAdapter, env(), before)).ok).toBe(true);
    const json = JSON.parse(await text(path));
    expect(Object.keys(json)).toEqual(Object.keys(original));
    expect(Object.keys(json.claudeAiOauth)).toEqual(Object.keys(original.claudeAiOauth));
    expect(json.mcpOAuth).toEqual(original.mcpOAuth);
    expect(json.claudeAiOauth.scopes).toEqual(CLAUDE.scopes);
    expect(json.claudeAiOauth.refreshToken).toBe(fake.successorOf(CLAUDE.refreshToken));
    expect(json.claudeAiOauth.expiresAt).toBeGreaterThan(Date.now());
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const after = await login();
    expect(after.id).toBe(before.id);
    expect(after.hash).not.toBe(before.hash);
  });

  it('refuses to write when the login moved on', async () => {
    await fixtures.claude.writeClaudeCredentials(home);
    const credential = await login();
    await fixtures.claude.writeClaudeCredentials(home, {
      refreshToken: 'sk-ant-ort01-test-PLACEHOLDER-meanwhile',
    });
    await expect(
      claudeCodeAdapter.writeBack!(testContext(env()), credential, {
        accessToken: 'sk-ant-oat01-test-PLACEHOLDER-x',
      }),
    ).rejects.toMatchObject({ details: { reason: 'changed' } });
  });
});
