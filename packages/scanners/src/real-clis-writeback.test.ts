// The real CLI still reads a store after our write-back (issue 10): a login store is laid out in a
// temp home, scanned with its adapter, refreshed tokens are written back with the adapter's
// `writeBack` inside its `withLock`, and then the real CLI (installed from the npm registry at the
// pinned versions of scripts/real-clis-install.mjs) reads the written store with its own parser and
// must still report the same login; a re-scan finds the same credential id with the new hash.
//
// The readers, per CLI with a `writeBack`:
// - Codex: `codex login status` (offline; parses auth.json and the id_token's claims).
// - Claude Code: `claude auth status` (offline JSON: loggedIn, method, email, organization, plan).
// - opencode: `opencode auth list` (offline; lists the entries auth.json's schema accepts).
// - Gemini CLI: no offline status command (`gemini --help` has none). Its TUI is the reader: it
//   starts with the written login against loopback Google stand-ins, and the Code Assist set-up
//   call must carry the written access token (so the CLI parsed it and did not refresh or re-login).
// - Claude Code also runs once (`claude -p`) against loopback Anthropic stand-ins: it must send the
//   written access token and not refresh, which checks the expiry's unit as well.
// - Qwen Code: no reader. `qwen auth` is removed in 0.24, and with `selectedType: qwen-oauth` even
//   `qwen -p` exits before reading oauth_creds.json ("Qwen OAuth free tier was discontinued on
//   2026-04-15"), so no real Qwen Code reads that store any more.
// - Kimi CLI and Kimi Code: not npm packages (not in the real-CLI harness); their write-back is
//   checked against their formats in the adapters' refresh tests only.
// - GitHub Copilot CLI: its adapter has no write-back (its tokens do not refresh).

import { stripVTControlCharacters } from 'node:util';
import type { DiscoveredCredential } from '@ctd/core';
import { sha256Hex } from '@ctd/core/node';
import { createTempHome, fakeJwt, fixtures, type TempHome } from '@ctd/test-utils';
import {
  ensureRealClis,
  hasTmux,
  type RealClis,
  runRealCli,
  startStandIn,
  startTmux,
} from '@ctd/test-utils/real-clis';
import { describe, expect, it, type TestContext } from 'vitest';
import { claudeCodeAdapter } from './adapters/claude-code/index.ts';
import { codexCliAdapter } from './adapters/codex-cli/index.ts';
import { geminiCliAdapter } from './adapters/gemini-cli/index.ts';
import { opencodeAdapter } from './adapters/opencode/index.ts';
import { createScanContext } from './context.ts';
import { scan } from './scan.ts';
import type { RefreshedTokens, SourceAdapter } from './types.ts';

const outcome = await ensureRealClis();
const clis = outcome.ok ? outcome.clis : (undefined as unknown as RealClis);
const skipReason = outcome.ok ? '' : ` (skipped: ${outcome.reason})`;
const tmux = await hasTmux();

/**
 * A temp home for one test, removed when it ends. The tests run concurrently, so the hook must be
 * the test's own (from its context): the global `onTestFinished` may attach to another running test.
 */
async function newHome(onTestFinished: TestContext['onTestFinished']): Promise<TempHome> {
  const home = await createTempHome('ctd-real-cli-wb-');
  onTestFinished(() => home.cleanup());
  return home;
}

/** The one credential of `adapter` in the home that `pick` selects. */
async function findLogin(
  adapter: SourceAdapter,
  home: TempHome,
  pick: (c: DiscoveredCredential) => boolean = (c) => c.kind === 'oauth',
): Promise<DiscoveredCredential> {
  const r = await scan({ adapters: [adapter], env: { HOME: home.path } });
  expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  const found = r.credentials.filter(pick);
  expect(found).toHaveLength(1);
  return found[0] as DiscoveredCredential;
}

/**
 * Scans, writes `tokens` back as the refresher does (inside the adapter's lock), and re-scans:
 * the same id, the new access token's hash, the same account. Returns the re-scanned credential.
 */
