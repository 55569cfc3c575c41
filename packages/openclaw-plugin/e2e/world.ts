// The world the gateway's plugin finds: a home with logins of several CLIs (one of them holding
// a canary secret) and fake providers that answer the plugin's checks. Shared by the e2e suite
// and the readyz bench.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  type FakeProvider,
  fixtures,
  startFakeAnthropic,
  startFakeChatGpt,
  startFakeDashScope,
  startFakeDeepSeek,
  startFakeGemini,
  startFakeGoogleOAuth,
  startFakeKimi,
  startFakeMoonshot,
  startFakeOpenAI,
  startFakeOpenRouter,
  type TempHome,
} from '@ctd/test-utils';

const { codex, gemini, kimiCli, qwen, claude } = fixtures;

/** What the plugin should make of one fixture credential. */
export interface ExpectedFinding {
  readonly source: string;
  readonly provider: string;
  readonly kind: 'api_key' | 'oauth' | 'token';
  /** The import outcome of a scan that finds the gateway empty. */
  readonly import: 'imported' | 'skipped';
  /** For imports: the auth profile type OpenClaw should list. */
  readonly profileType?: 'api_key' | 'token';
  /** For skips: the reason code. */
  readonly code?: string;
}

/** The fixture home's secrets and what a scan should find there. */
export interface E2eHome {
  /** A secret that must never appear in any output or log: an OpenAI key stored by Codex. */
  readonly canary: string;
  /** Every secret planted in the home (for scripting the fakes and for leak checks). */
  readonly secrets: readonly string[];
  readonly expected: readonly ExpectedFinding[];
}

/** A year from now, so fixture tokens are unexpired whatever the date of the run. */
const FUTURE_S = Math.floor(Date.now() / 1000) + 365 * 86_400;

/**
 * Lays out logins of Codex (a ChatGPT login that also holds the canary API key), Gemini CLI (a
 * Google login and a `.env` key), Kimi CLI (a Kimi Code login), Qwen Code (a portal login and a
 * Model Studio key) and Claude Code (a subscription login) in `home`.
 */
export async function writeE2eHome(home: TempHome): Promise<E2eHome> {
  const canary = `sk-test-CANARY-${randomBytes(16).toString('hex')}`;
  const codexAccess = codex.codexAccessToken(FUTURE_S);
  // Codex keeps an OPENAI_API_KEY next to a ChatGPT login when the user also set a key.
  const authFile = await codex.writeCodexChatGpt(home, '.codex', codexAccess);
  await home.writeJson('.codex/auth.json', {
    ...(JSON.parse(await readFile(authFile, 'utf8')) as object),
    OPENAI_API_KEY: canary,
  });
  await gemini.writeOauthCreds(home, { expiryDate: FUTURE_S * 1000 });
  await gemini.writeGoogleAccounts(home, gemini.GEMINI.email);
  await gemini.writeSettings(home, 'oauth-personal');
  await gemini.writeGeminiDotEnv(home);
  await kimiCli.writeKimiCliCredentials(home, '.kimi', kimiCli.KIMI_CLI.accessToken, FUTURE_S + 0.5);
  await kimiCli.writeKimiCliLoginConfig(home);
  await qwen.writeQwenOAuth(home);
  await qwen.writeQwenSettingsApiKey(home);
  await claude.writeClaudeCredentials(home);
  await claude.writeClaudeJson(home);
  return {
    canary,
    secrets: [
      canary,
      codexAccess,
      gemini.GEMINI.accessToken,
      gemini.GEMINI.dotEnvApiKey,
      kimiCli.KIMI_CLI.accessToken,
      qwen.QWEN.accessToken,
      qwen.QWEN.apiKey,
      claude.CLAUDE.accessToken,
    ],
    expected: [
      { source: 'codex-cli', provider: 'openai', kind: 'oauth', import: 'imported', profileType: 'token' },
      {
        source: 'codex-cli',
        provider: 'openai',
        kind: 'api_key',
        import: 'imported',
        profileType: 'api_key',
      },
      {
        source: 'gemini-cli',
        provider: 'google',
        kind: 'api_key',
        import: 'imported',
        profileType: 'api_key',
      },
      {
        source: 'gemini-cli',
        provider: 'google-gemini-cli',
        kind: 'oauth',
        import: 'skipped',
        code: 'no-provider',
      },
      {
        source: 'kimi-cli',
        provider: 'kimi',
        kind: 'oauth',
        import: 'skipped',
        code: 'provider-not-installed',
      },
      { source: 'qwen-cli', provider: 'qwen-portal', kind: 'oauth', import: 'skipped', code: 'no-provider' },
      {
        source: 'qwen-cli',
        provider: 'qwen',
        kind: 'api_key',
        import: 'skipped',
        code: 'provider-not-installed',
      },
      {
        source: 'claude-code',
        provider: 'anthropic',
        kind: 'oauth',
        import: 'skipped',
        code: 'reused-by-host',
      },
    ],
  };
}

