import type { CredentialInfo, ValidationResult } from '@ctd/core';
import { makeCredential } from '@ctd/scanners';
import { describe, expect, it } from 'vitest';
import { parseServiceConfig, type ServiceConfig } from './config.ts';
import { planImport } from './import-plan.ts';

const config = (input: unknown = {}): ServiceConfig => {
  const r = parseServiceConfig(input);
  if (!r.ok) throw new Error(r.issues.join('; '));
  return r.value;
};
const valid = (c: CredentialInfo): ValidationResult => ({
  credentialId: c.id,
  status: 'valid',
  reason: 'ok',
  checkedAt: new Date().toISOString(),
  latencyMs: 1,
});
const allHost = {
  availableProviders: new Set(['openai', 'google', 'anthropic', 'kimi', 'moonshot', 'qwen']),
};
const future = Date.now() + 3_600_000;

const apiKeyDraft = {
  source: 'codex-cli' as const,
  provider: 'openai',
  kind: 'api_key' as const,
  label: 'OpenAI API key',
  secret: 'sk-test-PLACEHOLDER-0000000000000000',
  origin: { type: 'file' as const, path: '/h/.codex/auth.json', field: 'OPENAI_API_KEY' },
};
const apiKey = makeCredential(apiKeyDraft);
const chatgptDraft = {
  source: 'codex-cli' as const,
  provider: 'openai',
  kind: 'oauth' as const,
  label: 'ChatGPT login',
  secret: 'eyJ-test-access',
  refreshToken: 'rt_test_PLACEHOLDER',
  expiresAt: future,
  account: { accountId: 'acct-1', email: 'u@example.com' },
  origin: { type: 'file' as const, path: '/h/.codex/auth.json', field: 'tokens.access_token' },
};
const chatgpt = makeCredential(chatgptDraft);

describe('planImport', () => {
  it('imports a valid API key as an api_key profile whose id names its source', () => {
    const plan = planImport(apiKey, valid(apiKey), config(), allHost);
    expect(plan).toMatchObject({ action: 'import', provider: 'openai', mode: 'api_key' });
    expect(plan.action === 'import' && plan.profileId).toMatch(/^openai:ctd-codex-cli-key-[0-9a-f]{12}$/);
  });

  it('imports a CLI login as a token profile with its expiry and no refresh token', () => {
    const plan = planImport(chatgpt, valid(chatgpt), config(), allHost);
    expect(plan).toMatchObject({
      action: 'import',
      mode: 'token',
      expiresAtMs: future,
      email: 'u@example.com',
    });
    expect(JSON.stringify(plan)).not.toContain('rt_test_PLACEHOLDER');
  });

  it('gives the same profile id after a token refresh (idempotent import)', () => {
    const refreshed = makeCredential({
      source: 'codex-cli',
      provider: 'openai',
      kind: 'oauth',
      label: 'ChatGPT login',
      secret: 'eyJ-test-access-2',
      refreshToken: 'rt_test_PLACEHOLDER_2',
      expiresAt: future + 1000,
      account: { accountId: 'acct-1' },
      origin: { type: 'file', path: '/h/.codex/auth.json', field: 'tokens.access_token' },
    });
    const a = planImport(chatgpt, valid(chatgpt), config(), allHost);
    const b = planImport(refreshed, valid(refreshed), config(), allHost);
    expect(a.action === 'import' && b.action === 'import' && a.profileId === b.profileId).toBe(true);
  });

  it('skips what is not valid, with the provider’s verdict', () => {
    const plan = planImport(
      apiKey,
      { ...valid(apiKey), status: 'invalid', reason: 'invalid_api_key' },
      config(),
      allHost,
    );
    expect(plan).toMatchObject({ action: 'skip', code: 'not-valid' });
    expect(plan.action === 'skip' && plan.reason).toContain('invalid_api_key');
    expect(planImport(apiKey, undefined, config(), allHost)).toMatchObject({
      action: 'skip',
      code: 'not-valid',
    });
    expect(planImport(apiKey, undefined, config({ validateTokens: false }), allHost)).toMatchObject({
      action: 'import',
    });
  });

  it('skips logins the gateway has no provider for, and says what to do', () => {
    for (const provider of ['google-gemini-cli', 'qwen-portal']) {
      const c = makeCredential({
        ...chatgptDraft,
        source: 'gemini-cli',
        provider,
        secret: 'ya29.test',
        refreshToken: 'x',
      });
      const plan = planImport(c, valid(c), config(), allHost);
      expect(plan).toMatchObject({ action: 'skip', code: 'no-provider' });
      expect(plan.action === 'skip' && plan.whatToDo).toContain('import-manual');
    }
  });

  it('skips a provider whose OpenClaw plugin is not installed', () => {
    const c = makeCredential({
      ...apiKeyDraft,
      source: 'kimi-cli',
      provider: 'kimi',
      secret: 'sk-test-kimi',
    });
    const plan = planImport(c, valid(c), config(), { availableProviders: new Set(['openai']) });
    expect(plan).toMatchObject({ action: 'skip', code: 'provider-not-installed' });
  });

  it('needs the per-source opt-in where the provider policy asks for one', () => {
    const c = makeCredential({
      ...chatgptDraft,
      source: 'opencode',
      provider: 'anthropic',
      secret: 'sk-ant-oat01-test',
    });
    expect(planImport(c, valid(c), config(), allHost)).toMatchObject({
      action: 'skip',
      code: 'needs-opt-in',
    });
    expect(
      planImport(c, valid(c), config({ cliSources: { opencode: { importLogins: true } } }), allHost),
    ).toMatchObject({
      action: 'import',
      mode: 'token',
    });
  });

  it('does not import logins OpenClaw reuses itself (Claude CLI; a Codex account it already holds)', () => {
    const claude = makeCredential({
      ...chatgptDraft,
      source: 'claude-code',
      provider: 'anthropic',
      secret: 'sk-ant-oat01-test',
    });
    const optedIn = config({ cliSources: { claude: { importLogins: true } } });
    expect(planImport(claude, valid(claude), optedIn, allHost)).toMatchObject({
      action: 'skip',
      code: 'reused-by-host',
    });
    const host = { ...allHost, reusedAccounts: new Set(['openai:acct-1']) };
    expect(planImport(chatgpt, valid(chatgpt), config(), host)).toMatchObject({
      action: 'skip',
      code: 'reused-by-host',
    });
  });

  it('respects a disabled source', () => {
    expect(
      planImport(apiKey, valid(apiKey), config({ cliSources: { codex: { enabled: false } } }), allHost),
    ).toMatchObject({
      action: 'skip',
      code: 'source-disabled',
    });
  });
});
