import {
  createTempHome,
  type FakeOAuthServer,
  fixtures,
  startFakeKimiOAuth,
  type TempHome,
} from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshOnce, scanWith, testContext, text } from '../_shared/oauth-test-support.ts';
import { kimiCodeAdapter } from './index.ts';

const { KIMI_CODE } = fixtures.kimiCode;
let home: TempHome;
let fake: FakeOAuthServer;
beforeEach(async () => {
  home = await createTempHome();
  fake = await startFakeKimiOAuth({ refreshTokens: [KIMI_CODE.refreshToken] });
});
afterEach(async () => {
  await fake.close();
  await home.cleanup();
});

const env = () => ({ ...home.env, CTD_KIMI_OAUTH_URL: fake.origin });
const login = async () => {
  const found = (await scanWith(kimiCodeAdapter, env())).find((c) => c.kind === 'oauth');
  if (!found) throw new Error('no login');
  return found;
};

describe('kimi-code refresh', () => {
  it("uses Kimi's refresh (same endpoint, client and threshold as kimi-cli)", async () => {
    await fixtures.kimiCode.writeKimiCodeCredentials(home);
    const credential = await login();
    const spec = kimiCodeAdapter.oauthRefresh!(credential)!;
    expect(spec.rotating).toBe(true);
    expect(spec.request(testContext(env()), credential).url).toBe(`${fake.origin}/api/oauth/token`);
    expect(spec.refreshAt(credential)).toBe(Math.round(KIMI_CODE.expiresAt * 1000) - 1_800_000);
  });

  it("writes back in kimi-code's indented layout with its trailing newline; the id stays", async () => {
    const path = await fixtures.kimiCode.writeKimiCodeCredentials(home);
    const before = await login();
    expect((await refreshOnce(kimiCodeAdapter, env(), before)).ok).toBe(true);
    const raw = await text(path);
    const json = JSON.parse(raw);
    expect(raw).toBe(`${JSON.stringify(json, null, 2)}\n`);
    expect(Object.keys(json)).toEqual([
      'access_token',
      'refresh_token',
      'expires_at',
      'scope',
      'token_type',
      'expires_in',
    ]);
    expect(json.refresh_token).toBe(fake.successorOf(KIMI_CODE.refreshToken));
    const after = await login();
    expect(after.id).toBe(before.id);
    expect(after.secret.reveal()).toBe(fake.grants[0]?.accessToken);
  });

  it('refreshes a scoped kimi-code-env-* slot in its own file', async () => {
    await fixtures.kimiCode.writeKimiCodeGlobalLogin(home);
    fake.issue(KIMI_CODE.globalRefreshToken);
    const slot = (await scanWith(kimiCodeAdapter, env())).find(
      (c) => c.origin.type === 'file' && c.origin.path.endsWith(`${KIMI_CODE.globalSlot}.json`),
    );
    expect(slot).toBeDefined();
    // Its own OAuth host (auth.kimi.ai) unless overridden.
    const spec = kimiCodeAdapter.oauthRefresh!(slot!)!;
    expect(spec.request(testContext(home.env), slot!).url).toBe('https://auth.kimi.ai/api/oauth/token');
    expect((await refreshOnce(kimiCodeAdapter, env(), slot!)).ok).toBe(true);
    const json = JSON.parse(await text(home.resolve(`.kimi-code/credentials/${KIMI_CODE.globalSlot}.json`)));
    expect(json.refresh_token).toBe(fake.successorOf(KIMI_CODE.globalRefreshToken));
  });
});
