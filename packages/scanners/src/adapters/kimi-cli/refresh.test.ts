import { stat } from 'node:fs/promises';
import {
  createTempHome,
  FAKE_OAUTH_CLIENT_IDS,
  type FakeOAuthServer,
  fixtures,
  startFakeKimiOAuth,
  type TempHome,
} from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshOnce, scanWith, sendRefresh, testContext, text } from '../_shared/oauth-test-support.ts';
import { kimiCliAdapter } from './index.ts';

const { KIMI_CLI } = fixtures.kimiCli;
const DEVICE_ID = '0123456789abcdef0123456789abcdef';
let home: TempHome;
let fake: FakeOAuthServer;
beforeEach(async () => {
  home = await createTempHome();
  fake = await startFakeKimiOAuth({ refreshTokens: [KIMI_CLI.refreshToken] });
});
afterEach(async () => {
  await fake.close();
  await home.cleanup();
});

const env = () => ({ ...home.env, CTD_KIMI_OAUTH_URL: fake.origin });
const login = async (e: Record<string, string> = env()) => {
  const found = (await scanWith(kimiCliAdapter, e)).find((c) => c.kind === 'oauth');
  if (!found) throw new Error('no login');
  return found;
};

describe('kimi-cli refresh', () => {
  it("sends kimi-cli's form to /api/oauth/token with the X-Msh-* headers and its device id", async () => {
    await fixtures.kimiCli.writeKimiCliCredentials(home);
    await home.write('.kimi/device_id', `${DEVICE_ID}\n`);
    const credential = await login();
    const spec = kimiCliAdapter.oauthRefresh!(credential)!;
    expect(spec.rotating).toBe(true);
    const request = spec.request(testContext(env()), credential);
    expect(request.url).toBe(`${fake.origin}/api/oauth/token`);
    expect(request.body).toEqual({
      type: 'form',
      value: {
        client_id: FAKE_OAUTH_CLIENT_IDS.kimi,
        grant_type: 'refresh_token',
        refresh_token: KIMI_CLI.refreshToken,
      },
    });
    expect(Object.keys(request.headers).sort()).toEqual([
      'X-Msh-Device-Id',
      'X-Msh-Device-Model',
      'X-Msh-Device-Name',
      'X-Msh-Os-Version',
      'X-Msh-Platform',
      'X-Msh-Version',
    ]);
    expect(request.headers['X-Msh-Device-Id']).toBe(DEVICE_ID);
    expect(request.headers['X-Msh-Platform']).toBe('kimi_cli');
    const sent = await sendRefresh(request);
    expect(fake.requests[0]?.headers['x-msh-device-id']).toBe(DEVICE_ID);
    const answer = spec.parse(sent.status, sent.body, new Date());
    expect(answer).toMatchObject({
      ok: true,
      tokens: { refreshToken: fake.successorOf(KIMI_CLI.refreshToken), expiresInSeconds: 3600 },
    });
  });

  it("honours the CLI's own KIMI_CODE_OAUTH_HOST below CTD_KIMI_OAUTH_URL, and derives a stable device id without device_id", async () => {
    await fixtures.kimiCli.writeKimiCliCredentials(home);
    const credential = await login();
    const spec = kimiCliAdapter.oauthRefresh!(credential)!;
    expect(spec.request(testContext(home.env), credential).url).toBe('https://auth.kimi.com/api/oauth/token');
    const cliHost = { ...home.env, KIMI_CODE_OAUTH_HOST: 'https://auth.example.test/' };
    expect(spec.request(testContext(cliHost), credential).url).toBe(
      'https://auth.example.test/api/oauth/token',
    );
    expect(spec.request(testContext({ ...cliHost, ...env() }), credential).url).toBe(
      `${fake.origin}/api/oauth/token`,
    );
    const a = spec.request(testContext(env()), credential).headers['X-Msh-Device-Id'];
    const b = spec.request(testContext(env()), await login()).headers['X-Msh-Device-Id'];
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(b).toBe(a);
  });

  it('reads 401 and 403 as permanent; 429, 5xx and an answer missing fields as transient', async () => {
    await fixtures.kimiCli.writeKimiCliCredentials(home);
    const credential = await login();
    const spec = kimiCliAdapter.oauthRefresh!(credential)!;
    const now = new Date();
    const request = spec.request(testContext(env()), credential);
    fake.failNext('rate_limited', 'server_error');
    for (const status of [429, 503]) {
      const sent = await sendRefresh(request);
      expect(spec.parse(sent.status, sent.body, now)).toMatchObject({ ok: false, permanent: false });
      expect(sent.status).toBe(status);
    }
    expect((await sendRefresh(request)).status).toBe(200);
    const reused = await sendRefresh(request);
    expect(spec.parse(reused.status, reused.body, now)).toMatchObject({ ok: false, permanent: true });
    expect(spec.parse(403, null, now)).toMatchObject({ permanent: true, code: 'http_403' });
    expect(spec.parse(200, { access_token: 'x', refresh_token: 'y', expires_in: 900 }, now)).toMatchObject({
      ok: false,
      permanent: false,
      code: 'bad_response',
    });
  });

  it('refreshes max(300 s, ½·expires_in) before expires_at', async () => {
    await fixtures.kimiCli.writeKimiCliCredentials(home);
    const credential = await login();
    const expiresAt = Math.round(KIMI_CLI.expiresAt * 1000);
    expect(kimiCliAdapter.oauthRefresh!(credential)!.refreshAt(credential)).toBe(expiresAt - 1_800_000);
    await home.write(
      '.kimi/credentials/kimi-code.json',
      JSON.stringify({
        access_token: 'PLACEHOLDER_short',
        refresh_token: 'PLACEHOLDER_rt',
        expires_at: 1790000000.5,
        expires_in: 300.0,
      }),
    );
    const short = await login();
    expect(kimiCliAdapter.oauthRefresh!(short)!.refreshAt(short)).toBe(1790000000500 - 300_000);
  });

  it("writes back in kimi-cli's one-line Python layout: floats, key order, scope and mode kept", async () => {
    const path = await fixtures.kimiCli.writeKimiCliCredentials(home);
    await home.write('.kimi/device_id', DEVICE_ID);
    const before = await login();
    const answer = await refreshOnce(kimiCliAdapter, env(), before);
    expect(answer.ok).toBe(true);
    const raw = await text(path);
    expect(raw).not.toContain('\n');
    expect(raw).toMatch(
      /^\{"access_token": "[^"]+", "refresh_token": "[^"]+", "expires_at": \d+\.\d+, "scope": "kimi-code", "token_type": "Bearer", "expires_in": 3600\.0\}$/,
    );
    const json = JSON.parse(raw);
    expect(json.refresh_token).toBe(fake.successorOf(KIMI_CLI.refreshToken));
    expect(json.expires_at * 1000).toBeGreaterThan(Date.now());
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const after = await login();
    expect(after.id).toBe(before.id);
    expect(after.hash).not.toBe(before.hash);
    // The written chain is alive: the next refresh succeeds without a reuse error.
    expect((await refreshOnce(kimiCliAdapter, env(), after)).ok).toBe(true);
    expect(fake.stats.reuses).toBe(0);
  });

  it('refuses to write when kimi-cli refreshed in between (the refresh token moved on)', async () => {
    await fixtures.kimiCli.writeKimiCliCredentials(home);
    const credential = await login();
    const path = home.resolve('.kimi/credentials/kimi-code.json');
    const meanwhile = (await text(path)).replace(
      KIMI_CLI.refreshToken,
      'PLACEHOLDER_kimi_refreshed_meanwhile',
    );
    await home.write('.kimi/credentials/kimi-code.json', meanwhile);
    await expect(
      kimiCliAdapter.writeBack!(testContext(env()), credential, { accessToken: 'PLACEHOLDER_new' }),
    ).rejects.toMatchObject({ details: { reason: 'changed' } });
    expect(await text(path)).toBe(meanwhile);
  });
});
