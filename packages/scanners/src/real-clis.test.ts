// The stores the real CLIs write, checked end to end: each CLI (installed from the npm registry at
// the pinned versions of scripts/real-clis-install.mjs) writes its own login into a temp home,
// offline (logins that call a server are completed against loopback HTTPS stand-ins), and scan()
// must find exactly that login (source, provider, kind, account) and serialize no secret.
import { readFile } from 'node:fs/promises';
import { sha256Hex } from '@ctd/core/node';
import { createTempHome, fakeJwt, type TempHome } from '@ctd/test-utils';
import {
  ensureRealClis,
  hasSecretService,
  hasTmux,
  type RealClis,
  runRealCli,
  startSecretService,
  startStandIn,
  startTmux,
} from '@ctd/test-utils/real-clis';
import { describe, expect, it, type TestContext } from 'vitest';
import { scan, toScanReport } from './scan.ts';

const outcome = await ensureRealClis();
const clis = outcome.ok ? outcome.clis : (undefined as unknown as RealClis);
const skipReason = outcome.ok ? '' : ` (skipped: ${outcome.reason})`;
const tmux = await hasTmux();
const secretService = await hasSecretService();
/** How long opencode may take to show its first prompt (it starts in 5-8 s alone, slower beside other CLIs). */
const OPENCODE_START_MS = 45_000;

/**
 * A temp home for one test, removed when it ends. The tests run concurrently, so the hook must be
 * the test's own (from its context): the module-level one may attach to another running test.
 */
async function newHome(onFinished: TestContext['onTestFinished']): Promise<TempHome> {
  const home = await createTempHome('ctd-real-cli-');
  onFinished(() => home.cleanup());
  return home;
}

interface Expected {
  source: string;
  provider: string;
  kind: 'api_key' | 'oauth' | 'token';
  secret: string;
  account?: Record<string, string>;
}

