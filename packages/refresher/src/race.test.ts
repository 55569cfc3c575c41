// The race, on the real adapters: 3 processes × 10 concurrent refreshers on one Codex, one kimi-cli,
// one Claude Code and one Qwen Code login (the fixtures of @ctd/test-utils), each against its provider's fake token
// endpoint with single-use refresh tokens. One refresh call per expiry, no reuse error, the store
// ends with the newest tokens; the retired Qwen portal login is never spent.
import {
  createTempHome,
  type FakeOAuthServer,
  fixtures,
  startFakeClaudeOAuth,
  startFakeKimiOAuth,
  startFakeOpenAIOAuth,
  startFakeQwenPortalOAuth,
  type TempHome,
} from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startChild, startTogether } from './test-support/processes.ts';
import type { RefreshOutcome } from './types.ts';

let home: TempHome;
let fake: FakeOAuthServer | undefined;

beforeEach(async () => {
  home = await createTempHome('ctd-refresher-race-');
});
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  await home.cleanup();
});

function count(outcomes: readonly RefreshOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
}

const race = (adapter: string, env: Record<string, string>) =>
  startTogether(3, { adapter, refreshers: 10, stateDir: home.resolve('state') }, env);

describe('3 processes × 10 refreshers on one login', () => {
  it('Codex: one refresh call, no reuse, auth.json ends with the newest tokens', async () => {
    const { CODEX } = fixtures.codex;
    fake = await startFakeOpenAIOAuth({ refreshTokens: [CODEX.refreshToken] });
    // The fixture's access token expired (its JWT exp is in the past): Codex would refresh it now.
    await fixtures.codex.writeCodexChatGpt(home);
    fake.delayMs = 100; // the others queue on the lock while the one request is out
    const outcomes = await race('codex-cli', { ...home.env, CTD_OPENAI_OAUTH_URL: fake.origin });
    expect(fake.stats.calls).toBe(1);
    expect(fake.stats.reuses).toBe(0);
    expect(count(outcomes)).toEqual({ refreshed: 1, 'refreshed-by-other': 29 });
    const auth = JSON.parse(await readText(home.resolve('.codex/auth.json')));
    const grant = fake.grants.at(-1);
    expect(auth.tokens.access_token).toBe(grant?.accessToken);
    expect(auth.tokens.refresh_token).toBe(grant?.refreshToken);
    expect(fake.isLive(auth.tokens.refresh_token)).toBe(true);
  }, 60_000);

  it('kimi-cli: one refresh call under its flock, no reuse, the store ends with the newest tokens', async () => {
    const { KIMI_CLI } = fixtures.kimiCli;
    fake = await startFakeKimiOAuth({ refreshTokens: [KIMI_CLI.refreshToken] });
    await fixtures.kimiCli.writeKimiCliCredentials(home);
    fake.delayMs = 100;
    const outcomes = await race('kimi-cli', { ...home.env, CTD_KIMI_OAUTH_URL: fake.origin });
    expect(fake.stats.calls).toBe(1);
    expect(fake.stats.reuses).toBe(0);
    expect(count(outcomes)).toEqual({ refreshed: 1, 'refreshed-by-other': 29 });
    const store = JSON.parse(await readText(home.resolve('.kimi/credentials/kimi-code.json')));
    const grant = fake.grants.at(-1);
    expect(store.access_token).toBe(grant?.accessToken);
    expect(store.refresh_token).toBe(grant?.refreshToken);
  }, 60_000);

  it('Claude Code (no cross-process lock of its own): one refresh call, through the refresher’s own lock', async () => {
    const { CLAUDE } = fixtures.claude;
    fake = await startFakeClaudeOAuth({ refreshTokens: [CLAUDE.refreshToken] });
    await fixtures.claude.writeClaudeCredentials(home);
    fake.delayMs = 100;
    const outcomes = await race('claude-code', { ...home.env, CTD_ANTHROPIC_OAUTH_URL: fake.origin });
    expect(fake.stats.calls).toBe(1);
    expect(fake.stats.reuses).toBe(0);
    expect(count(outcomes)).toEqual({ refreshed: 1, 'refreshed-by-other': 29 });
    const store = JSON.parse(await readText(home.resolve('.claude/.credentials.json')));
    expect(store.claudeAiOauth.refreshToken).toBe(fake.grants.at(-1)?.refreshToken);
  }, 60_000);

  it('Qwen Code: the retired portal login is never spent (zero calls), the store is untouched', async () => {
    const { QWEN } = fixtures.qwen;
    fake = await startFakeQwenPortalOAuth({ refreshTokens: [QWEN.refreshToken] });
    const path = await fixtures.qwen.writeQwenOAuth(home);
    const before = await readText(path);
    const outcomes = await race('qwen-cli', { ...home.env, CTD_QWEN_OAUTH_URL: fake.origin });
    expect(fake.stats.calls).toBe(0);
    expect(count(outcomes)).toEqual({ 'not-refreshable': 30 });
    expect(outcomes[0]?.reason).toMatch(/retired/);
    expect(await readText(path)).toBe(before);
  }, 60_000);
});

describe('a Codex refresher killed between the answer and the write-back', () => {
  it('leaves auth.json as it was, and the next run reports needs_login without a call, every time', async () => {
    const { CODEX } = fixtures.codex;
    fake = await startFakeOpenAIOAuth({ refreshTokens: [CODEX.refreshToken] });
    const path = await fixtures.codex.writeCodexChatGpt(home);
    const before = await readText(path);
    const env = { ...home.env, CTD_OPENAI_OAUTH_URL: fake.origin };
    const stateDir = home.resolve('state');
    const child = startChild({ adapter: 'codex-cli', refreshers: 1, stallAfterAnswer: true, stateDir }, env);
    await child.line('ANSWERED');
    child.process.kill('SIGKILL');
    await child.done.catch(() => {});
    expect(fake.stats.calls).toBe(1);
    expect(await readText(path)).toBe(before);
    for (let run = 0; run < 3; run++) {
      const [outcome] = await startChild({ adapter: 'codex-cli', refreshers: 1, stateDir }, env).done;
      expect(outcome).toMatchObject({ status: 'needs_login', code: 'ANSWER_LOST', calls: 0 });
      expect(outcome?.relogin?.map((m) => m.type)).toContain('cli-login');
    }
    expect(fake.stats.calls).toBe(1);
  }, 60_000);
});

async function readText(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path, 'utf8');
}
