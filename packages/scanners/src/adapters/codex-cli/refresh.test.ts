import { chmod, stat, writeFile } from 'node:fs/promises';
import {
  createTempHome,
  type FakeOAuthServer,
  fakeJwt,
  fixtures,
  startFakeOpenAIOAuth,
  type TempHome,
} from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshOnce, scanWith, sendRefresh, testContext, text } from '../_shared/oauth-test-support.ts';
import { codexCliAdapter } from './index.ts';

const { CODEX } = fixtures.codex;
let home: TempHome;
let fake: FakeOAuthServer;
beforeEach(async () => {
  home = await createTempHome();
  fake = await startFakeOpenAIOAuth({ refreshTokens: [CODEX.refreshToken] });
});
afterEach(async () => {
  await fake.close();
  await home.cleanup();
});

const env = () => ({ ...home.env, CTD_OPENAI_OAUTH_URL: fake.origin });
const login = async () => {
  const found = (await scanWith(codexCliAdapter, env())).find((c) => c.kind === 'oauth');
  if (!found) throw new Error('no login');
  return found;
};

describe('codex-cli refresh', () => {
  it("sends Codex's own request: JSON {client_id, grant_type, refresh_token} to /oauth/token", async () => {
    await fixtures.codex.writeCodexChatGpt(home);
    const credential = await login();
    const spec = codexCliAdapter.oauthRefresh?.(credential);
    expect(spec?.rotating).toBe(true);
    const request = spec!.request(testContext(env()), credential);
    expect(request.url).toBe(`${fake.origin}/oauth/token`);
    expect(request.body).toEqual({
      type: 'json',
      value: {
        client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
        grant_type: 'refresh_token',
        refresh_token: CODEX.refreshToken,
      },
    });
    const sent = await sendRefresh(request);
    expect(sent.status).toBe(200);
    expect(fake.requests[0]).toMatchObject({ bodyType: 'json', outcome: 'issued' });
    const answer = spec!.parse(sent.status, sent.body, new Date());
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    expect(answer.tokens.accessToken).toBe(fake.grants[0]?.accessToken);
    expect(answer.tokens.refreshToken).toBe(fake.successorOf(CODEX.refreshToken));
    expect(answer.tokens.idToken).toBe(fake.grants[0]?.idToken);
    expect(answer.tokens.expiresAtMs).toBeGreaterThan(Date.now());
  });

  it('defaults to auth.openai.com, and honours CODEX_REFRESH_TOKEN_URL_OVERRIDE below CTD_OPENAI_OAUTH_URL', async () => {
    await fixtures.codex.writeCodexChatGpt(home);
    const credential = await login();
    const spec = codexCliAdapter.oauthRefresh!(credential)!;
    expect(spec.request(testContext(home.env), credential).url).toBe('https://auth.openai.com/oauth/token');
    const codexOverride = 'http://127.0.0.1:9/custom/token';
    expect(
      spec.request(testContext({ ...home.env, CODEX_REFRESH_TOKEN_URL_OVERRIDE: codexOverride }), credential)
        .url,
    ).toBe(codexOverride);
    expect(
      spec.request(testContext({ ...env(), CODEX_REFRESH_TOKEN_URL_OVERRIDE: codexOverride }), credential)
        .url,
    ).toBe(`${fake.origin}/oauth/token`);
  });

  it('reads a reused, expired or invalidated token and any 401 as permanent; 429, 5xx and a bad body as transient', async () => {
    await fixtures.codex.writeCodexChatGpt(home);
    const credential = await login();
    const spec = codexCliAdapter.oauthRefresh!(credential)!;
    const request = spec.request(testContext(env()), credential);
    const now = new Date();

    fake.failNext('rate_limited', 'server_error', 'malformed');
    for (const code of ['rate_limit_exceeded', 'server_error', 'bad_response']) {
      const answer = spec.parse(...(Object.values(await sendRefresh(request)) as [number, unknown]), now);
      expect(answer).toMatchObject({ ok: false, permanent: false, code });
    }
    expect(fake.isLive(CODEX.refreshToken)).toBe(true);
    expect((await sendRefresh(request)).status).toBe(200);
    const reused = await sendRefresh(request);
    const answer = spec.parse(reused.status, reused.body, now);
    expect(answer).toMatchObject({ ok: false, permanent: true, code: 'refresh_token_reused' });
    if (!answer.ok) expect(answer.reason).not.toContain(CODEX.refreshToken);
    expect(spec.parse(401, { error: 'whatever' }, now)).toMatchObject({ permanent: true });
    expect(spec.parse(400, { code: 'refresh_token_expired' }, now)).toMatchObject({ permanent: true });
    expect(spec.parse(400, { error: { code: 'refresh_token_invalidated' } }, now)).toMatchObject({
      permanent: true,
    });
    expect(spec.parse(400, { error: 'invalid_request' }, now)).toMatchObject({ permanent: false });
  });

  it('refreshes when the access token expires, else 8 days after last_refresh', async () => {
    await fixtures.codex.writeCodexChatGpt(home);
    const credential = await login();
    expect(codexCliAdapter.oauthRefresh!(credential)!.refreshAt(credential)).toBe(CODEX.exp * 1000);

    await fixtures.codex.writeCodexChatGpt(home, '.codex', 'test-PLACEHOLDER-not-a-jwt-access-token');
    const opaque = await login();
    expect(opaque.expiresAt).toBeNull();
    expect(codexCliAdapter.oauthRefresh!(opaque)!.refreshAt(opaque)).toBe(
      Date.parse('2026-08-01T12:00:00.000Z') + 8 * 24 * 3600_000,
    );
  });

  it('has no refresh for an API key', async () => {
    await fixtures.codex.writeCodexApiKey(home);
    const [key] = await scanWith(codexCliAdapter, env());
    expect(codexCliAdapter.oauthRefresh?.(key!)).toBeUndefined();
  });

  it('writes the new tokens back as Codex does: RFC 3339 last_refresh, account and unknown fields kept, mode kept', async () => {
    const path = await home.write(
      '.codex/auth.json',
      `${JSON.stringify(
        {
          auth_mode: 'chatgpt',
          OPENAI_API_KEY: null,
          tokens: {
            id_token: fixtures.codex.codexIdToken(),
            access_token: fixtures.codex.codexAccessToken(),
            refresh_token: CODEX.refreshToken,
            oauth_provenance: {
              issuer: 'https://auth.openai.com',
              client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
            },
            account_id: CODEX.accountId,
          },
          last_refresh: '2026-08-01T12:00:00.000000000Z',
          future_field: { later: 'field' },
        },
        null,
        2,
      )}`,
      0o600,
    );
    const before = await login();
    const answer = await refreshOnce(codexCliAdapter, env(), before);
    expect(answer.ok).toBe(true);

    const raw = await text(path);
    expect(raw.endsWith('}')).toBe(true); // serde_json's to_string_pretty writes no trailing newline
    const json = JSON.parse(raw);
    expect(Object.keys(json)).toEqual([
      'auth_mode',
      'OPENAI_API_KEY',
      'tokens',
      'last_refresh',
      'future_field',
    ]);
    expect(Object.keys(json.tokens)).toEqual([
      'id_token',
      'access_token',
      'refresh_token',
      'oauth_provenance',
      'account_id',
    ]);
    expect(json.tokens.refresh_token).toBe(fake.successorOf(CODEX.refreshToken));
    expect(json.tokens.account_id).toBe(CODEX.accountId);
    expect(json.last_refresh).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.now() - Date.parse(json.last_refresh)).toBeLessThan(60_000);
    expect(raw).toContain('\n  "tokens": {\n    "id_token"');
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const after = await login();
    expect(after.id).toBe(before.id);
    expect(after.hash).not.toBe(before.hash);
    expect(after.secret.reveal()).toBe(fake.grants[0]?.accessToken);
    // The next refresh spends the new token and succeeds: the chain is intact.
    expect((await refreshOnce(codexCliAdapter, env(), after)).ok).toBe(true);
    expect(fake.stats.reuses).toBe(0);
  });

  it('refuses to write when auth.json now holds another account, or Codex refreshed in between', async () => {
    const path = await fixtures.codex.writeCodexChatGpt(home);
    const credential = await login();
    const tokens = {
      accessToken: 'test-PLACEHOLDER-new-access',
      refreshToken: 'test-PLACEHOLDER-new-refresh',
    };
    const ctx = testContext(env());

    const other = JSON.parse(await text(path));
    other.tokens.account_id = '11111111-1111-4111-8111-111111111111';
    await writeFile(path, JSON.stringify(other, null, 2));
    await expect(codexCliAdapter.writeBack!(ctx, credential, tokens)).rejects.toMatchObject({
      code: 'NOT_FOUND',
      details: { reason: 'other-login' },
    });

    other.tokens.account_id = CODEX.accountId;
    other.tokens.refresh_token = 'rt_test_PLACEHOLDER_codex_refreshed_meanwhile';
    const meanwhile = JSON.stringify(other, null, 2);
    await writeFile(path, meanwhile);
    await chmod(path, 0o600);
    await expect(codexCliAdapter.writeBack!(ctx, credential, tokens)).rejects.toMatchObject({
      details: { reason: 'changed' },
    });
    expect(await text(path)).toBe(meanwhile);
  });

  it('keeps a legacy file without auth_mode as it was, but for the tokens', async () => {
    await fixtures.codex.writeCodexLegacy(home);
    const before = await login();
    const newAccess = fakeJwt({
      exp: 1_800_000_000,
      'https://api.openai.com/auth': { chatgpt_account_id: CODEX.accountId },
    });
    await codexCliAdapter.withLock!(testContext(env()), before, () =>
      codexCliAdapter.writeBack!(testContext(env()), before, { accessToken: newAccess }),
    );
    const json = JSON.parse(await text(home.resolve('.codex/auth.json')));
    expect(json).not.toHaveProperty('auth_mode');
    expect(json.tokens.account_id).toBeNull();
    expect(json.tokens.refresh_token).toBe(CODEX.refreshToken);
    expect((await login()).expiresAt).toBe(new Date(1_800_000_000_000).toISOString());
  });
});
