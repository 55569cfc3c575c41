import { afterEach, describe, expect, it } from 'vitest';
import {
  FAKE_OAUTH_CLIENT_IDS,
  startFakeClaudeOAuth,
  startFakeGoogleTokenOAuth,
  startFakeKimiOAuth,
  startFakeOpenAIOAuth,
  startFakeQwenPortalOAuth,
} from './providers.ts';
import type { FakeOAuthServer } from './server.ts';

const servers: FakeOAuthServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function track<T extends FakeOAuthServer>(p: Promise<T>): Promise<T> {
  const s = await p;
  servers.push(s);
  return s;
}

const postJson = (url: string, value: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  });
const postForm = (url: string, value: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers, body: new URLSearchParams(value) });

const openaiBody = (refresh_token: string) => ({
  client_id: FAKE_OAUTH_CLIENT_IDS.openai,
  grant_type: 'refresh_token',
  refresh_token,
});

describe('fake OAuth servers', () => {
  it('OpenAI: rotates single-use refresh tokens and answers a reused one with refresh_token_reused', async () => {
    const fake = await track(startFakeOpenAIOAuth({ refreshTokens: ['rt_test_PLACEHOLDER_0'] }));
    const first = await postJson(fake.tokenUrl, openaiBody('rt_test_PLACEHOLDER_0'));
    expect(first.status).toBe(200);
    const body = (await first.json()) as Record<string, string>;
    expect(body.refresh_token).not.toBe('rt_test_PLACEHOLDER_0');
    expect(body.access_token?.split('.')).toHaveLength(3);
    expect(fake.successorOf('rt_test_PLACEHOLDER_0')).toBe(body.refresh_token);
    expect(fake.isLive(body.refresh_token as string)).toBe(true);

    const again = await postJson(fake.tokenUrl, openaiBody('rt_test_PLACEHOLDER_0'));
    expect(again.status).toBe(401);
    expect(await again.json()).toMatchObject({ error: { code: 'refresh_token_reused' } });
    const unknown = await postJson(fake.tokenUrl, openaiBody('rt_test_PLACEHOLDER_never'));
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ error: { code: 'refresh_token_invalidated' } });

    expect(fake.callsFor('rt_test_PLACEHOLDER_0')).toBe(2);
    expect(fake.stats).toEqual({ calls: 3, grants: 1, reuses: 1, unknown: 1 });
    expect(fake.requests.map((r) => r.outcome)).toEqual(['issued', 'reused', 'unknown']);
  });

  it('OpenAI: refuses another client id', async () => {
    const fake = await track(startFakeOpenAIOAuth({ refreshTokens: ['rt_test_PLACEHOLDER_0'] }));
    const r = await postJson(fake.tokenUrl, { ...openaiBody('rt_test_PLACEHOLDER_0'), client_id: 'other' });
    expect(r.status).toBe(401);
    expect(fake.isLive('rt_test_PLACEHOLDER_0')).toBe(true);
  });

  it('Google: does not rotate; a revoked token gets invalid_grant', async () => {
    const fake = await track(startFakeGoogleTokenOAuth({ requireClientSecret: true }));
    const token = fake.issue('1//test-PLACEHOLDER-google');
    const form = {
      grant_type: 'refresh_token',
      refresh_token: token,
      client_id: FAKE_OAUTH_CLIENT_IDS.google,
    };
    const noSecret = await postForm(fake.tokenUrl, form);
    expect(noSecret.status).toBe(400);
    expect(await noSecret.json()).toMatchObject({ error: 'invalid_request' });
    for (let i = 0; i < 2; i++) {
      const ok = await postForm(fake.tokenUrl, { ...form, client_secret: 'test-secret' });
      expect(ok.status).toBe(200);
      expect(await ok.json()).not.toHaveProperty('refresh_token');
    }
    expect(fake.isLive(token)).toBe(true);
    fake.revoke(token);
    const dead = await postForm(fake.tokenUrl, { ...form, client_secret: 'test-secret' });
    expect(dead.status).toBe(400);
    expect(await dead.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'Token has been expired or revoked.',
    });
  });

  it('Kimi: wants the device headers, and rotates', async () => {
    const fake = await track(startFakeKimiOAuth({ refreshTokens: ['test-PLACEHOLDER-kimi-rt'] }));
    const form = {
      client_id: FAKE_OAUTH_CLIENT_IDS.kimi,
      grant_type: 'refresh_token',
      refresh_token: 'test-PLACEHOLDER-kimi-rt',
    };
    expect((await postForm(fake.tokenUrl, form)).status).toBe(400);
    const headers = { 'X-Msh-Platform': 'kimi_cli', 'X-Msh-Device-Id': 'abc123abc123' };
    const ok = await postForm(fake.tokenUrl, form, headers);
    expect(ok.status).toBe(200);
    expect(Object.keys((await ok.json()) as object).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    expect((await postForm(fake.tokenUrl, form, headers)).status).toBe(401);
    expect(fake.stats.reuses).toBe(1);
  });

  it('Claude: a missing client id is "Invalid request format"; rotates', async () => {
    const fake = await track(startFakeClaudeOAuth({ refreshTokens: ['sk-ant-ort01-test-PLACEHOLDER'] }));
    const bad = await postJson(fake.tokenUrl, {
      grant_type: 'refresh_token',
      refresh_token: 'sk-ant-ort01-test-PLACEHOLDER',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error_description: 'Invalid request format' });
    const body = {
      grant_type: 'refresh_token',
      refresh_token: 'sk-ant-ort01-test-PLACEHOLDER',
      client_id: FAKE_OAUTH_CLIENT_IDS.claude,
    };
    expect((await postJson(fake.tokenUrl, body)).status).toBe(200);
    const reused = await postJson(fake.tokenUrl, body);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('Qwen portal: every refresh is refused as retired, and counted', async () => {
    const fake = await track(startFakeQwenPortalOAuth({ refreshTokens: ['test-PLACEHOLDER-qwen-rt'] }));
    const r = await postForm(fake.tokenUrl, {
      grant_type: 'refresh_token',
      refresh_token: 'test-PLACEHOLDER-qwen-rt',
      client_id: FAKE_OAUTH_CLIENT_IDS.qwen,
    });
    expect(r.status).toBe(400);
    expect(fake.stats.calls).toBe(1);
    expect(fake.stats.grants).toBe(0);
  });

  it('is scriptable: 429 and 5xx spend nothing, revoked kills the token, held answers wait', async () => {
    const fake = await track(startFakeOpenAIOAuth({ refreshTokens: ['rt_test_PLACEHOLDER_0'] }));
    fake.failNext('rate_limited', 'server_error', 'malformed');
    const limited = await postJson(fake.tokenUrl, openaiBody('rt_test_PLACEHOLDER_0'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect((await postJson(fake.tokenUrl, openaiBody('rt_test_PLACEHOLDER_0'))).status).toBe(503);
    const malformed = await postJson(fake.tokenUrl, openaiBody('rt_test_PLACEHOLDER_0'));
    await expect(malformed.json()).rejects.toThrow();
    expect(fake.isLive('rt_test_PLACEHOLDER_0')).toBe(true);

    fake.hold();
    const pending = postJson(fake.tokenUrl, openaiBody('rt_test_PLACEHOLDER_0'));
    await fake.waitForCalls(4);
    // Spent on arrival: a second caller racing the first gets the reuse error.
    expect(fake.isLive('rt_test_PLACEHOLDER_0')).toBe(false);
    fake.release();
    expect((await pending).status).toBe(200);

    const next = fake.successorOf('rt_test_PLACEHOLDER_0') as string;
    fake.failNext('revoked');
    expect((await postJson(fake.tokenUrl, openaiBody(next))).status).toBe(401);
    expect(fake.isLive(next)).toBe(false);
    expect(fake.callsFor('rt_test_PLACEHOLDER_0')).toBe(4);
  });
});