async function writeBackAndRescan(
  adapter: SourceAdapter,
  home: TempHome,
  tokens: RefreshedTokens,
  pick?: (c: DiscoveredCredential) => boolean,
): Promise<DiscoveredCredential> {
  const before = await findLogin(adapter, home, pick);
  expect(before.hasRefreshToken).toBe(true);
  const ctx = createScanContext({ env: { HOME: home.path } });
  if (!adapter.withLock || !adapter.writeBack) throw new Error(`${adapter.id} cannot write back`);
  const writeBack = adapter.writeBack.bind(adapter);
  await adapter.withLock(ctx, before, () => writeBack(ctx, before, tokens));
  const after = await findLogin(adapter, home, pick);
  expect(after.id).toBe(before.id);
  expect(after.hash).not.toBe(before.hash);
  expect(after.hash).toBe(sha256Hex(tokens.accessToken));
  expect(after.account).toEqual(before.account);
  if (tokens.refreshToken) expect(after.refreshSecret?.reveal()).toBe(tokens.refreshToken);
  return after;
}

// Well after the fixtures' expiry (2026-09), so no CLI wants to refresh what was written.
const NEW_EXP_S = 4_000_000_000;
const NEW_EXP_MS = NEW_EXP_S * 1000;
/** Gemini CLI's public OAuth client id (it is in the CLI's source; not a secret). */
const GEMINI_CLIENT_ID = '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com';

