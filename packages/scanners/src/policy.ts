import type { CredentialKind, PolicyNote, ProviderId, RefreshMethod, SourceId } from '@ctd/core';

/** Where each provider issues API keys (seed list; shown as a re-login method). */
export const KEY_PAGES: Readonly<Record<string, string>> = {
  openai: 'https://platform.openai.com/api-keys',
  google: 'https://aistudio.google.com/app/apikey',
  'google-gemini-cli': 'https://aistudio.google.com/app/apikey',
  qwen: 'https://bailian.console.aliyun.com/?apiKey=1#/api-key',
  'qwen-portal': 'https://bailian.console.aliyun.com/?apiKey=1#/api-key',
  kimi: 'https://www.kimi.com/code/console',
  moonshot: 'https://platform.moonshot.cn/console/api-keys',
  anthropic: 'https://console.anthropic.com/settings/keys',
  openrouter: 'https://openrouter.ai/settings/keys',
  deepseek: 'https://platform.deepseek.com/api_keys',
};

/** The login command of each CLI, for the "log in again" method and the nothing-found hint. */
export const LOGIN_COMMANDS: Readonly<Record<SourceId, string | null>> = {
  'codex-cli': 'codex login',
  'gemini-cli': 'gemini  (then choose a login in /auth)',
  'qwen-cli': 'qwen  (then choose a login in /auth)',
  'kimi-cli': 'kimi login',
  'kimi-code': 'kimi login  (the Kimi Code CLI; its command is also `kimi`)',
  'claude-code': 'claude  (then /login)',
  opencode: 'opencode auth login',
  environment: null,
};

const AS_OF = '2026-09-06';

const API_KEY_POLICY: PolicyNote = {
  stance: 'allowed',
  requiresOptIn: false,
  note: 'API keys are meant to be used from any tool.',
  asOf: AS_OF,
};

/** Dated notes on using a CLI's subscription login from another tool (reference/peers.md §0). */
const LOGIN_POLICIES: Readonly<Record<string, PolicyNote>> = {
  openai: {
    stance: 'allowed',
    requiresOptIn: false,
    note: 'OpenAI supports ChatGPT/Codex subscription logins in external tools (per OpenClaw docs).',
    asOf: AS_OF,
  },
  'google-gemini-cli': {
    stance: 'forbidden',
    requiresOptIn: true,
    note: "Google's terms forbid using Gemini CLI's OAuth login from other tools; accounts were banned for it in 2026. Use a Gemini API key instead.",
    asOf: AS_OF,
  },
  'qwen-portal': {
    stance: 'warn',
    requiresOptIn: true,
    note: 'The Qwen OAuth free tier was discontinued on 2026-04-15; cached tokens are expected to be rejected. Use a Model Studio or Coding Plan key.',
    asOf: AS_OF,
  },
  anthropic: {
    stance: 'warn',
    requiresOptIn: true,
    note: 'Anthropic blocked consumer OAuth tokens in third-party tools from January to April 2026 and has since said reuse is allowed again: the rule is in flux.',
    asOf: AS_OF,
  },
  kimi: {
    stance: 'warn',
    requiresOptIn: false,
    note: 'Kimi For Coding serves coding agents only; Moonshot publishes no rule on other tools using the login.',
    asOf: AS_OF,
  },
  'github-copilot': {
    stance: 'warn',
    requiresOptIn: true,
    note: 'GitHub Copilot tokens are meant for Copilot clients; use by other tools may breach its terms.',
    asOf: AS_OF,
  },
};

const UNKNOWN_LOGIN_POLICY: PolicyNote = {
  stance: 'warn',
  requiresOptIn: true,
  note: 'No known policy for using this login from other tools; import only if you have checked.',
  asOf: AS_OF,
};

/**
 * The dated policy note for a credential: API keys are fine everywhere; subscription logins
 * depend on the provider.
 *
 * @param provider - the credential's provider
 * @param kind - the credential's kind
 */
export function policyFor(provider: ProviderId, kind: CredentialKind): PolicyNote {
  if (kind === 'api_key') return API_KEY_POLICY;
  return LOGIN_POLICIES[provider] ?? UNKNOWN_LOGIN_POLICY;
}

/**
 * The ways to renew or replace a credential of this source, provider and kind, best first.
 *
 * @param source - where it was found
 * @param provider - its provider
 * @param kind - its kind
 * @param hasRefreshToken - whether the store holds a refresh token
 */
export function refreshMethodsFor(
  source: SourceId,
  provider: ProviderId,
  kind: CredentialKind,
  hasRefreshToken: boolean,
): RefreshMethod[] {
  const methods: RefreshMethod[] = [];
  if (kind === 'oauth' && hasRefreshToken && provider !== 'qwen-portal') {
    methods.push({
      type: 'oauth-refresh',
      description:
        "Refresh the access token with the stored refresh token, under the CLI's lock, writing back to its store.",
    });
  }
  const login = LOGIN_COMMANDS[source];
  if (kind !== 'api_key' && login) {
    methods.push({ type: 'cli-login', description: 'Log in again with the CLI.', command: login });
  }
  const keyPage = KEY_PAGES[provider];
  if (keyPage)
    methods.push({
      type: 'key-page',
      description: 'Create a new API key on the provider’s page.',
      url: keyPage,
    });
  methods.push({ type: 'paste-key', description: 'Paste an API key to import it by hand.' });
  return methods;
}