/** The content of a file another process writes, once it is there and not empty. */
async function waitForFile(path: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (text.trim()) return text.trim();
    if (Date.now() > deadline) throw new Error(`${path} was not written within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Scans the home and checks that exactly `expected` was found, and that no secret serializes. */
async function expectExactly(
  home: TempHome,
  expected: Expected[],
  env: Record<string, string> = {},
  options: { scanKeychains?: boolean; platform?: NodeJS.Platform } = {},
) {
  const r = await scan({ env: { HOME: home.path, ...env }, ...options });
  expect(r.issues.filter((i) => i.severity === 'error')).toEqual([]);
  const found = r.credentials.map((c) => ({
    source: c.source,
    provider: c.provider,
    kind: c.kind,
    hash: c.hash,
    ...(Object.keys(c.account).length ? { account: c.account } : {}),
  }));
  const want = expected.map((e) => ({
    source: e.source,
    provider: e.provider,
    kind: e.kind,
    hash: sha256Hex(e.secret),
    ...(e.account ? { account: e.account } : {}),
  }));
  expect(found).toEqual(want);
  const json = JSON.stringify(toScanReport(r, true));
  for (const e of expected) expect(json).not.toContain(e.secret);
  for (const c of r.credentials) {
    expect(json).not.toContain(c.secret.reveal());
    if (c.refreshSecret) expect(json).not.toContain(c.refreshSecret.reveal());
  }
  return r;
}

// Concurrent: most of the time goes to the CLIs' start-up, so running them side by side keeps
// the file well under a minute (about 40 s on a busy 2-core machine; a minute and more in series).
// Side by side, a CLI that starts in 4 s alone can take six times as long, close to the root
// config's 30 s default (vitest's own, when the file runs from its package, is 5 s): every case
// gets at least 45 s, and the slower ones set their own.
const suite = outcome.ok ? describe.concurrent : describe.skip;
suite(`real CLIs write, scan() finds${skipReason}`, { timeout: 45_000 }, () => {
  it('Codex: `codex login --with-api-key` (auth.json with auth_mode apikey)', async ({ onTestFinished }) => {
    const home = await newHome(onTestFinished);
    const key = 'sk-proj-test-PLACEHOLDER-real-codex-000000000000';
    const run = await runRealCli(clis.bin.codex, ['login', '--with-api-key'], {
      home: home.path,
      input: `${key}\n`,
    });
    expect(run.code, run.stderr).toBe(0);
    await expectExactly(home, [{ source: 'codex-cli', provider: 'openai', kind: 'api_key', secret: key }]);
  });

  it('Codex: `codex login --with-access-token` (personal_access_token, no auth_mode)', async ({
    onTestFinished,
  }) => {
    const home = await newHome(onTestFinished);
    const token = 'at-test-PLACEHOLDER-real-codex-access-token-0000';
    const s = await startStandIn(['auth.openai.com'], (req) =>
      req.url.endsWith('/user-auth-credential/whoami')
        ? {
            status: 200,
            json: {
              email: 'pat-user@example.com',
              chatgpt_user_id: 'user-PLACEHOLDER',
              chatgpt_account_id: 'acct-PLACEHOLDER',
              chatgpt_plan_type: 'enterprise',
              chatgpt_account_is_fedramp: false,
            },
          }
        : undefined,
    );
    try {
      const run = await runRealCli(clis.bin.codex, ['login', '--with-access-token'], {
        home: home.path,
        input: `${token}\n`,
        env: s.env,
      });
      expect(run.code, run.stderr).toBe(0);
      expect(s.requests.map((q) => `${q.host} ${q.url}`)).toEqual([
        'auth.openai.com /api/accounts/v1/user-auth-credential/whoami',
      ]);
    } finally {
      await s.close();
    }
    await expectExactly(home, [{ source: 'codex-cli', provider: 'openai', kind: 'token', secret: token }]);
  });

  it('Codex: `codex login --device-auth` (a ChatGPT login, completed against a loopback auth.openai.com)', async ({
    onTestFinished,
  }) => {
    const home = await newHome(onTestFinished);
    const accountId = 'acct-PLACEHOLDER-device';
    const idToken = fakeJwt({
      email: 'device-user@example.com',
      'https://api.openai.com/auth': {
        chatgpt_plan_type: 'plus',
        chatgpt_account_id: accountId,
        chatgpt_user_id: 'user-PLACEHOLDER',
      },
      exp: 4_000_000_000,
    });
    const accessToken = fakeJwt({
      exp: 4_000_000_000,
      'https://api.openai.com/auth': { chatgpt_account_id: accountId },
    });
    const s = await startStandIn(['auth.openai.com'], (req) => {
      if (req.url.endsWith('/deviceauth/usercode'))
        return {
          status: 200,
          json: { device_auth_id: 'dev-PLACEHOLDER', user_code: 'ABCD-EFGH', interval: '1' },
        };
      if (req.url.endsWith('/deviceauth/token'))
        return {
          status: 200,
          json: {
            authorization_code: 'code-PLACEHOLDER',
            code_challenge: 'challenge-PLACEHOLDER',
            code_verifier: 'verifier-PLACEHOLDER',
          },
        };
      if (req.url.startsWith('/oauth/token'))
        return {
          status: 200,
          json: {
            id_token: idToken,
            access_token: accessToken,
            refresh_token: 'rt_test_PLACEHOLDER_device',
            expires_in: 3600,
          },
        };
      return undefined;
    });
    try {
      const run = await runRealCli(clis.bin.codex, ['login', '--device-auth'], {
        home: home.path,
        env: s.env,
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
    } finally {
      await s.close();
    }
    await expectExactly(home, [
      {
        source: 'codex-cli',
        provider: 'openai',
        kind: 'oauth',
        secret: accessToken,
        account: { email: 'device-user@example.com', plan: 'plus', accountId, userId: 'user-PLACEHOLDER' },
      },
    ]);
  });

  it.skipIf(!tmux)(
    'Gemini CLI: an API key typed into its TUI (encrypted gemini-credentials.json, no keychain headless)',
    async ({ onTestFinished }) => {
      const home = await newHome(onTestFinished);
      const key = 'AIzaSyTEST-PLACEHOLDER-real-gemini-000000000';
      // The auth type chosen and folder trust off, so the TUI goes straight to the key prompt.
      await home.writeJson('.gemini/settings.json', {
        security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } },
      });
      await home.mkdir('work');
      const tui = await startTmux(clis.bin.gemini, [], home.path, {}, home.resolve('work'));
      try {
        await tui.waitFor('Enter Gemini API Key', 30_000);
        await tui.submit(key);
        await tui.waitFor('Type your message');
      } finally {
        await tui.close();
      }
      await expectExactly(home, [{ source: 'gemini-cli', provider: 'google', kind: 'api_key', secret: key }]);
    },
    60_000,
  );

  for (const plan of [
    { name: 'Coding Plan', keys: [], key: 'sk-sp-test-PLACEHOLDER-real-qwen-coding-0000', provider: 'qwen' },
    {
      name: 'Token Plan',
      keys: ['Down'],
      key: 'sk-test-PLACEHOLDER-real-qwen-token-plan-000',
      provider: 'qwen-token-plan',
    },
  ]) {
    it.skipIf(!tmux)(
      `Qwen Code: /auth → Alibaba ModelStudio → ${plan.name} (settings.json env and providerMetadata)`,
      async ({ onTestFinished }) => {
        const home = await newHome(onTestFinished);
        await home.mkdir('work');
        const tui = await startTmux(clis.bin.qwen, [], home.path, {}, home.resolve('work'));
        try {
          await tui.waitFor('Connect a Provider', 30_000);
          await tui.keys('Enter');
          await tui.waitFor('Access Method');
          if (plan.keys.length) {
            await tui.keys(...plan.keys);
            await tui.waitFor(`› ${plan.name}`);
          }
          await tui.keys('Enter');
          await tui.waitFor('Step 1/3');
          await tui.keys('Enter');
          await tui.waitFor('Step 2/3');
          await tui.submit(plan.key, undefined, 'Space to toggle');
          await tui.keys('Enter');
          await tui.waitFor('Successfully configured');
        } finally {
          await tui.close();
        }
        await expectExactly(home, [
          { source: 'qwen-cli', provider: plan.provider, kind: 'api_key', secret: plan.key },
        ]);
      },
      60_000,
    );
  }

  // Alone its login takes 4 s; beside the other CLIs it took 21-25 s in clean-clone CI runs.
  it('GitHub Copilot CLI: `copilot login --with-token` (config.json, storeTokenPlaintext)', async ({
    onTestFinished,
  }) => {
    const home = await newHome(onTestFinished);
    const token = 'gho_test_PLACEHOLDER_real_copilot_000000000000';
    // Headless, the CLI keeps a token in plaintext only when its settings allow it.
    await home.writeJson('.copilot/settings.json', { storeTokenPlaintext: true });
    const s = await startStandIn(['api.github.com'], (req) =>
      req.url.startsWith('/copilot_internal/user')
        ? { status: 200, json: { login: 'octocat', copilot_plan: 'individual', chat_enabled: true } }
        : req.url.startsWith('/copilot_internal/')
          ? { status: 200, json: {} }
          : undefined,
    );
    try {
      const run = await runRealCli(clis.bin.copilot, ['login', '--with-token'], {
        home: home.path,
        input: `${token}\n`,
        env: s.env,
        timeoutMs: 60_000,
      });
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect(s.requests[0]?.url).toBe('/copilot_internal/user');
    } finally {
      await s.close();
    }
    await expectExactly(home, [
      {
        source: 'github-copilot-cli',
        provider: 'github-copilot',
        kind: 'token',
        secret: token,
        account: { userId: 'octocat' },
      },
    ]);
  }, 90_000);

  it.skipIf(!tmux)(
    'opencode: `opencode auth login -p anthropic` (an API key, typed into its TUI)',
    async ({ onTestFinished }) => {
      const home = await newHome(onTestFinished);
      const key = 'sk-ant-api03-test-PLACEHOLDER-real-opencode-0000';
      const tui = await startTmux(
        clis.bin.opencode,
        ['auth', 'login', '-p', 'anthropic', '--pure'],
        home.path,
      );
      try {
        await tui.waitFor('Enter your API key', OPENCODE_START_MS);
        // opencode masks the key: one ▪ per character.
        await tui.submit(key, '▪'.repeat(key.length));
        await tui.waitFor('Done');
      } finally {
        await tui.close();
      }
      await expectExactly(home, [
        { source: 'opencode', provider: 'anthropic', kind: 'api_key', secret: key },
      ]);
    },
    90_000,
  );

  it.skipIf(!tmux)(
    'opencode: `opencode auth login -p github-copilot` (a device login, completed against a loopback github.com)',
    async ({ onTestFinished }) => {
      const home = await newHome(onTestFinished);
      const token = 'gho_test_PLACEHOLDER_real_opencode_copilot_00';
      const s = await startStandIn(['github.com', 'api.github.com'], (req) => {
        if (req.url.startsWith('/login/device/code'))
          return {
            status: 200,
            json: {
              device_code: 'dev-PLACEHOLDER',
              user_code: 'ABCD-1234',
              verification_uri: 'https://github.com/login/device',
              expires_in: 900,
              interval: 1,
            },
          };
        if (req.url.startsWith('/login/oauth/access_token'))
          return { status: 200, json: { access_token: token, token_type: 'bearer', scope: 'read:user' } };
        return undefined;
      });
      const tui = await startTmux(
        clis.bin.opencode,
        ['auth', 'login', '-p', 'github-copilot'],
        home.path,
        s.env,
      );
      try {
        await tui.waitFor('Select GitHub deployment type', OPENCODE_START_MS);
        await tui.keys('Enter');
        await tui.waitFor('Done', 30_000);
      } finally {
        await tui.close();
        await s.close();
      }
      await expectExactly(home, [
        { source: 'opencode', provider: 'github-copilot', kind: 'oauth', secret: token },
      ]);
    },
    90_000,
  );

  for (const mode of ['claudeai', 'console'] as const) {
    it.skipIf(!tmux)(
      `Claude Code: \`claude auth login --${mode}\` (browser login completed on its localhost callback, against a loopback Anthropic)`,
      async ({ onTestFinished }) => {
        const home = await newHome(onTestFinished);
        const access = 'sk-ant-oat01-test-PLACEHOLDER-real-claude-access-000';
        const consoleKey = 'sk-ant-api03-test-PLACEHOLDER-real-claude-console-000';
        const acct = {
          uuid: '00000000-0000-4000-8000-0000000000a1',
          email_address: 'claude-real@example.com',
        };
        const org = { uuid: '00000000-0000-4000-8000-0000000000b2', name: 'Example Org' };
        const s = await startStandIn(
          ['platform.claude.com', 'api.anthropic.com', 'console.anthropic.com', 'claude.ai', 'claude.com'],
          (req) => {
            if (req.url.startsWith('/v1/oauth/token'))
              return {
                status: 200,
                json: {
                  token_type: 'Bearer',
                  access_token: access,
                  refresh_token: 'sk-ant-ort01-test-PLACEHOLDER-real-claude-refresh-00',
                  expires_in: 28_800,
                  // A console login asks for org:create_api_key, then creates the key it keeps.
                  scope:
                    mode === 'console'
                      ? 'org:create_api_key user:profile'
                      : 'user:inference user:profile user:sessions:claude_code',
                  account: acct,
                  organization: org,
                },
              };
            if (req.url.startsWith('/api/oauth/profile'))
              return { status: 200, json: { account: acct, organization: org } };
            if (req.url.startsWith('/api/oauth/claude_cli/roles'))
              return { status: 200, json: { organization_role: 'admin', organization_name: org.name } };
            if (req.url.startsWith('/api/oauth/claude_cli/create_api_key'))
              return { status: 200, json: { raw_key: consoleKey } };
            // Telemetry and start-up calls: an empty answer.
            if (req.host === 'api.anthropic.com') return { status: 200, json: {} };
            return undefined;
          },
        );
        // The CLI "opens a browser" through $BROWSER: a script that writes the URL down, which
        // the test then follows to the CLI's localhost callback with a code, as a browser would.
        const urlFile = home.resolve('browser-url');
        const browser = await home.write('browser.sh', `#!/bin/sh\necho "$1" > '${urlFile}'\n`, 0o700);
        const tui = await startTmux(clis.bin.claude, ['auth', 'login', `--${mode}`], home.path, {
          ...s.env,
          BROWSER: browser,
        });
        try {
          await tui.waitFor('Paste code here', 30_000);
          const authorize = new URL(await waitForFile(urlFile));
          const callback = new URL(authorize.searchParams.get('redirect_uri') ?? '');
          callback.searchParams.set('code', 'code-PLACEHOLDER');
          callback.searchParams.set('state', authorize.searchParams.get('state') ?? '');
          await fetch(callback, { redirect: 'manual' });
          await tui.waitFor('Login successful', 30_000);
        } finally {
          await tui.close();
          await s.close();
        }
        const account = { accountId: acct.uuid, email: acct.email_address, organization: org.uuid };
        await expectExactly(
          home,
          mode === 'console'
            ? [{ source: 'claude-code', provider: 'anthropic', kind: 'api_key', secret: consoleKey, account }]
            : [{ source: 'claude-code', provider: 'anthropic', kind: 'oauth', secret: access, account }],
        );
      },
      60_000,
    );
  }

  it.skipIf(!tmux)(
    'Gemini CLI: Google login (code pasted into its TUI, token exchange and Code Assist set-up against loopback Google)',
    async ({ onTestFinished }) => {
      const home = await newHome(onTestFinished);
      const access = 'ya29.test-PLACEHOLDER-real-gemini-access-0000';
      const s = await startStandIn(
        ['oauth2.googleapis.com', 'www.googleapis.com', 'cloudcode-pa.googleapis.com', 'play.googleapis.com'],
        (req) => {
          if (req.host === 'oauth2.googleapis.com' && req.url.startsWith('/token'))
            return {
              status: 200,
              json: {
                access_token: access,
                refresh_token: '1//test-PLACEHOLDER-real-gemini-refresh',
                expires_in: 3599,
                token_type: 'Bearer',
                scope:
                  'https://www.googleapis.com/auth/cloud-platform openid https://www.googleapis.com/auth/userinfo.email',
              },
            };
          if (req.url.startsWith('/oauth2/v2/userinfo'))
            return {
              status: 200,
              json: { id: '123', email: 'gemini-real@example.com', verified_email: true },
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
      await home.writeJson('.gemini/settings.json', {
        security: { auth: { selectedType: 'oauth-personal' }, folderTrust: { enabled: false } },
      });
      await home.mkdir('work');
      const tui = await startTmux(clis.bin.gemini, [], home.path, s.env, home.resolve('work'));
      try {
        await tui.waitFor('Enter the authorization code', 30_000);
        await tui.submit('4/code-PLACEHOLDER');
        await tui.waitFor('Type your message', 30_000);
      } finally {
        await tui.close();
        await s.close();
      }
      await expectExactly(home, [
        {
          source: 'gemini-cli',
          provider: 'google-gemini-cli',
          kind: 'oauth',
          secret: access,
          account: { email: 'gemini-real@example.com' },
        },
      ]);
    },
    60_000,
  );

  it.skipIf(!tmux || !secretService)(
    'keychains: Codex (keyring mode), Copilot and Gemini CLI store their logins in a real Secret Service; scan({ scanKeychains }) finds them',
    async ({ onTestFinished }) => {
      const home = await newHome(onTestFinished);
      const ss = await startSecretService();
      onTestFinished(() => ss.close());
      const codexKey = 'sk-proj-test-PLACEHOLDER-real-codex-keyring-00';
      const copilotToken = 'gho_test_PLACEHOLDER_real_copilot_keyring_00';
      const geminiKey = 'AIzaSyTEST-PLACEHOLDER-real-gemini-keyring-0';
      await home.write('.codex/config.toml', 'cli_auth_credentials_store = "keyring"\n');
      const codex = await runRealCli(clis.bin.codex, ['login', '--with-api-key'], {
        home: home.path,
        input: `${codexKey}\n`,
        env: ss.env,
      });
      expect(codex.code, codex.stderr).toBe(0);
      const s = await startStandIn(['api.github.com'], (req) =>
        req.url.startsWith('/copilot_internal/') ? { status: 200, json: { login: 'octocat' } } : undefined,
      );
      try {
        const copilot = await runRealCli(clis.bin.copilot, ['login', '--with-token'], {
          home: home.path,
          input: `${copilotToken}\n`,
          env: { ...s.env, ...ss.env },
          timeoutMs: 60_000,
        });
        expect(copilot.code, copilot.stdout + copilot.stderr).toBe(0);
      } finally {
        await s.close();
      }
      await home.writeJson('.gemini/settings.json', {
        security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } },
      });
      await home.mkdir('work');
      const tui = await startTmux(clis.bin.gemini, [], home.path, ss.env, home.resolve('work'));
      try {
        await tui.waitFor('Enter Gemini API Key', 30_000);
        await tui.submit(geminiKey);
        await tui.waitFor('Type your message', 30_000);
      } finally {
        await tui.close();
      }
      // Nothing in files: without the opt-in, only notes that the logins are in the keyring.
      const off = await scan({ env: { HOME: home.path, ...ss.env } });
      expect(off.credentials).toEqual([]);
      await expectExactly(
        home,
        [
          { source: 'codex-cli', provider: 'openai', kind: 'api_key', secret: codexKey },
          { source: 'gemini-cli', provider: 'google', kind: 'api_key', secret: geminiKey },
          {
            source: 'github-copilot-cli',
            provider: 'github-copilot',
            kind: 'token',
            secret: copilotToken,
            account: { userId: 'octocat' },
          },
        ],
        { ...ss.env, PATH: '/usr/local/bin:/usr/bin:/bin' },
        { scanKeychains: true, platform: 'linux' },
      );
    },
    90_000,
  );

  it.skipIf(!tmux)(
    'opencode: `opencode auth login -p openai` → ChatGPT (headless device login against a loopback auth.openai.com)',
    async ({ onTestFinished }) => {
      const home = await newHome(onTestFinished);
      const accountId = 'acct-PLACEHOLDER-opencode';
      const access = fakeJwt({
        exp: 4_000_000_000,
        'https://api.openai.com/auth': { chatgpt_account_id: accountId },
      });
      const idToken = fakeJwt({
        email: 'opencode-chatgpt@example.com',
        chatgpt_account_id: accountId,
        'https://api.openai.com/auth': { chatgpt_account_id: accountId, chatgpt_plan_type: 'plus' },
        exp: 4_000_000_000,
      });
      const s = await startStandIn(['auth.openai.com'], (req) => {
        if (req.url.endsWith('/deviceauth/usercode'))
          return {
            status: 200,
            json: { device_auth_id: 'dev-PLACEHOLDER', user_code: 'ABCD-EFGH', interval: '1' },
          };
        if (req.url.endsWith('/deviceauth/token'))
          return {
            status: 200,
            json: { authorization_code: 'code-PLACEHOLDER', code_challenge: 'c', code_verifier: 'v' },
          };
        if (req.url.startsWith('/oauth/token'))
          return {
            status: 200,
            json: {
              id_token: idToken,
              access_token: access,
              refresh_token: 'rt_test_PLACEHOLDER_opencode',
              expires_in: 3600,
            },
          };
        return undefined;
      });
      const tui = await startTmux(clis.bin.opencode, ['auth', 'login', '-p', 'openai'], home.path, s.env);
      try {
        await tui.waitFor('Login method', OPENCODE_START_MS);
        await tui.keys('Down');
        await tui.waitFor('● ChatGPT Pro/Plus (headless)');
        await tui.keys('Enter');
        await tui.waitFor('Done', 30_000);
      } finally {
        await tui.close();
        await s.close();
      }
      await expectExactly(home, [
        { source: 'opencode', provider: 'openai', kind: 'oauth', secret: access, account: { accountId } },
      ]);
    },
    90_000,
  );
});
