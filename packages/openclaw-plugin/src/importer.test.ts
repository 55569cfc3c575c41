import type { ImportAction } from '@ctd/service';
import { describe, expect, it } from 'vitest';
import type { HostConfig } from './host-types.ts';
import { type OpenClawHost, OpenClawImporter } from './importer.ts';

/** An in-memory stand-in for OpenClaw's SDK surface (the real one is exercised by the e2e suite). */
function memoryHost(owners: Record<string, string[]> = { openai: ['openai'], google: ['google'] }) {
  const profiles: Record<string, Record<string, unknown>> = {};
  let config: HostConfig = { plugins: { entries: {} } };
  const counts = { upserts: 0, configWrites: 0 };
  const host: OpenClawHost = {
    providerAuth: async () => ({
      ensureAuthProfileStore: () => ({ profiles: structuredClone(profiles) }),
      upsertAuthProfileWithLock: async ({ profileId, credential }) => {
        counts.upserts++;
        profiles[profileId] = credential;
        return { profiles };
      },
      applyAuthProfileConfig: (cfg, p) => ({
        ...cfg,
        auth: {
          ...cfg.auth,
          profiles: { ...cfg.auth?.profiles, [p.profileId]: { provider: p.provider, mode: p.mode } },
        },
      }),
    }),
    catalog: async () => ({ resolveOwningPluginIdsForProvider: ({ provider }) => owners[provider] ?? null }),
    config: {
      current: () => config,
      async mutateConfigFile({ mutate }) {
        counts.configWrites++;
        const draft = structuredClone(config);
        mutate(draft);
        config = draft;
        return {};
      },
    },
    fallbackConfig: {},
  };
  return { host, profiles, counts, getConfig: () => config, setConfig: (c: HostConfig) => (config = c) };
}

const tokenAction: ImportAction = {
  action: 'import',
  credentialId: 'codex-cli:openai:acct-1',
  profileId: 'openai:ctd-codex-cli-acct-1',
  provider: 'openai',
  mode: 'token',
  expiresAtMs: 1_900_000_000_000,
  email: 'u@example.com',
  displayName: 'ChatGPT login from codex-cli (cli-token-discovery)',
};

describe('OpenClawImporter', () => {
  it('writes a CLI login as a token profile (no refresh token) plus its config entry, once', async () => {
    const m = memoryHost();
    const importer = new OpenClawImporter(m.host);
    expect(await importer.apply(tokenAction, 'eyJ-test-access')).toBe('imported');
    expect(m.profiles[tokenAction.profileId]).toEqual({
      type: 'token',
      provider: 'openai',
      token: 'eyJ-test-access',
      expires: 1_900_000_000_000,
      email: 'u@example.com',
      displayName: tokenAction.displayName,
    });
    expect(m.getConfig().auth?.profiles?.[tokenAction.profileId]).toEqual({
      provider: 'openai',
      mode: 'token',
    });
    expect(await importer.apply(tokenAction, 'eyJ-test-access')).toBe('unchanged');
    expect(m.counts).toEqual({ upserts: 1, configWrites: 1 });
  });

  it('rewrites the profile when the CLI refreshed its token, without touching the config again', async () => {
    const m = memoryHost();
    const importer = new OpenClawImporter(m.host);
    await importer.apply(tokenAction, 'eyJ-test-access');
    expect(
      await importer.apply({ ...tokenAction, expiresAtMs: 1_900_000_360_000 }, 'eyJ-test-access-2'),
    ).toBe('imported');
    expect(m.profiles[tokenAction.profileId]?.token).toBe('eyJ-test-access-2');
    expect(m.counts).toEqual({ upserts: 2, configWrites: 1 });
  });

  it('writes API keys as api_key profiles', async () => {
    const m = memoryHost();
    await new OpenClawImporter(m.host).apply(
      { ...tokenAction, profileId: 'openai:ctd-codex-cli-key-1', mode: 'api_key', expiresAtMs: undefined },
      'sk-test-PLACEHOLDER',
    );
    expect(m.profiles['openai:ctd-codex-cli-key-1']).toMatchObject({
      type: 'api_key',
      key: 'sk-test-PLACEHOLDER',
    });
  });

  it('reports providers with an enabled plugin, and logins OpenClaw already holds', async () => {
    const m = memoryHost({ openai: ['openai'], google: ['google'], anthropic: ['anthropic'] });
    m.setConfig({ plugins: { entries: { google: { enabled: false } } } });
    m.profiles['openai:default'] = {
      type: 'oauth',
      provider: 'openai',
      accountId: 'acct-9',
      email: 'x@example.com',
    };
    m.profiles['openai:ctd-codex-cli-acct-1'] = { type: 'token', provider: 'openai', accountId: 'acct-1' };
    const facts = await new OpenClawImporter(m.host).hostFacts();
    const available = facts.availableProviders;
    expect(available).not.toBeNull();
    expect(['openai', 'google', 'anthropic', 'mistral'].filter((p) => available?.has(p))).toEqual([
      'openai',
      'anthropic',
    ]);
    expect([...(facts.reusedAccounts ?? [])].sort()).toEqual(['openai:acct-9', 'openai:x@example.com']);
  });

  it('asks OpenClaw about a provider only when the plan asks, once', async () => {
    const m = memoryHost();
    const asked: string[] = [];
    m.host.catalog = async () => ({
      resolveOwningPluginIdsForProvider: ({ provider }) => {
        asked.push(provider);
        return provider === 'openai' ? ['openai'] : null;
      },
    });
    const facts = await new OpenClawImporter(m.host).hostFacts();
    expect(asked).toEqual([]);
    expect(facts.availableProviders?.has('openai')).toBe(true);
    expect(facts.availableProviders?.has('openai')).toBe(true);
    expect(facts.availableProviders?.has('qwen-portal')).toBe(false);
    expect(asked).toEqual(['openai', 'qwen-portal']);
  });

  it('fails loudly when OpenClaw does not store the profile', async () => {
    const m = memoryHost();
    const sdk = await m.host.providerAuth();
    m.host.providerAuth = async () => ({ ...sdk, upsertAuthProfileWithLock: async () => null });
    await expect(new OpenClawImporter(m.host).apply(tokenAction, 'eyJ-test')).rejects.toThrow(
      /did not store/,
    );
  });
});

describe('OpenClawImporter.setOrder', () => {
  it('puts our profiles first, keeps the others after them, and writes only on change', async () => {
    const m = memoryHost();
    m.profiles['openai:manual'] = { type: 'api_key', provider: 'openai', key: 'sk-test-other' };
    const importer = new OpenClawImporter(m.host);
    await importer.setOrder('openai', ['openai:ctd-kimi', 'openai:ctd-codex']);
    expect(m.getConfig().auth?.order?.openai).toEqual([
      'openai:ctd-kimi',
      'openai:ctd-codex',
      'openai:manual',
    ]);
    const writes = m.counts.configWrites;
    await importer.setOrder('openai', ['openai:ctd-kimi', 'openai:ctd-codex']);
    expect(m.counts.configWrites).toBe(writes);
  });
});