// Concurrent: the CLIs' start-up is most of the time, so they run side by side.
const suite = outcome.ok ? describe.concurrent : describe.skip;
suite(`real CLIs read what writeBack wrote${skipReason}`, () => {
  it('Codex: `codex login status` still reports the ChatGPT login', async ({ onTestFinished }) => {
    const home = await newHome(onTestFinished);
    await fixtures.codex.writeCodexChatGpt(home);
    const tokens = {
      accessToken: fixtures.codex.codexAccessToken(NEW_EXP_S),
      refreshToken: 'rt_test_PLACEHOLDER_codex_rotated_by_ctd',
      idToken: fixtures.codex.codexIdToken({ exp: NEW_EXP_S }),
      expiresAtMs: NEW_EXP_MS,
    };
    const after = await writeBackAndRescan(codexCliAdapter, home, tokens);
    expect(after.account).toMatchObject({ email: fixtures.codex.CODEX.email });
    const run = await runRealCli(clis.bin.codex, ['login', 'status'], { home: home.path });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout + run.stderr).toContain('Logged in using ChatGPT');
  });

  it('Codex control: `codex login status` rejects a store it cannot parse (the check is not vacuous)', async ({
    onTestFinished,
  }) => {
    const home = await newHome(onTestFinished);
    await home.write('.codex/auth.json', '{"auth_mode":"chatgpt","tokens":');
    const run = await runRealCli(clis.bin.codex, ['login', 'status'], { home: home.path });
    expect(run.stdout + run.stderr).not.toContain('Logged in using ChatGPT');
  });

  it('Claude Code: `claude auth status` still reports the claude.ai login, account and plan', async ({
    onTestFinished,
  }) => {
    const home = await newHome(onTestFinished);
    await fixtures.claude.writeClaudeCredentials2132(home);
    await fixtures.claude.writeClaudeJson(home);
    await writeBackAndRescan(claudeCodeAdapter, home, {
      accessToken: 'sk-ant-oat01-test-PLACEHOLDER-claude-access-rotated-00',
      refreshToken: 'sk-ant-ort01-test-PLACEHOLDER-claude-refresh-rotated-0',
      expiresAtMs: NEW_EXP_MS,
    });
    const run = await runRealCli(clis.bin.claude, ['auth', 'status'], { home: home.path });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      loggedIn: true,
      authMethod: 'claude.ai',
      email: fixtures.claude.CLAUDE.email,
      orgId: fixtures.claude.CLAUDE.organizationUuid,
      subscriptionType: 'pro',
    });
  });

  it('Claude Code: `claude -p` against a loopback Anthropic sends the written access token and spends no refresh (the expiry was written in ms)', async ({
    onTestFinished,
  }) => {
    const home = await newHome(onTestFinished);
    await fixtures.claude.writeClaudeCredentials2132(home);
    await fixtures.claude.writeClaudeJson(home);
    const access = 'sk-ant-oat01-test-PLACEHOLDER-claude-access-written-0';
    await writeBackAndRescan(claudeCodeAdapter, home, {
      accessToken: access,
      refreshToken: 'sk-ant-ort01-test-PLACEHOLDER-claude-refresh-written',
      expiresAtMs: NEW_EXP_MS,
    });
    const { CLAUDE } = fixtures.claude;
    const s = await startStandIn(['api.anthropic.com', 'platform.claude.com', 'claude.ai'], (req) => {
      // A request error the CLI does not retry, so the run ends at its first model call.
      if (req.url.startsWith('/v1/messages'))
        return {
          status: 400,
          json: { type: 'error', error: { type: 'invalid_request_error', message: 'stand-in' } },
        };
      if (req.url.startsWith('/api/oauth/profile'))
        return {
          status: 200,
          json: {
            account: { uuid: CLAUDE.accountUuid, email_address: CLAUDE.email },
            organization: { uuid: CLAUDE.organizationUuid, name: 'Example Org' },
          },
        };
      return { status: 200, json: {} };
    });
    try {
      const run = await runRealCli(clis.bin.claude, ['-p', 'hi'], { home: home.path, env: s.env });
      expect(run.stdout + run.stderr).toContain('400 stand-in');
    } finally {
      await s.close();
    }
    const messages = s.requests.filter((q) => q.url.startsWith('/v1/messages'));
    expect(messages.length).toBeGreaterThan(0);
    for (const q of s.requests.filter((r) => r.headers.authorization))
      expect(q.headers.authorization).toBe(`Bearer ${access}`);
    // The fixture's own expiry (2026-09) is past, and unchanged it makes the CLI refresh first:
    // no refresh here means the CLI read the written expiry, in its unit (ms).
    expect(s.requests.filter((q) => q.url.startsWith('/v1/oauth/token'))).toEqual([]);
  });

  it('Claude Code control: `claude auth status` reports no login for a store it cannot parse', async ({
    onTestFinished,
  }) => {
    const home = await newHome(onTestFinished);
    await home.write('.claude/.credentials.json', '{"claudeAiOauth":');
    await fixtures.claude.writeClaudeJson(home);
    const run = await runRealCli(clis.bin.claude, ['auth', 'status'], { home: home.path });
    expect(run.stdout).not.toMatch(/"loggedIn": true/);
  });

  it('opencode: `opencode auth list` still lists every entry after the OpenAI and Anthropic logins are written back', async ({
    onTestFinished,
  }) => {
    const home = await newHome(onTestFinished);
    await fixtures.opencode.writeOpencodeAuth(home);
    const { OPENCODE } = fixtures.opencode;
    const accountId = OPENCODE.openaiAccountId;
    await writeBackAndRescan(
      opencodeAdapter,
      home,
      {
        accessToken: fakeJwt({
          exp: NEW_EXP_S,
          'https://api.openai.com/auth': { chatgpt_account_id: accountId },
        }),
        refreshToken: 'test-PLACEHOLDER-opencode-openai-refresh-rotated-0',
        expiresAtMs: NEW_EXP_MS,
      },
      (c) => c.kind === 'oauth' && c.provider === 'openai',
    );
    await writeBackAndRescan(
      opencodeAdapter,
      home,
      {
        accessToken: 'sk-ant-oat01-test-PLACEHOLDER-opencode-access-rotated0',
        refreshToken: 'sk-ant-ort01-test-PLACEHOLDER-opencode-refresh-rotated',
        expiresAtMs: NEW_EXP_MS,
      },
      (c) => c.kind === 'oauth' && c.provider === 'anthropic',
    );
    const run = await runRealCli(clis.bin.opencode, ['auth', 'list', '--pure'], { home: home.path });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    // opencode drops entries its schema rejects, so each written entry must still be listed as oauth.
    expect(stripVTControlCharacters(run.stdout)).toMatch(/Anthropic\s+oauth/);
    expect(stripVTControlCharacters(run.stdout)).toMatch(/OpenAI\s+oauth/);
    expect(run.stdout).toContain('5 credentials');
  });

  it('opencode control: `opencode auth list` drops an entry its schema rejects (the check is not vacuous)', async ({
    onTestFinished,
  }) => {
    const home = await newHome(onTestFinished);
    const content = fixtures.opencode.opencodeAuthContent();
    content.openai = { ...(content.openai as Record<string, unknown>), expires: 'soon' };
    await fixtures.opencode.writeOpencodeAuth(home, content);
    const run = await runRealCli(clis.bin.opencode, ['auth', 'list', '--pure'], { home: home.path });
    expect(stripVTControlCharacters(run.stdout)).not.toMatch(/OpenAI\s+oauth/);
    expect(stripVTControlCharacters(run.stdout)).toMatch(/Anthropic\s+oauth/);
  });

  it.skipIf(!tmux)(
    'Gemini CLI (no offline status command): its TUI starts with the written Google login and sends the written access token',
    async ({ onTestFinished }) => {
      const home = await newHome(onTestFinished);
      await fixtures.gemini.writeOauthCreds(home);
      await home.writeJson('.gemini/settings.json', {
        security: { auth: { selectedType: 'oauth-personal' }, folderTrust: { enabled: false } },
      });
      const access = 'ya29.test-PLACEHOLDER-gemini-access-rotated-by-ctd';
      await writeBackAndRescan(geminiCliAdapter, home, {
        accessToken: access,
        idToken: fixtures.gemini.geminiIdToken({ exp: NEW_EXP_S }),
        expiresAtMs: NEW_EXP_MS,
      });
      const s = await startStandIn(
        ['oauth2.googleapis.com', 'www.googleapis.com', 'cloudcode-pa.googleapis.com', 'play.googleapis.com'],
        (req) => {
          // google-auth-library checks a cached token with the token-info endpoint before use.
          if (req.host === 'oauth2.googleapis.com' && req.url.startsWith('/tokeninfo'))
            return {
              status: 200,
              json: {
                azp: GEMINI_CLIENT_ID,
                aud: GEMINI_CLIENT_ID,
                sub: fixtures.gemini.GEMINI.sub,
                scope:
                  'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email openid',
                exp: String(NEW_EXP_S),
                expires_in: '3599',
                email: fixtures.gemini.GEMINI.email,
              },
            };
          // An account already on the free tier: no onboarding, so the CLI keeps the login.
          if (req.url.includes(':loadCodeAssist'))
            return {
              status: 200,
              json: {
                currentTier: { id: 'free-tier' },
                allowedTiers: [{ id: 'free-tier', isDefault: true }],
                cloudaicompanionProject: 'test-project-PLACEHOLDER',
              },
            };
          return { status: 200, json: {} };
        },
      );
      await home.mkdir('work');
      const tui = await startTmux(clis.bin.gemini, [], home.path, s.env, home.resolve('work'));
      try {
        await tui.waitFor('Type your message', 30_000);
      } finally {
        await tui.close();
        await s.close();
      }
      // The token check and the Code Assist set-up both carry the token the CLI read from the store.
      const carries = (q: (typeof s.requests)[number], token: string) =>
        q.headers.authorization === `Bearer ${token}` || q.url.includes(token) || q.body.includes(token);
      const tokenInfo = s.requests.filter((q) => q.url.startsWith('/tokeninfo'));
      const setUp = s.requests.filter((q) => q.url.includes(':loadCodeAssist'));
      expect(tokenInfo.length).toBeGreaterThan(0);
      expect(setUp.length).toBeGreaterThan(0);
      for (const q of [...tokenInfo, ...setUp]) expect(carries(q, access)).toBe(true);
      expect(s.requests.filter((q) => carries(q, fixtures.gemini.GEMINI.accessToken))).toEqual([]);
      // The token was valid as written: no refresh was spent.
      expect(
        s.requests.filter((q) => q.host === 'oauth2.googleapis.com' && q.url.split('?')[0] === '/token'),
      ).toEqual([]);
    },
    60_000,
  );
});
