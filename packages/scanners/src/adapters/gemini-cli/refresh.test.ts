import { stat } from 'node:fs/promises';
import {
  createTempHome,
  FAKE_OAUTH_CLIENT_IDS,
  type FakeOAuthServer,
  fixtures,
  startFakeGoogleTokenOAuth,
  type TempHome,
} from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshOnce, scanWith, sendRefresh, testContext, text } from '../_shared/oauth-test-support.ts';
import { geminiCliAdapter } from './index.ts';

const { GEMINI } = fixtures.gemini;
let home: TempHome;
let fake: FakeOAuthServer;
beforeEach(async () => {
  home = await createTempHome();
  fake = await startFakeGoogleTokenOAuth({ refreshTokens: [GEMINI.refreshToken], requireClientSecret: true });
});
afterEach(async () => {
  await fake.close();
  await home.cleanup();
});

const env = () => ({
  ...home.env,
  CTD_GOOGLE_OAUTH_URL: fake.origin,
  CTD_GEMINI_OAUTH_CLIENT_SECRET: 'test-PLACEHOLDER-client-secret',
});
const login = async (e: Record<string, string> = env()) => {
  const found = (await scanWith(geminiCliAdapter, e)).find(
    (c) => c.kind === 'oauth' && c.origin.type === 'file' && c.origin.field === 'access_token',
  );
  if (!found) throw new Error('no login');
  return found;
};

describe('gemini-cli refresh', () => {
  it("sends google-auth-library's form with Gemini CLI's client to /token; the refresh token is kept", async () => {
    await fixtures.gemini.writeOauthCreds(home);
    const credential = await login();
    const spec = geminiCliAdapter.oauthRefresh!(credential)!;
    expect(spec.rotating).toBe(false);
    const request = spec.request(testContext(env()), credential);
    expect(request.url).toBe(`${fake.origin}/token`);
    expect(request.body).toEqual({
      type: 'form',
      value: {
        grant_type: 'refresh_token',
        refresh_token: GEMINI.refreshToken,
        client_id: FAKE_OAUTH_CLIENT_IDS.google,
        client_secret: 'test-PLACEHOLDER-client-secret',
      },
    });
    const sent = await sendRefresh(request);
    const answer = spec.parse(sent.status, sent.body, new Date());
    expect(answer).toMatchObject({ ok: true, tokens: { accessToken: fake.grants[0]?.accessToken } });
    if (answer.ok) expect(answer.tokens.refreshToken).toBeUndefined();
    expect(fake.isLive(GEMINI.refreshToken)).toBe(true);
    expect(spec.request(testContext(home.env), credential).url).toBe('https://oauth2.googleapis.com/token');
  });

  it('reads invalid_grant as permanent; a refused client, 429 and 5xx are not the login dying', async () => {
    await fixtures.gemini.writeOauthCreds(home);
    const credential = await login();
    const spec = geminiCliAdapter.oauthRefresh!(credential)!;
    const now = new Date();
    const noSecret = await sendRefresh(
      spec.request(testContext({ ...home.env, CTD_GOOGLE_OAUTH_URL: fake.origin }), credential),
    );
    const refused = spec.parse(noSecret.status, noSecret.body, now);
    expect(refused).toMatchObject({ ok: false, permanent: false, code: 'invalid_request' });
    if (!refused.ok) expect(refused.reason).toContain('CTD_GEMINI_OAUTH_CLIENT_SECRET');

    fake.failNext('rate_limited', 'server_error');
    const request = spec.request(testContext(env()), credential);
    for (const status of [429, 503]) {
      const sent = await sendRefresh(request);
      expect(sent.status).toBe(status);
      expect(spec.parse(sent.status, sent.body, now)).toMatchObject({ ok: false, permanent: false });
    }
    fake.revoke(GEMINI.refreshToken);
    const dead = await sendRefresh(request);
    expect(spec.parse(dead.status, dead.body, now)).toMatchObject({
      ok: false,
      permanent: true,
      code: 'invalid_grant',
    });
  });

  it('refreshes 5 minutes before expiry_date; only the login in oauth_creds.json', async () => {
    await fixtures.gemini.writeOauthCreds(home);
    const credential = await login();
    expect(geminiCliAdapter.oauthRefresh!(credential)!.refreshAt(credential)).toBe(GEMINI.expiryMs - 300_000);
    await fixtures.gemini.writeGeminiDotEnv(home);
    const key = (await scanWith(geminiCliAdapter, env())).find((c) => c.kind === 'api_key');
    expect(geminiCliAdapter.oauthRefresh!(key!)).toBeUndefined();
  });

  it('writes access_token, expiry_date (ms) and id_token back, keeping the refresh token, fields, layout and mode', async () => {
    const path = await fixtures.gemini.writeOauthCreds(home);
    const before = await login();
    const original = JSON.parse(await text(path));
    const answer = await refreshOnce(geminiCliAdapter, env(), before);
    expect(answer.ok).toBe(true);
    const raw = await text(path);
    const json = JSON.parse(raw);
    expect(Object.keys(json)).toEqual(Object.keys(original));
    expect(json.refresh_token).toBe(GEMINI.refreshToken);
    expect(json.scope).toBe(original.scope);
    expect(json.id_token).toBe(fake.grants[0]?.idToken);
    expect(json.expiry_date).toBeGreaterThan(Date.now());
    expect(Number.isInteger(json.expiry_date)).toBe(true);
    expect(raw).toBe(`${JSON.stringify(json, null, 2)}\n`);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const after = await login();
    expect(after.id).toBe(before.id);
    expect(after.hash).not.toBe(before.hash);
    expect(after.expiresAt).toBe(new Date(json.expiry_date).toISOString());
  });

  it('refuses to write over another Google login', async () => {
    await fixtures.gemini.writeOauthCreds(home);
    const credential = await login();
    await fixtures.gemini.writeOauthCreds(home, { refreshToken: '1//test-PLACEHOLDER-someone-else' });
    await expect(
      geminiCliAdapter.writeBack!(testContext(env()), credential, { accessToken: 'ya29.test-PLACEHOLDER-x' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND', details: { reason: 'other-login' } });
  });
});
