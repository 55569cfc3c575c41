// Generic policy logic over the adapters' facts. The facts themselves (key pages, login commands,
// dated login policies) belong to the adapters; nothing here names a CLI or a provider. This
// module takes the adapter list as an argument, so the adapters can use it without a cycle;
// the lookups over the built-in list are in adapters/registry.ts.
import type { CredentialKind, PolicyNote, ProviderId, RefreshMethod } from '@ctd/core';
import type { ProviderFacts, SourceAdapter, SourceFacts } from './types.ts';

const AS_OF = '2026-09-06';

/** API keys are meant to be used from any tool, whatever their provider. */
export const API_KEY_POLICY: PolicyNote = {
  stance: 'allowed',
  requiresOptIn: false,
  note: 'API keys are meant to be used from any tool.',
  asOf: AS_OF,
};

/** The note for a login whose provider no adapter states a policy for. */
export const UNKNOWN_LOGIN_POLICY: PolicyNote = {
  stance: 'warn',
  requiresOptIn: true,
  note: 'No known policy for using this login from other tools; import only if you have checked.',
  asOf: AS_OF,
};

function ownFacts(source: SourceFacts | undefined, provider: ProviderId): ProviderFacts | undefined {
  return source && Object.hasOwn(source.providers, provider) ? source.providers[provider] : undefined;
}

/**
 * What a list of adapters knows about a provider, merged field by field: the first adapter in
 * the list that states a field wins.
 *
 * @param provider - a provider id
 * @param adapters - the adapters to look in
 */
export function mergeProviderFacts(
  provider: ProviderId,
  adapters: readonly Pick<SourceAdapter, 'providers'>[],
): ProviderFacts {
  const merged: Record<string, unknown> = {};
  for (const adapter of adapters) {
    const facts = ownFacts(adapter as SourceFacts, provider);
    if (!facts) continue;
    for (const [field, value] of Object.entries(facts)) {
      if (value !== undefined && !(field in merged)) merged[field] = value;
    }
  }
  return merged as ProviderFacts;
}

/**
 * The facts about a provider as a source sees them: the source's own facts first, then what the
 * adapter list knows (a provider a source yields may be described by the CLI that owns it).
 *
 * @param source - the source's adapter, when known
 * @param provider - the provider
 * @param adapters - the adapter list to fall back on
 */
export function factsFor(
  source: SourceFacts | undefined,
  provider: ProviderId,
  adapters: readonly Pick<SourceAdapter, 'providers'>[],
): ProviderFacts {
  const mine = source ? [source] : [];
  return mergeProviderFacts(provider, [...mine, ...adapters]);
}

/**
 * The dated policy note for a credential: API keys are fine everywhere; a subscription login
 * gets its provider's login policy.
 *
 * @param facts - the provider's facts (see {@link factsFor})
 * @param kind - the credential's kind
 */
export function policyFrom(facts: ProviderFacts, kind: CredentialKind): PolicyNote {
  if (kind === 'api_key') return API_KEY_POLICY;
  return facts.loginPolicy ?? UNKNOWN_LOGIN_POLICY;
}

/**
 * The ways to renew or replace a credential, best first: refresh it (when the store holds a
 * refresh token the provider still takes), log in again with the CLI, get a new key, paste one.
 *
 * @param source - the source's adapter (its login command), when known
 * @param facts - the provider's facts (see {@link factsFor})
 * @param kind - the credential's kind
 * @param hasRefreshToken - whether the store holds a refresh token
 */
export function refreshMethodsFrom(
  source: Pick<SourceAdapter, 'login'> | undefined,
  facts: ProviderFacts,
  kind: CredentialKind,
  hasRefreshToken: boolean,
): RefreshMethod[] {
  const methods: RefreshMethod[] = [];
  if (kind === 'oauth' && hasRefreshToken && facts.oauthRefresh !== false) {
    methods.push({
      type: 'oauth-refresh',
      description:
        "Refresh the access token with the stored refresh token, under the CLI's lock, writing back to its store.",
    });
  }
  const login = source?.login?.command;
  if (kind !== 'api_key' && login) {
    methods.push({ type: 'cli-login', description: 'Log in again with the CLI.', command: login });
  }
  if (facts.keyPage)
    methods.push({
      type: 'key-page',
      description: 'Create a new API key on the provider’s page.',
      url: facts.keyPage,
    });
  methods.push({ type: 'paste-key', description: 'Paste an API key to import it by hand.' });
  return methods;
}
