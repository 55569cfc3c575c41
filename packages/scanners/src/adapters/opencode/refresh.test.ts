import {
  createTempHome,
  type FakeOAuthServer,
  fixtures,
  startFakeClaudeOAuth,
  startFakeOpenAIOAuth,
  type TempHome,
} from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { refreshOnce, scanWith, testContext, text } from '../_shared/oauth-test-support.ts';
import { opencodeAdapter } from './index.ts';

const { OPENCODE } = fixtures.opencode;
let home: TempHome;
let claude: FakeOAuthServer;
let openai: FakeOAuthServer;
beforeEach(async () => {
  home = await createTempHome();
  claude = await startFakeClaudeOAuth({ refreshTokens: [OPENCODE.anthropicRefresh] });
  openai = await startFakeOpenAIOAuth({ refreshTokens: [OPENCODE.openaiRefresh] });
});
afterEach(async () => {
  await Promise.all([claude.close(), openai.close()]);
  await home.cleanup();
});

const env = () => ({
  ...home.env,
  CTD_ANTHROPIC_OAUTH_URL: claude.origin,
  CTD_OPENAI_OAUTH_URL: openai.origin,
});
const entry = async (provider: string) => {
  const found = (await scanWith(opencodeAdapter, env())).find(
    (c) => c.provider === provider && c.kind === 'oauth',
  );
  if (!found) throw new Error(`no ${provider} entry`);
  return found;
};

describe('opencode refresh', () => {
  it("refreshes the anthropic entry with Claude's endpoint and the openai one with Codex's; others have none", async () => {
    await fixtures.opencode.writeOpencodeAuth(home);
    const anthropic = await entry('anthropic');
    const openaiEntry = await entry('openai');
    const copilot = await entry('github-copilot');
    const ctx = testContext(env());
    expect(opencodeAdapter.oauthRefresh!(anthropic)!.request(ctx, anthropic).url).toBe(
      `${claude.origin}/v1/oauth/token`,
    );
    expect(opencodeAdapter.oauthRefresh!(openaiEntry)!.request(ctx, openaiEntry).url).toBe(
      `${openai.origin}/oauth/token`,
    );
    expect(opencodeAdapter.oauthRefresh!(copilot)).toBeUndefined();
    expect(opencodeAdapter.oauthRefresh!(anthropic)!.refreshAt(anthropic)).toBe(OPENCODE.expires);
  });

  it('writes access, refresh and expires (ms) into the entry; other entries and accountId untouched', async () => {
    const path = await fixtures.opencode.writeOpencodeAuth(home);
    const original = JSON.parse(await text(path));
    for (const provider of ['anthropic', 'openai']) {
      const before = await entry(provider);
      expect((await refreshOnce(opencodeAdapter, env(), before)).ok).toBe(true);
      const after = await entry(provider);
      expect(after.id).toBe(before.id);
      expect(after.hash).not.toBe(before.hash);
    }
    const json = JSON.parse(await text(path));
    expect(Object.keys(json)).toEqual(Object.keys(original));
    expect(json.anthropic.refresh).toBe(claude.successorOf(OPENCODE.anthropicRefresh));
    expect(json.openai.refresh).toBe(openai.successorOf(OPENCODE.openaiRefresh));
    expect(json.openai.accountId).toBe(OPENCODE.openaiAccountId);
    expect(Number.isInteger(json.openai.expires) && json.openai.expires > Date.now()).toBe(true);
    expect(json['github-copilot']).toEqual(original['github-copilot']);
    expect(json.deepseek).toEqual(original.deepseek);
  });

  it('refuses to write into an entry that is gone or holds another account', async () => {
    const path = await fixtures.opencode.writeOpencodeAuth(home);
    const credential = await entry('openai');
    const json = JSON.parse(await text(path));
    json.openai.accountId = '11111111-1111-4111-8111-111111111111';
    await home.writeJson('.local/share/opencode/auth.json', json);
    const tokens = { accessToken: 'test-PLACEHOLDER-x' };
    await expect(opencodeAdapter.writeBack!(testContext(env()), credential, tokens)).rejects.toMatchObject({
      details: { reason: 'other-login' },
    });
    delete json.openai;
    await home.writeJson('.local/share/opencode/auth.json', json);
    await expect(opencodeAdapter.writeBack!(testContext(env()), credential, tokens)).rejects.toMatchObject({
      details: { reason: 'other-login' },
    });
  });
});