/** The fake providers and the `CTD_*_BASE_URL` variables that point the plugin's checks at them. */
export interface E2eFakes {
  readonly env: Record<string, string>;
  readonly openai: FakeProvider;
  readonly chatgpt: FakeProvider;
  readonly gemini: FakeProvider;
  /** Every fake, e.g. to ask which tokens each one saw. */
  readonly all: readonly FakeProvider[];
  /** Makes every fake answer `valid` for these secrets too. */
  allow(secrets: readonly string[]): void;
  close(): Promise<void>;
}

/**
 * Starts a fake of every provider the plugin checks, each answering `valid` for the given
 * secrets, and returns the variables that point every check at a fake (nothing leaves loopback).
 */
export async function startE2eFakes(validSecrets: readonly string[]): Promise<E2eFakes> {
  const keys = Object.fromEntries(validSecrets.map((s) => [s, 'valid' as const]));
  const openai = await startFakeOpenAI({ keys });
  const chatgpt = await startFakeChatGpt({ keys });
  const geminiFake = await startFakeGemini({ keys });
  const google = await startFakeGoogleOAuth({ keys });
  const dashscope = await startFakeDashScope({ keys });
  const kimi = await startFakeKimi({ keys });
  const moonshot = await startFakeMoonshot({ keys });
  const moonshotCn = await startFakeMoonshot({ keys });
  const anthropic = await startFakeAnthropic({ keys });
  const openrouter = await startFakeOpenRouter({ keys });
  const deepseek = await startFakeDeepSeek({ keys });
  const all = [
    openai,
    chatgpt,
    geminiFake,
    google,
    dashscope,
    kimi,
    moonshot,
    moonshotCn,
    anthropic,
    openrouter,
    deepseek,
  ];
  return {
    env: {
      CTD_OPENAI_BASE_URL: openai.baseUrl,
      CTD_CHATGPT_BASE_URL: chatgpt.baseUrl,
      CTD_GOOGLE_BASE_URL: geminiFake.baseUrl,
      CTD_GOOGLE_GEMINI_CLI_BASE_URL: google.origin,
      CTD_QWEN_BASE_URL: dashscope.baseUrl,
      CTD_QWEN_INTL_BASE_URL: dashscope.baseUrl,
      CTD_QWEN_CODING_BASE_URL: dashscope.codingUrl,
      CTD_QWEN_CODING_INTL_BASE_URL: dashscope.codingUrl,
      CTD_QWEN_PORTAL_BASE_URL: dashscope.codingUrl,
      CTD_KIMI_BASE_URL: kimi.baseUrl,
      CTD_MOONSHOT_BASE_URL: moonshot.baseUrl,
      CTD_MOONSHOT_CN_BASE_URL: moonshotCn.baseUrl,
      CTD_ANTHROPIC_BASE_URL: anthropic.origin,
      CTD_OPENROUTER_BASE_URL: openrouter.baseUrl,
      CTD_DEEPSEEK_BASE_URL: deepseek.origin,
    },
    openai,
    chatgpt,
    gemini: geminiFake,
    all,
    allow(secrets) {
      for (const f of all) for (const s of secrets) f.script(s, 'valid');
    },
    async close() {
      await Promise.all(all.map((f) => f.close()));
    },
  };
}
